"""nim-scrape: a typed, diffable catalogue of the NIM SDK error codes.

The public API, imported lazily (PEP 562): ``import nim_scrape`` costs nothing, so the command
line keeps its start-up short (#6), and each name loads its stage only when first used.
``_EXPORTS`` is the one list of public names; the imports under ``TYPE_CHECKING`` repeat them
for type checkers only, and ``tests/test_exported_members.py`` holds the two together.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
# Here, not in models: the command line needs it for --help without loading pydantic.
DEFAULT_PAGE_URL = "https://doc.yunxin.163.com/messaging2/client-apis/DUxNjU3MzU?platform=client"

# Each stage module, and the names of its own ``__all__`` that make up the library's API.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "diff": (
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
    "export": ("catalogue_csv",),
    "fetch": ("FetchLimits", "Page", "fetch_page", "read_source"),
    "formats": ("export_catalogue",),
    "guard": ("Thresholds",),
    "history": ("History", "HistoryEvent", "read_history"),
    "markdown": ("markdown_to_html",),
    "models": ("Catalogue", "Link", "Record", "Section"),
    "parse": ("parse_page",),
    "pipeline": ("RefreshOptions", "RefreshResult", "refresh"),
    "render": ("render_html",),
    "report": (
        "Report",
        "build_report",
        "render_json",
        "render_markdown",
        "render_text",
        "report_schema",
    ),
    "shapes": ("Article", "catalogue_of", "find_article"),
    "site": ("render_site", "write_site"),
    "store": ("catalogue_json", "compare_files", "load_catalogue"),
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
    from .diff import (
        CatalogueDiff,
        ColumnChange,
        HeaderRename,
        RecordChange,
        RecordMove,
        SectionRename,
        compare,
    )
    from .errors import (
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
    from .export import catalogue_csv
    from .fetch import FetchLimits, Page, fetch_page, read_source
    from .formats import export_catalogue
    from .guard import Thresholds
    from .history import History, HistoryEvent, read_history
    from .markdown import markdown_to_html
    from .models import Catalogue, Link, Record, Section
    from .parse import parse_page
    from .pipeline import RefreshOptions, RefreshResult, refresh
    from .render import render_html
    from .report import (
        Report,
        build_report,
        render_json,
        render_markdown,
        render_text,
        report_schema,
    )
    from .shapes import Article, catalogue_of, find_article
    from .site import render_site, write_site
    from .store import catalogue_json, compare_files, load_catalogue
