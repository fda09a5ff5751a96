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


# Fixed identity and dates, so the repository's commits are the same on every machine (#13).
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "nim-scrape tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "nim-scrape tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}


def git(repo: Path, *args: str, date: str = "2024-11-01T09:00:00+08:00") -> str:
    """Run git in ``repo`` with a fixed identity; its output."""
    import os
    import subprocess

    env = {**os.environ, **_GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="session")
def history_repo(tmp_path_factory) -> Path:
    """A git repository whose catalogue X/nim_error_codes.json was refreshed and committed
    twice, as a scheduled job would: the 2024-03-13 edition, then the 2024-10-31 one."""
    from click.testing import CliRunner

    from nim_scrape.cli import cli

    repo = tmp_path_factory.mktemp("history-repo")
    git(repo, "init", "--quiet", "--initial-branch=main")
    (repo / ".gitignore").write_text(".nim-scrape/\n")  # run state stays out, as in main's
    editions = (
        (EDITION_2024_03, "2024-03-14T09:00:00+08:00"),
        (CURRENT, "2024-11-01T09:00:00+08:00"),
    )
    for page, date in editions:
        result = CliRunner().invoke(
            cli,
            ["refresh", "--source", str(page), "--out", str(repo / "X")],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        git(repo, "add", ".gitignore", "X")
        git(repo, "commit", "--quiet", "-m", f"refresh from {page.name}", date=date)
    return repo


@pytest.fixture
def own_threads(monkeypatch) -> None:
    """``_aside`` counting only the threads this test starts: the test runner keeps threads of
    its own (a session-long HTTP server) that would keep every check out of a child process,
    and they hold no lock a check takes."""
    import threading
    from types import SimpleNamespace

    from nim_scrape import _aside

    runner = threading.active_count() - 1
    monkeypatch.setattr(
        _aside, "threading", SimpleNamespace(active_count=lambda: threading.active_count() - runner)
    )
