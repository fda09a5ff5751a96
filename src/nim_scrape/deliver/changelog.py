"""The human-readable change log in the output folder: newest entry first, each edition once.

Each entry carries, under its heading, a marker of the catalogue's ``content_hash``
(``<!-- nim-scrape: sha256:… -->``). Adding an entry whose marker the log already holds
changes nothing, so a run repeated, or killed after the log was written, never writes an
edition twice. Page text cannot forge a marker: reports escape ``<`` and ``>``.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from nim_scrape.catalogue.models import BEIJING, Catalogue
from nim_scrape.changes.diff import CatalogueDiff
from nim_scrape.changes.report import Report, build_report, catalogue_size, render_markdown

__all__ = ["HEADER", "add_entry", "entry", "marker"]

logger = logging.getLogger(__name__)

HEADER = (
    "# Changes to the NIM error codes\n\n"
    "Written by nim-scrape each time the error-code page changes; newest first.\n"
)

_MARKER = re.compile(r"^<!-- nim-scrape: (\S+) -->$", re.MULTILINE)


def marker(content_hash: str) -> str:
    """The line that tells which edition of the catalogue an entry is about."""
    return f"<!-- nim-scrape: {content_hash} -->"


def entry(
    diff: CatalogueDiff | Report | None, catalogue: Catalogue, *, now: datetime | None = None
) -> str:
    """One dated entry, marked with the catalogue's content hash. The date is the page's own
    更新时间, so the same change always reads the same; a page without one gets the run's date.
    ``diff`` may be a report built already; ``None`` is the first run, which created the
    catalogue."""
    when = catalogue.updated_at or now or datetime.now(BEIJING)
    heading = f"## {when.isoformat(sep=' ')}"
    if catalogue.content_hash:
        heading += "\n" + marker(catalogue.content_hash)
    report = diff if isinstance(diff, Report) else build_report(diff, catalogue)
    if report.created:
        body = f"Catalogue created: {catalogue_size(catalogue)}.\n"
    else:
        body = render_markdown(report, title="Summary")
    return f"{heading}\n\n{body}"


def add_entry(existing: str | None, new_entry: str) -> str:
    """The change log with ``new_entry`` on top of the older ones; ``existing`` unchanged if it
    already has an entry marked with the same content hash."""
    found = _MARKER.search(new_entry)
    if existing and found and found.group(1) in _MARKER.findall(existing):
        logger.info("the change log already has the edition %s", found.group(1))
        return existing
    older = (existing or HEADER).removeprefix(HEADER).lstrip("\n")
    return f"{HEADER}\n{new_entry}" + (f"\n{older}" if older else "")
