"""The human-readable change log in the output folder: newest entry first, one per change."""

from __future__ import annotations

from datetime import datetime

from .diff import CatalogueDiff
from .models import BEIJING, Catalogue
from .report import render_markdown

__all__ = ["HEADER", "add_entry", "entry"]

HEADER = (
    "# Changes to the NIM error codes\n\n"
    "Written by nim-scrape each time the error-code page changes; newest first.\n"
)


def entry(diff: CatalogueDiff | None, catalogue: Catalogue, *, now: datetime | None = None) -> str:
    """One dated entry. The date is the page's own 更新时间, so the same change always reads the
    same; a page without one gets the run's date."""
    when = catalogue.updated_at or now or datetime.now(BEIJING)
    heading = f"## {when.isoformat(sep=' ')}"
    if diff is None:
        body = (
            f"Catalogue created: {len(catalogue.records)} records in "
            f"{len(catalogue.sections)} sections.\n"
        )
    else:
        body = render_markdown(diff, title="Summary")
    return f"{heading}\n\n{body}"


def add_entry(existing: str | None, new_entry: str) -> str:
    """The change log with ``new_entry`` on top of the older ones."""
    older = (existing or HEADER).removeprefix(HEADER).lstrip("\n")
    return f"{HEADER}\n{new_entry}" + (f"\n{older}" if older else "")
