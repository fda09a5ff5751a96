"""The notifications a run sends, as values: what changed, that the job fails, that it works again.

Pure: built from the reports, sent by ``notify``. Titles are short and say what happened; the
bodies lead with the summary so a service that shows only the start still says the essential.
"""

from __future__ import annotations

from dataclasses import dataclass

from .diff import CatalogueDiff
from .errors import NimScrapeError
from .models import Catalogue
from .report import first_run_line, md_escape, render_markdown, render_text, summary_line

__all__ = ["Message", "change", "failure", "recovery"]


@dataclass(frozen=True)
class Message:
    """One notification in both renderings; each service gets the one it can show."""

    title: str
    text: str
    markdown: str


def change(diff: CatalogueDiff | None, catalogue: Catalogue) -> Message:
    if diff is None:
        line = first_run_line(catalogue)
        return Message(
            title=f"NIM error codes: {line}", text=line + "\n", markdown=md_escape(line) + "\n"
        )
    return Message(
        title=f"NIM error codes changed: {summary_line(diff)}",
        text=render_text(diff) + f"\n{catalogue.page_url}\n",
        markdown=render_markdown(diff, details=False) + f"\n{md_escape(catalogue.page_url)}\n",
    )


def failure(error: NimScrapeError) -> Message:
    text = (
        f"The scheduled refresh of the NIM error codes failed (exit {error.exit_code}):\n{error}\n"
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
