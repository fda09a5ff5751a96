"""The run state: a cache one run leaves for the next. Missing or damaged, it is empty, never an
error; saved, it is read back as it was, written whole or not at all."""

import json
import logging
import os

import pytest

from nim_scrape.catalogue.state import RunState, load_state, save_state
from nim_scrape.errors import OutputError

FULL = RunState(
    source="https://doc.yunxin.163.com/messaging2/client-apis/DUxNjU3MzU?platform=client",
    parser="html",
    etag='W/"5f3a-18c2"',
    last_modified="Thu, 31 Oct 2024 07:38:33 GMT",
    body_sha256="ab" * 32,
    body_size=123456,
    catalogue_sha256="cd" * 32,
    delivered_content_hash="sha256:" + "ef" * 32,
    failing_since="2024-11-01T08:00:00+08:00",
    failure="cannot fetch the page: timed out",
    failure_notified=True,
)


def test_a_first_run_has_an_empty_state(tmp_path):
    assert load_state(tmp_path / ".nim-scrape" / "state.json") == RunState()
    assert RunState().etag is None


def test_a_saved_state_is_read_back_as_it_was(tmp_path):
    path = tmp_path / "state.json"
    assert save_state(path, FULL) is True
    assert load_state(path) == FULL


def test_the_state_file_is_sorted_indented_json_without_empty_fields(tmp_path):
    path = tmp_path / "state.json"
    save_state(path, RunState(etag='"x"', body_size=10))
    assert path.read_text(encoding="utf-8") == '{\n  "body_size": 10,\n  "etag": "\\"x\\""\n}\n'


def test_saving_an_unchanged_state_touches_nothing(tmp_path):
    path = tmp_path / "state.json"
    save_state(path, FULL)
    before = path.stat().st_mtime_ns
    assert save_state(path, FULL) is False
    assert path.stat().st_mtime_ns == before


def test_save_leaves_no_temporary_file_beside_the_state(tmp_path):
    path = tmp_path / "run" / "state.json"
    save_state(path, FULL)
    save_state(path, FULL.model_copy(update={"failure": None, "failure_notified": None}))
    assert os.listdir(tmp_path / "run") == ["state.json"]


def test_a_failed_save_keeps_the_previous_state_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    save_state(path, FULL)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OutputError) as caught:
        save_state(path, RunState())
    assert caught.value.message == f"cannot write {path}: No space left on device"
    monkeypatch.undo()
    assert load_state(path) == FULL
    assert os.listdir(tmp_path) == ["state.json"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"{not json", id="not-json"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"etag": 5}', id="wrong-type"),
        pytest.param(b'["etag"]', id="not-an-object"),
        pytest.param('{"etag": "é"}'.encode("latin-1"), id="not-utf-8"),
        pytest.param(b'{"etag": "x"', id="cut-short"),
    ],
)
def test_a_damaged_state_is_an_empty_state_and_one_warning(tmp_path, caplog, content):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="nim_scrape"):
        assert load_state(path) == RunState()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert message.startswith(f"ignoring the unreadable state file {path} (")
    assert "\n" not in message


def test_a_state_that_cannot_be_opened_is_an_empty_state_and_one_warning(tmp_path, caplog):
    path = tmp_path / "state.json"
    path.mkdir()  # a folder where the file should be: read_text raises IsADirectoryError
    with caplog.at_level(logging.WARNING, logger="nim_scrape"):
        assert load_state(path) == RunState()
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "ignoring the unreadable state file" in caplog.records[0].getMessage()


def test_fields_a_later_version_added_are_ignored_not_fatal(tmp_path, caplog):
    # The state is a cache: a newer nim-scrape's extra field must not make an older one fail.
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"etag": '"x"', "added_later": 1}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nim_scrape"):
        assert load_state(path) == RunState(etag='"x"')
    assert caplog.records == []
