"""nim-scrape: a typed, diffable catalogue of the NIM SDK error codes.

The public API, imported lazily (PEP 562): ``import nim_scrape`` costs nothing, so the command
line keeps its start-up short, and each name loads its stage only when first used.
``_EXPORTS`` is the one list of public names; the imports under ``TYPE_CHECKING`` repeat them
for type checkers only, and ``tests/test_public_api.py`` holds the two together.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from nim_scrape.about import DEFAULT_PAGE_URL, __version__

# Each stage module, and the names of its own ``__all__`` that make up the library's API.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "changes.diff": (
        "CatalogueDiff",
        "ColumnChange",
        "HeaderRename",
        "RecordChange",
        "RecordMove",
        "SectionRename",
        "compare",
    ),
    "errors": (
        "CatalogueError",
        "CatalogueFileError",
        "FetchError",
        "GuardRefused",
        "LockBusy",
        "NimScrapeError",
        "NotFound",
        "NotifyError",
        "OutputError",
        "PageError",
        "ParseError",
        "ScriptOnlyPage",
        "UsageError",
    ),
    "catalogue.csvfile": ("catalogue_csv",),
    "fetch.http": ("FetchLimits", "Page", "fetch_page", "read_source"),
    "outputs.formats": ("export_catalogue",),
    "changes.guard": ("Thresholds",),
    "outputs.history": ("History", "HistoryEvent", "read_history"),
    "article.markdown": ("markdown_to_html",),
    "catalogue.models": ("Catalogue", "Link", "Record", "Section"),
    "parse.tables": ("parse_page",),
    "pipeline": ("RefreshOptions", "RefreshResult", "refresh"),
    "fetch.render": ("render_html",),
    "changes.report": (
        "Report",
        "build_report",
        "render_json",
        "render_markdown",
        "render_text",
        "report_schema",
    ),
    "article.shapes": ("Article", "catalogue_of", "find_article"),
    "outputs.site": ("render_site", "write_site"),
    "catalogue.store": ("catalogue_json", "load_catalogue"),
    "changes.files": ("compare_files",),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'nim_scrape' has no attribute {name!r}")
    return getattr(importlib.import_module(f"nim_scrape.{module}"), name)


def __dir__() -> list[str]:
    return [*__all__, "DEFAULT_PAGE_URL", "__version__"]


if TYPE_CHECKING:
    from nim_scrape.article.markdown import markdown_to_html
    from nim_scrape.article.shapes import Article, catalogue_of, find_article
    from nim_scrape.catalogue.csvfile import catalogue_csv
    from nim_scrape.catalogue.models import Catalogue, Link, Record, Section
    from nim_scrape.catalogue.store import catalogue_json, load_catalogue
    from nim_scrape.changes.diff import (
        CatalogueDiff,
        ColumnChange,
        HeaderRename,
        RecordChange,
        RecordMove,
        SectionRename,
        compare,
    )
    from nim_scrape.changes.files import compare_files
    from nim_scrape.changes.guard import Thresholds
    from nim_scrape.changes.report import (
        Report,
        build_report,
        render_json,
        render_markdown,
        render_text,
        report_schema,
    )
    from nim_scrape.errors import (
        CatalogueError,
        CatalogueFileError,
        FetchError,
        GuardRefused,
        LockBusy,
        NimScrapeError,
        NotFound,
        NotifyError,
        OutputError,
        PageError,
        ParseError,
        ScriptOnlyPage,
        UsageError,
    )
    from nim_scrape.fetch.http import FetchLimits, Page, fetch_page, read_source
    from nim_scrape.fetch.render import render_html
    from nim_scrape.outputs.formats import export_catalogue
    from nim_scrape.outputs.history import History, HistoryEvent, read_history
    from nim_scrape.outputs.site import render_site, write_site
    from nim_scrape.parse.tables import parse_page
    from nim_scrape.pipeline import RefreshOptions, RefreshResult, refresh
