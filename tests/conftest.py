"""Cassettes live with the other fixtures; pytest-recording's default record mode, ``none``,
replays them and fails any request they do not hold (``--record-mode=rewrite`` re-records)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from .support import CURRENT, EDITION_2024_03, FIXTURES

# Speed is the benchmark's business: on a shared CI machine an example may take its time.
settings.register_profile("nim-scrape", deadline=None)
settings.load_profile("nim-scrape")


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # Never store cookies or auth a live re-recording might pick up.
    return {"filter_headers": ["authorization", "cookie", "set-cookie"]}


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(FIXTURES / "cassettes")


@pytest.fixture(scope="session")
def _refreshed_once(tmp_path_factory) -> dict[str, Path]:
    """One output folder per edition, each made by a real refresh, shared by the session."""
    from nim_scrape.pipeline import RefreshOptions, refresh

    made = {}
    for name, page in (("2024-03-13", EDITION_2024_03), ("2024-10-31", CURRENT)):
        out = tmp_path_factory.mktemp(f"refreshed-{name}") / "out"
        refresh(RefreshOptions(source=str(page), out=out))
        made[name] = out
    return made


@pytest.fixture
def refreshed(_refreshed_once, tmp_path) -> Callable[[str], Path]:
    """``refreshed("2024-03-13")``: a fresh copy of an output folder whose catalogue is that
    edition, delivered; a copy costs milliseconds where a refresh costs a parse."""

    def copy(edition: str) -> Path:
        out = tmp_path / f"out-{edition}"
        shutil.copytree(_refreshed_once[edition], out)
        return out

    return copy
