"""A catalogue from whatever the user names: a catalogue file, a page file, a URL, rendered or not.

``catalogue_from`` is the one call the command line and the refresh job make to turn a source
into a catalogue: a catalogue JSON file is read and checked whole; anything else is a page, got by
``fetch.source.get_page`` and read by ``shapes.catalogue_of`` in whatever shape it came.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from nim_scrape.errors import CatalogueError, CatalogueFileError, UsageError
from nim_scrape.fetch.http import FetchLimits, Page, check_source, is_url

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue

__all__ = [
    "catalogue_from",
    "catalogue_of_page",
    "given_by_the_user",
    "is_catalogue_file",
    "read_catalogue_file",
]


def catalogue_of_page(page: Page, *, columns: Mapping[str, str] | None = None) -> Catalogue:
    """The catalogue in ``page``, whatever its shape (``source_shape`` says which); ``columns``
    says which header holds which role where the parser's own words do not fit."""
    from nim_scrape.article.shapes import catalogue_of  # bs4 and lxml load only to parse

    return catalogue_of(
        page.text,
        url=page.url,
        content_type=page.content_type,
        rendered=page.rendered,
        columns=columns or None,
    )


def catalogue_from(
    source: str, *, limits: FetchLimits | None = None, render: bool = False
) -> Catalogue:
    """The catalogue ``source`` holds: a catalogue JSON file, an HTML or markdown file, or a URL
    (with ``render``, loaded in a browser first).

    A catalogue file the user named is input to check: one that cannot be used is a
    ``CatalogueFileError`` (a usage error), never a refusal of the kind a broken ``--out`` gets.
    """
    if not is_catalogue_file(source):
        from nim_scrape.fetch.source import get_page

        return catalogue_of_page(get_page(source, limits=limits, render=render))
    from nim_scrape.catalogue.store import load_catalogue

    with given_by_the_user():
        return load_catalogue(read_catalogue_file(source), name=source)


def is_catalogue_file(source: str) -> bool:
    """True when ``source`` names a catalogue JSON file rather than a page."""
    return source.endswith(".json") and not is_url(source)


def read_catalogue_file(source: str) -> bytes:
    """The bytes of a catalogue file named by a path or a ``file:`` URL; ``CatalogueFileError``
    when it cannot be read."""
    try:
        path = check_source(source) or Path(source)
        return path.read_bytes()
    except (UsageError, OSError) as exc:
        reason = exc.message.rsplit(": ", 1)[-1] if isinstance(exc, UsageError) else exc.strerror
        raise CatalogueFileError(f"cannot read the catalogue {source}: {reason or exc}") from exc


@contextlib.contextmanager
def given_by_the_user() -> Iterator[None]:
    """Catalogue errors inside the block are the user's input to fix: ``CatalogueFileError``."""
    try:
        yield
    except CatalogueError as exc:
        raise CatalogueFileError(
            exc.message, hint="pass a catalogue JSON file, an HTML file or a URL"
        ) from exc
