"""nim-scrape: a typed, diffable catalogue of the NIM SDK error codes.

The public API, imported lazily (PEP 562): ``import nim_scrape`` costs nothing, so the command
line keeps its start-up short (#6), and each name loads its stage only when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Catalogue": "models",
    "CatalogueDiff": "diff",
    "CatalogueError": "errors",
    "FetchError": "errors",
    "FetchLimits": "fetch",
    "GuardRefused": "errors",
    "Link": "models",
    "NimScrapeError": "errors",
    "NotFound": "errors",
    "NotifyError": "errors",
    "Page": "fetch",
    "PageError": "errors",
    "ParseError": "errors",
    "Record": "models",
    "RefreshOptions": "pipeline",
    "RefreshResult": "pipeline",
    "Section": "models",
    "Thresholds": "guard",
    "UsageError": "errors",
    "catalogue_csv": "export",
    "catalogue_json": "export",
    "compare": "diff",
    "compare_json": "diff",
    "fetch_page": "fetch",
    "load_catalogue": "export",
    "parse_page": "parse",
    "read_source": "fetch",
    "refresh": "pipeline",
    "render_json": "report",
    "render_markdown": "report",
    "render_text": "report",
    "run_job": "pipeline",
}

__all__ = [
    "Catalogue",
    "CatalogueDiff",
    "CatalogueError",
    "FetchError",
    "FetchLimits",
    "GuardRefused",
    "Link",
    "NimScrapeError",
    "NotFound",
    "NotifyError",
    "Page",
    "PageError",
    "ParseError",
    "Record",
    "RefreshOptions",
    "RefreshResult",
    "Section",
    "Thresholds",
    "UsageError",
    "catalogue_csv",
    "catalogue_json",
    "compare",
    "compare_json",
    "fetch_page",
    "load_catalogue",
    "parse_page",
    "read_source",
    "refresh",
    "render_json",
    "render_markdown",
    "render_text",
    "run_job",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nim_scrape' has no attribute {name!r}")
    return getattr(importlib.import_module(f"nim_scrape.{module}"), name)


def __dir__() -> list[str]:
    return [*__all__, "__version__"]


if TYPE_CHECKING:
    from .diff import CatalogueDiff, compare, compare_json
    from .errors import (
        CatalogueError,
        FetchError,
        GuardRefused,
        NimScrapeError,
        NotFound,
        NotifyError,
        PageError,
        ParseError,
        UsageError,
    )
    from .export import catalogue_csv, catalogue_json, load_catalogue
    from .fetch import FetchLimits, Page, fetch_page, read_source
    from .guard import Thresholds
    from .models import Catalogue, Link, Record, Section
    from .parse import parse_page
    from .pipeline import RefreshOptions, RefreshResult, refresh, run_job
    from .report import render_json, render_markdown, render_text
