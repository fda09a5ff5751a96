"""Change notifications through apprise: one message per URL, fitted to what its service takes.

The only module that imports apprise. ``send`` gets rendered reports, never a diff: the caller
decides whether there is anything to say (nothing is sent for an unchanged page). Secrets in
URLs never reach a log line or an error: only apprise's privacy form of a URL is ever shown.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import apprise

from nim_scrape.deliver.messages import Message
from nim_scrape.errors import NotifyError, UsageError

__all__ = ["check_urls", "fit", "send"]

logger = logging.getLogger(__name__)

_CUT_NOTE = "… {count} more lines not shown{where}."


def check_urls(urls: Sequence[str]) -> None:
    """``UsageError`` for the first URL apprise cannot use, before a run fetches or writes."""
    for url in urls:
        _service(url)


def _service(url: str) -> apprise.Apprise:
    service = apprise.Apprise()
    with _apprise_quiet():
        known = service.add(url)
    if not known:
        raise UsageError(
            f"not a notification URL apprise can use: {_scheme(url)}://…",
            hint="see https://github.com/caronc/apprise/wiki for the URL of each service",
        )
    return service


@contextlib.contextmanager
def _apprise_quiet() -> Iterator[None]:
    """apprise logs each URL it reads and sends to: its chatter (and any token in it) stays
    out of our output. Only for the call: the level of a logger is the whole process's."""
    apprise_logger = logging.getLogger("apprise")
    level = apprise_logger.level
    apprise_logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        apprise_logger.setLevel(level)


def send(message: Message, urls: Sequence[str]) -> None:
    """Send ``message`` to every URL; ``NotifyError`` names (without secrets) those that failed."""
    failed: list[str] = []
    for url in urls:
        service = _service(url)
        plugin: Any = service[0]  # apprise's plugins are not typed
        shown = plugin.url(privacy=True).split("?", 1)[0]
        markdown = _primary_format(plugin) != apprise.NotifyFormat.TEXT
        body = message.markdown if markdown else message.text
        budget = int(plugin.body_maxlen)
        if not plugin.title_maxlen:
            budget -= len(message.title.encode()) + 2  # such services put the title in the body
        body = fit(body, budget, full_report=message.full_report)
        logger.info("notifying %s (%d bytes)", shown, len(body.encode()))
        with _apprise_quiet():
            ok = service.notify(
                body=body,
                title=message.title[: int(plugin.title_maxlen) or None],
                body_format=apprise.NotifyFormat.MARKDOWN
                if markdown
                else apprise.NotifyFormat.TEXT,
            )
        if not ok:
            failed.append(shown)
    if failed:
        raise NotifyError(
            f"notifying {', '.join(failed)} failed",
            hint="check the URL and the service; the next run sends it again",
        )


def fit(body: str, max_bytes: int, *, full_report: Path | None = None) -> str:
    """``body`` cut at a line so it takes at most ``max_bytes`` in UTF-8, with a note saying so.

    Reports put the counts and the substantive changes first, so what is cut is the least
    important part: the long tail and the folded cosmetic changes.
    """
    if len(body.encode()) <= max_bytes:
        return body
    lines = body.splitlines()
    where = f": the full report is in {full_report}" if full_report else ""
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        note = _CUT_NOTE.format(count=len(lines) - index, where=where)
        cost = len(line.encode()) + 1
        if size + cost + len(note.encode()) + 1 > max_bytes:
            kept.append(note)
            break
        kept.append(line)
        size += cost
    text = "\n".join(kept) + "\n"
    # A budget smaller than the note itself still must not be passed.
    return (
        text
        if len(text.encode()) <= max_bytes
        else text.encode()[:max_bytes].decode(errors="ignore")
    )


def _primary_format(plugin: object) -> object:
    formats = getattr(plugin, "notify_format", apprise.NotifyFormat.TEXT)
    return formats[0] if isinstance(formats, tuple) else formats


def _scheme(url: str) -> str:
    return url.split("://", 1)[0] if "://" in url else "?"
