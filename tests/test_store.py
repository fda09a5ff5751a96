import os
import threading

import pytest

from nim_scrape.errors import CatalogueError, LockBusy, OutputError
from nim_scrape.store import OutputFolder, atomic_write


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a.json"
    assert atomic_write(target, b"one") is True
    assert atomic_write(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["a.json"]


def test_atomic_write_does_not_touch_an_equal_file(tmp_path):
    target = tmp_path / "a.json"
    atomic_write(target, b"same")
    os.utime(target, (1, 1))
    assert atomic_write(target, b"same") is False
    assert target.stat().st_mtime == 1


def test_atomic_write_keeps_the_file_mode(tmp_path):
    target = tmp_path / "a.csv"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "a.json"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OutputError, match="cannot write .*a.json: disk full"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.json"]


def test_load_is_none_on_a_first_run(tmp_path):
    assert OutputFolder(tmp_path).load() is None


def test_load_refuses_a_damaged_catalogue(tmp_path):
    folder = OutputFolder(tmp_path)
    folder.json_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogueError, match="is not a nim-scrape catalogue"):
        folder.load()


def test_a_second_run_on_the_same_folder_is_refused_while_the_first_holds_it(tmp_path):
    folder = OutputFolder(tmp_path)
    held, release = threading.Event(), threading.Event()

    def first_run():
        with folder.locked():
            held.set()
            release.wait(5)

    thread = threading.Thread(target=first_run)
    thread.start()
    held.wait(5)
    try:
        with (
            pytest.raises(LockBusy, match="another nim-scrape run has held"),
            folder.locked(timeout=0.2),
        ):
            pass
    finally:
        release.set()
        thread.join()
    with folder.locked(timeout=0.2):
        pass
