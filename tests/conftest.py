"""Cassettes live with the other fixtures; pytest-recording's default record mode, ``none``,
replays them and fails any request they do not hold (``--record-mode=rewrite`` re-records)."""

from __future__ import annotations

from typing import Any

import pytest

from .support import FIXTURES


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # Never store cookies or auth a live re-recording might pick up.
    return {"filter_headers": ["authorization", "cookie", "set-cookie"]}


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(FIXTURES / "cassettes")
