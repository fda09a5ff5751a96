"""Every change reaches its user at least once, and no failure reads as success (#9).

Each test is one of the ways the first version lost a change or misreported a failure: a run
state from another run, a kill at any moment, a failed or unusable notification, an output
folder that cannot be written. The catalogue's bytes are checked after every refusal.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from werkzeug import Response

from nim_scrape.catalogue.store import OutputFolder

from .support import CURRENT, EDITION_2024_03, run

EDITION_LINE = "## 2024-10-31 15:38:33+08:00"


def refresh(out: Path, source: Path = CURRENT, *more: str):
    return run("refresh", "--source", str(source), "--out", str(out), "--exit-code", *more)


def files(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder``, run metadata included, by its path inside it."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def catalogue_files(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in files(folder).items() if not name.startswith(".")}


@pytest.fixture
def on_2024_03_13(refreshed):
    """An output folder whose catalogue is the 2024-03-13 edition, delivered."""
    return refreshed("2024-03-13")


@pytest.fixture
def receiver(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


def titles(server) -> list[str]:
    return [json.loads(r.data)["title"] for r, _ in server.log if r.path == "/hook"]


def hook(server) -> str:
    return f"json://127.0.0.1:{server.port}/hook"


CHANGED = (
    "NIM error codes changed: 20 added, 2 changed, 248 cosmetic; "
    "2 sections added, 22 sections renamed, 2 column headers renamed"
)


# -- the run state is a cache, never the truth -------------------------------------------------


def test_a_state_restored_from_a_later_run_does_not_hide_the_change(on_2024_03_13, refreshed):
    later = refreshed("2024-10-31")
    shutil.copy(OutputFolder(later).state_path, OutputFolder(on_2024_03_13).state_path)
    result = refresh(on_2024_03_13)
    assert result.exit_code == 1
    assert result.stdout.startswith("20 added, 2 changed, 248 cosmetic")
    assert (
        catalogue_files(on_2024_03_13)["nim_error_codes.json"]
        == (later / "nim_error_codes.json").read_bytes()
    )


def test_a_lost_state_costs_time_not_a_change(on_2024_03_13):
    shutil.rmtree(OutputFolder(on_2024_03_13).run_dir)
    assert refresh(on_2024_03_13).exit_code == 1
    assert refresh(on_2024_03_13).stdout == "no changes\n"


# -- at-least-once delivery ----------------------------------------------------------------------


def test_a_failed_notification_is_sent_again_by_the_next_run(on_2024_03_13, httpserver):
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("no", status=500)
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("ok")
    first = refresh(on_2024_03_13, CURRENT, "--notify", hook(httpserver))
    assert first.exit_code == 6
    assert first.stdout.startswith("20 added, 2 changed, 248 cosmetic")
    again = refresh(on_2024_03_13, CURRENT, "--notify", hook(httpserver))
    assert (again.exit_code, again.stdout.splitlines()[0]) == (
        1,
        "20 added, 2 changed, 248 cosmetic; 2 sections added, 22 sections renamed, "
        "2 column headers renamed",
    )
    assert titles(httpserver) == [CHANGED, CHANGED]
    quiet = refresh(on_2024_03_13, CURRENT, "--notify", hook(httpserver))
    assert (quiet.exit_code, quiet.stdout) == (0, "no changes\n")
    assert titles(httpserver) == [CHANGED, CHANGED]
    changelog = (on_2024_03_13 / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.count(EDITION_LINE) == 1


KILLED_RUN = [sys.executable, "-m", "nim_scrape", "refresh", "--source", str(CURRENT)]


@pytest.fixture
def slow_receiver(httpserver):
    """A receiver that takes half a second to answer, so kills land while notifying too."""

    def answer(request):
        time.sleep(0.5)
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(answer)
    return httpserver


@pytest.mark.slow
def test_runs_killed_at_random_moments_still_deliver_the_change_once_logged(
    on_2024_03_13, slow_receiver, tmp_path
):
    receiver = slow_receiver
    rng = random.Random(9)
    for attempt in range(10):
        out = tmp_path / f"try-{attempt}"
        shutil.copytree(on_2024_03_13, out)
        before = len(titles(receiver))
        proc = subprocess.Popen([*KILLED_RUN, "--out", str(out), "--notify", hook(receiver)])
        time.sleep(rng.uniform(0.3, 2.0))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        again = refresh(out, CURRENT, "--notify", hook(receiver))
        assert again.exit_code in (0, 1), again.output
        sent = titles(receiver)[before:]
        assert CHANGED in sent, f"try {attempt}: the change was never notified ({sent})"
        changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8")
        assert changelog.count(EDITION_LINE) == 1, f"try {attempt}"
        assert refresh(out, CURRENT, "--notify", hook(receiver)).stdout == "no changes\n"


# -- configuration first ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["nosuch://x", "dingtalk://"])
def test_an_unusable_notification_url_changes_nothing(on_2024_03_13, url):
    before = files(on_2024_03_13)
    result = refresh(on_2024_03_13, CURRENT, "--notify", url)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: not a notification URL apprise can use")
    assert files(on_2024_03_13) == before
    assert refresh(on_2024_03_13).exit_code == 1  # the change is still there to find


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
@pytest.mark.parametrize("option", ["--timeout", "--max-removed-share", "--min-size-ratio"])
def test_nan_and_infinite_numbers_are_refused(option, value, tmp_path):
    result = run("refresh", "--source", str(CURRENT), "--out", str(tmp_path / "o"), option, value)
    assert result.exit_code == 2
    assert "is not a finite number" in result.stderr
    assert not (tmp_path / "o").exists()


# -- failures that are not "changes found" -----------------------------------------------------


def test_a_changelog_that_is_a_folder_exits_7_and_keeps_the_catalogue(on_2024_03_13):
    (on_2024_03_13 / "CHANGELOG.md").unlink()
    (on_2024_03_13 / "CHANGELOG.md").mkdir()
    before = catalogue_files(on_2024_03_13)
    result = refresh(on_2024_03_13)
    assert result.exit_code == 7
    assert result.stderr.startswith(f"Error: cannot read {on_2024_03_13 / 'CHANGELOG.md'}")
    assert len(result.stderr.splitlines()) == 1
    assert catalogue_files(on_2024_03_13) == before


@pytest.mark.parametrize("out", ["/dev/null", "/proc/sys"])
def test_an_output_folder_that_cannot_be_used_exits_7(out):
    result = run("refresh", "--source", str(CURRENT), "--out", out)
    assert result.exit_code == 7
    assert result.stderr.startswith(f"Error: cannot use {out} as the output folder")
    assert "lock" not in result.stderr


def test_a_read_only_folder_exits_7_and_keeps_the_catalogue(on_2024_03_13):
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only folders; the full-disk test covers exit 7")
    before = catalogue_files(on_2024_03_13)
    on_2024_03_13.chmod(0o555)
    try:
        assert refresh(on_2024_03_13).exit_code == 7
    finally:
        on_2024_03_13.chmod(0o755)
    assert catalogue_files(on_2024_03_13) == before


@pytest.fixture
def small_disk(tmp_path):
    """A 400 KB file system of its own (tmpfs, as root); skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs as root and must mount a tmpfs: {done.stderr.decode()}")
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_exits_7_and_keeps_the_catalogue(small_disk):
    out = small_disk / "out"
    assert refresh(out, EDITION_2024_03).exit_code == 1
    before = catalogue_files(out)
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"x" * (free - 20_000))
    result = refresh(out)
    assert result.exit_code == 7
    assert "No space left on device" in result.stderr
    assert catalogue_files(out) == before
    (small_disk / "filler").unlink()
    assert refresh(out).exit_code == 1  # room again: the change is found and written


# -- bugs are 70, with the traceback kept -----------------------------------------------------------


def test_an_unexpected_error_exits_70_saying_where_the_traceback_is(monkeypatch, tmp_path):
    import nim_scrape.parse.tables

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(nim_scrape.parse.tables, "parse_page", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for args in ((), ("-vv",)):
        result = run(*args, "parse", str(CURRENT))
        assert result.exit_code == 70
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith(
            "Error: unexpected error (RuntimeError: a bug); the traceback is in "
        )
        saved = Path(line.split("the traceback is in ")[1].split(",")[0])
        assert saved.parent == tmp_path
        assert "raise RuntimeError" in saved.read_text(encoding="utf-8")
        assert "Traceback" not in result.stderr
    debug = run("--debug", "parse", str(CURRENT))
    assert debug.exit_code == 70
    assert "Traceback (most recent call last)" in debug.stderr


def test_verbosity_never_changes_the_status(tmp_path):
    missing = tmp_path / "missing.json"
    statuses = {
        args: run(*args, "lookup", "1", "--catalogue", str(missing)).exit_code
        for args in ((), ("-v",), ("-vv",))
    }
    assert statuses == {(): 2, ("-v",): 2, ("-vv",): 2}


def test_a_change_found_again_is_reported_again_but_notified_once(on_2024_03_13, receiver):
    committed = catalogue_files(on_2024_03_13)
    first = refresh(on_2024_03_13, CURRENT, "--notify", hook(receiver))
    assert first.exit_code == 1
    # The pull request is not merged: the next scheduled run starts from the committed files
    # and the cached run state.
    for name, data in committed.items():
        (on_2024_03_13 / name).write_bytes(data)
    again = refresh(on_2024_03_13, CURRENT, "--notify", hook(receiver))
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    assert titles(receiver) == [CHANGED]


def test_an_sdk_source_that_declares_no_code_stops_the_run_before_it_writes(on_2024_03_13):
    from .sdk_support import SDK

    before = files(on_2024_03_13)
    result = refresh(on_2024_03_13, CURRENT, "--audit-sdk", str(SDK / "no-codes.d.ts"))
    assert result.exit_code == 2
    assert "declares no error codes" in result.stderr
    assert files(on_2024_03_13) == before
    assert refresh(on_2024_03_13).exit_code == 1  # the change is still there to find


def test_a_catalogue_that_is_a_folder_is_refused_with_5(tmp_path):
    (tmp_path / "nim_error_codes.json").mkdir()
    result = refresh(tmp_path)
    assert result.exit_code == 5
    assert result.stderr.startswith(
        f"Error: cannot read the catalogue {tmp_path / 'nim_error_codes.json'}"
    )


def test_a_changelog_that_is_not_utf8_exits_7_in_one_line(on_2024_03_13):
    (on_2024_03_13 / "CHANGELOG.md").write_bytes(b"\xff\xfe\x00binary")
    before = catalogue_files(on_2024_03_13)
    result = refresh(on_2024_03_13)
    assert result.exit_code == 7
    assert result.stderr == (
        f"Error: cannot read {on_2024_03_13 / 'CHANGELOG.md'}: it is not UTF-8 text (byte 0) "
        "(move it aside, or save it as UTF-8)\n"
    )
    assert catalogue_files(on_2024_03_13) == before


def test_the_change_notice_names_the_change_log_of_the_folder_it_wrote(on_2024_03_13, tmp_path):
    # Services that must cut a long report point to the change log: the one in --out, wherever
    # that is, not output/CHANGELOG.md.
    from nim_scrape.catalogue.state import RunState
    from nim_scrape.pipeline import RefreshOptions, outbox
    from nim_scrape.pipeline import refresh as run_refresh

    result = run_refresh(RefreshOptions(source=str(CURRENT), out=on_2024_03_13))
    (message,) = outbox(result, RunState(), OutputFolder(on_2024_03_13))
    assert message.full_report == on_2024_03_13 / "CHANGELOG.md"
