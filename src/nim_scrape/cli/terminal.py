"""What the commands print besides their output: log lines, progress, colour."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from nim_scrape.changes.diff import CatalogueDiff
    from nim_scrape.changes.report import Report

logger = logging.getLogger(__name__)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (click's test runner swaps it per call)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("nim-scrape: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def log_to_stderr(level: int) -> None:
    package = logging.getLogger("nim_scrape")
    package.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in package.handlers):
        package.addHandler(_StderrHandler())


def color_for(fmt: str) -> bool:
    return fmt == "text" and sys.stdout.isatty()


def progress(message: str) -> None:
    # Progress goes to a terminal only: CI logs and pipes get the report, not the chatter.
    if sys.stderr.isatty():
        click.echo(click.style(f"… {message}", dim=True), err=True)


def render_report(changes: CatalogueDiff | Report, fmt: str, *, color: bool = False) -> str:
    from nim_scrape.changes.report import render

    return render(changes, fmt, color=color)
