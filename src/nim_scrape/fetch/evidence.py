"""What a failed run keeps, so a person can see why: the last answer, as received.

A refresh that ends with exit 3, 4 or 5 saves, in the output folder's hidden run folder, the
final URL, the status, the response headers (secrets masked), the body as received (capped),
the error and the time; ``nim-scrape parse`` on the saved body reproduces a page that was not
the error-code page. Each failure replaces the one before: only the last is kept.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from datetime import datetime
from pathlib import Path

from nim_scrape.catalogue.store import atomic_write
from nim_scrape.errors import GuardRefused, NimScrapeError
from nim_scrape.fetch.http import Received

__all__ = ["FAILURE_FILE", "MAX_BODY_BYTES", "save_failure"]

logger = logging.getLogger(__name__)

FAILURE_FILE = "failure.json"
MAX_BODY_BYTES = 4 * 1024 * 1024  # the real page is about 0.3 MB
_SECRET_HEADER = re.compile(r"cookie|authorization|token|secret|key|session|signature", re.I)
_SUFFIXES = {"html": ".html", "markdown": ".md", "json": ".json", "javascript": ".js"}


def save_failure(
    folder: Path, *, source: str, error: NimScrapeError, received: Received | None, when: datetime
) -> Path:
    """Replace ``folder`` with the evidence of this failure; the folder."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    record: dict[str, object] = {
        "time": when.isoformat(timespec="seconds"),
        "source": source,
        "exit_status": error.exit_code,
        "error": str(error),
    }
    if received is not None:
        body = received.body[:MAX_BODY_BYTES]
        name = "body" + _suffix(received)
        atomic_write(folder / name, body)
        record.update(
            url=received.url,
            status=received.status,
            headers=[[k, "****" if _SECRET_HEADER.search(k) else v] for k, v in received.headers],
            body_file=name,
            body_bytes=len(received.body),
            body_truncated=len(received.body) > MAX_BODY_BYTES,
            reproduce=_reproduce(error, folder / name),
        )
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    atomic_write(folder / FAILURE_FILE, text.encode("utf-8"))
    logger.info("what was received is kept in %s", folder)
    return folder


def _suffix(received: Received) -> str:
    content_type = {k.lower(): v for k, v in received.headers}.get("content-type", "")
    for word, suffix in _SUFFIXES.items():
        if word in content_type.lower():
            return suffix
    if received.status is None:  # a local file: keep its own suffix
        return Path(received.url).suffix or ".bin"
    return ".html" if received.body.lstrip()[:1] == b"<" else ".bin"


def _reproduce(error: NimScrapeError, body: Path) -> str:
    if isinstance(error, GuardRefused):
        # The page parses; what the guard refused is the change it would make.
        catalogue = body.parent.parent.parent / "nim_error_codes.json"
        return f"nim-scrape diff {catalogue} {body}"
    return f"nim-scrape parse {body}"
