"""What one run leaves for the next, beside the catalogue but not in it.

The state file holds run metadata that must not go into the catalogue files (README, "What it
does": they stay byte-identical for the same page): the page's validators for a conditional GET,
its size and hash for the guard and the early stop, and whether the job is failing, so a failure
is notified once."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from nim_scrape.catalogue.store import atomic_write

__all__ = ["RunState", "load_state", "save_state"]

logger = logging.getLogger(__name__)


class RunState(BaseModel):
    """The last successful fetch, and the failure in progress if any."""

    model_config = ConfigDict(frozen=True)

    source: str | None = None
    parser: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    body_size: int | None = None
    # The sha256 of the catalogue file this run wrote or confirmed: the state describes a
    # folder only while its catalogue still has this hash (it is a cache, never the truth).
    catalogue_sha256: str | None = None
    # The content hash of the catalogue the team was last told of (notifications sent).
    delivered_content_hash: str | None = None
    failing_since: str | None = None
    failure: str | None = None
    failure_notified: bool | None = None


def load_state(path: Path) -> RunState:
    """The state in ``path``; an empty state when it is missing or unreadable (it is a cache)."""
    try:
        return RunState.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return RunState()
    except (OSError, ValueError, ValidationError) as exc:
        reason = str(exc).splitlines()[0]  # pydantic's own message runs over many lines
        logger.warning("ignoring the unreadable state file %s (%s)", path, reason)
        return RunState()


def save_state(path: Path, state: RunState) -> bool:
    """Write ``state``; nothing is touched when it did not change."""
    text = json.dumps(state.model_dump(exclude_none=True), indent=2, sort_keys=True) + "\n"
    return atomic_write(path, text.encode("utf-8"))
