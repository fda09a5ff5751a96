"""The notifications a run sends, as values: what changed, that the job fails, that it works again.

Pure: built from the reports, sent by ``notify``. Titles are short and say what happened; the
bodies lead with the summary so a service that shows only the start still says the essential.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from nim_scrape.catalogue.models import Catalogue
from nim_scrape.changes.diff import CatalogueDiff
from nim_scrape.changes.report import Report, build_report, md_escape, render_markdown, render_text
from nim_scrape.errors import NimScrapeError

__all__ = ["Message", "change", "failure", "recovery"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One notification in both renderings; each service gets the one it can show."""

    title: str
    text: str
    markdown: str
    full_report: Path | None = None  # where the whole text is, when a service must cut it


def change(
    report: Report | CatalogueDiff | None,
    catalogue: Catalogue,
    *,
    full_report: Path | None = None,
) -> Message:
    """The notice of a change: ``report`` built already (with extra blocks, say), or the diff to
    build it from; ``None`` on the first run, which created ``catalogue``. ``full_report`` is
    the change log that holds it all, named when a service cuts the message."""
    if not isinstance(report, Report):
        report = build_report(report, catalogue)
    what = "NIM error codes" if report.created else "NIM error codes changed"
    return Message(
        title=f"{what}: {report.headline}",
        text=render_text(report) + f"\n{catalogue.page_url}\n",
        markdown=render_markdown(report, details=False) + f"\n{md_escape(catalogue.page_url)}\n",
        full_report=full_report,
    )


def failure(error: NimScrapeError, *, evidence: Path | None = None) -> Message:
    """The notice that the refresh fails; ``evidence`` is where what it received is kept."""
    kept = f"What the run received is kept in {evidence}.\n" if evidence else ""
    text = (
        f"The scheduled refresh of the NIM error codes failed (exit {error.exit_code}):\n{error}\n"
        f"{kept}"
        "The catalogue was not touched. No further notice is sent until it works again.\n"
    )
    return Message(
        title="nim-scrape: the refresh is failing", text=text, markdown=md_escape_lines(text)
    )


def recovery(failing_since: str) -> Message:
    text = (
        "The refresh of the NIM error codes works again "
        f"(it had been failing since {failing_since}).\n"
    )
    return Message(
        title="nim-scrape: the refresh works again", text=text, markdown=md_escape_lines(text)
    )


def md_escape_lines(text: str) -> str:
    return "".join(md_escape(line) + "\n" for line in text.splitlines())
