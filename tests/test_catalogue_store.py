import json
import os
import signal
import sys
import threading
import time

import pytest

from nim_scrape.catalogue.store import (
    OutputFolder,
    atomic_write,
    catalogue_json,
    load_catalogue,
)
from nim_scrape.changes.files import compare_files
from nim_scrape.errors import CatalogueError, LockBusy, OutputError
from nim_scrape.parse.tables import parse_page

from .support import CURRENT


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
    with pytest.raises(OutputError, match=r"cannot write .*a\.json: disk full"):
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


# -- reading catalogue files strictly -----------------------------------------------------

GOOD = catalogue_json(parse_page(CURRENT.read_text(encoding="utf-8")))


def damaged(old, new, *, count=1):
    """The recorded page's catalogue file with ``old`` replaced by ``new``, in the layout
    nim-scrape writes and re-serialised compactly by ``json.dumps``."""
    assert old in GOOD
    lined = GOOD.replace(old, new, count)
    compact = json.dumps(json.loads(lined), ensure_ascii=False)
    return {"lined": lined.encode(), "compact": compact.encode()}


def good(layout):
    """The recorded page's catalogue file, undamaged, in ``layout``."""
    return damaged("内部错误。", "内部错误。")[layout]


PROBLEMS = {
    "unlisted section": (
        ('{"section":"通用错误码","code":190001', '{"section":"没有的错误码","code":190001'),
        "record 2 names the section '没有的错误码', which is not among its sections",
    ),
    "wrong record_count": (
        ('"record_count": 2', '"record_count": 3'),
        "the section '通用状态码' says it has 3 records, the file holds 2",
    ),
    "unknown schema": (
        ('"schema_version": 1', '"schema_version": 99'),
        "schema_version 99 is not one this nim-scrape reads (1)",
    ),
    "huge code": (
        ('"code":190001,', f'"code":{10**30},'),
        f"record 2 has the code {10**30}, not a whole number from 0 to 2147483647",
    ),
    "negative code": (
        ('"code":190001,', '"code":-5,'),
        "record 2 has the code -5, not a whole number from 0 to 2147483647",
    ),
}


# -- the previous file's proof, here or in a child process beside the rest -------------------


@pytest.fixture(params=["here", "aside"])
def proof(request, monkeypatch):
    """Each file, however small, proven in this process or in a child process (as a large
    file is where a child can be used); the children started, listed."""
    from nim_scrape import _aside
    from nim_scrape.changes import files

    started = []
    real_start = _aside.start

    def start(check):
        child = real_start(check)
        started.append(child)
        return child

    monkeypatch.setattr(files._aside, "start", start)
    monkeypatch.setattr(files, "_ASIDE_BYTES", 0 if request.param == "aside" else 1 << 60)
    if request.param == "aside":
        request.getfixturevalue("own_threads")
    return started


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="a proof is only made aside on Linux with more than one core",
)
@pytest.mark.parametrize("proof", ["aside"], indirect=True)
@pytest.mark.parametrize("layout", ["compact", "lined"])
def test_the_previous_file_is_proven_in_a_child_process(layout, proof):
    changes = compare_files(damaged("内部错误。", "改过的说明。")[layout], good(layout))
    assert [c.code for c in changes.changed] == [190001]
    assert len(proof) == 1
    assert proof[0] is not None


@pytest.mark.parametrize("which", ["old.json", "new.json"])
@pytest.mark.parametrize("layout", ["compact", "lined"])
@pytest.mark.parametrize("problem", sorted(PROBLEMS), ids=str)
def test_a_damaged_catalogue_file_is_refused_naming_its_first_problem(
    problem, layout, which, proof
):
    """Either file, named as reading it whole names it; also the current file, whose counts are
    read off the previous file's, and the previous file read beside a file in another layout."""
    (old, new), message = PROBLEMS[problem]
    data = damaged(old, new)[layout]
    expected = f"{which} is not a valid nim-scrape catalogue: {message}"
    with pytest.raises(CatalogueError) as read_whole:
        load_catalogue(data, name=which)
    both = (data, GOOD.encode()) if which == "old.json" else (good(layout), data)
    with pytest.raises(CatalogueError) as compared:
        compare_files(*both, names=("old.json", "new.json"))
    assert (str(read_whole.value), str(compared.value)) == (expected, expected)


@pytest.mark.parametrize("layout", ["compact", "lined"])
def test_compare_files_gives_the_same_diff_in_any_layout(layout):
    old = damaged("内部错误。", "改过的说明。")[layout]
    changes = compare_files(old, GOOD.encode())
    assert [(c.code, c.before.description, c.after.description) for c in changes.changed] == [
        (190001, "改过的说明。", "内部错误。")
    ]


def test_only_its_own_temporaries_are_cleared(tmp_path):
    folder = OutputFolder(tmp_path)
    folder.prepare()
    ours = tmp_path / ".nim_error_codes.json.k3j_x9a2.tmp"
    state = folder.run_dir / ".state.json.abcd1234.tmp"
    mine = tmp_path / ".my-notes.tmp"
    odd = tmp_path / ".foo.tmp"
    for path in (ours, state, mine):
        path.write_text("x")
    odd.mkdir()
    folder.remove_stale_temporaries()
    assert (ours.exists(), state.exists(), mine.exists(), odd.is_dir()) == (
        False,
        False,
        True,
        True,
    )


def test_a_catalogue_saved_with_a_byte_order_mark_is_read():
    data = b"\xef\xbb\xbf" + GOOD.encode()
    assert load_catalogue(data) == load_catalogue(GOOD)
    assert not compare_files(data, GOOD.encode()).has_changes


# -- every record is checked, also those the two files share ----------------------------------

# Damage to one record, the same in both files: it is never built to be compared, and is
# still refused, with what reading the file whole says of it.
RECORD_DAMAGE = {
    "a message that is a number": ('"message":"', '"message":5,"was":"'),
    "a field it does not know": ('"placeholders":[]}', '"placeholders":[],"colour":"red"}'),
    "links that are not a list": ('"links":[]', '"links":3'),
    "a lone surrogate": ('"message":"', '"message":"\\ud800'),
    "a control character": ('"description":"', '"description":"\x01'),
    "a code that is not whole": ('"code":190001,', '"code":190001.5,'),
}


def damaged_text(old, new):
    """``damaged``, for damage that is not JSON: made in json.dump's spacing for the compact
    layout."""

    def spaced(text):
        return text.replace('":', '": ').replace(',"', ', "')

    compact = json.dumps(json.loads(GOOD), ensure_ascii=False)
    assert spaced(old) in compact
    return {
        "lined": GOOD.replace(old, new, 1).encode(),
        "compact": compact.replace(spaced(old), spaced(new), 1).encode(),
    }


@pytest.mark.parametrize("layout", ["compact", "lined"])
@pytest.mark.parametrize("damage", sorted(RECORD_DAMAGE), ids=str)
def test_a_damaged_record_both_files_share_is_still_refused(damage, layout, proof):
    old, new = RECORD_DAMAGE[damage]
    data = damaged_text(old, new)[layout]
    with pytest.raises(CatalogueError) as read_whole:
        load_catalogue(data, name="old.json")
    with pytest.raises(CatalogueError) as compared:
        compare_files(data, data, names=("old.json", "new.json"))
    assert str(compared.value) == str(read_whole.value)


def test_bytes_that_are_not_utf8_in_a_shared_record_are_refused(proof):
    data = GOOD.encode().replace("内部错误。".encode(), b"\xff\xfe", 1)
    with pytest.raises(CatalogueError) as read_whole:
        load_catalogue(data, name="old.json")
    with pytest.raises(CatalogueError) as compared:
        compare_files(data, data, names=("old.json", "new.json"))
    assert str(compared.value) == str(read_whole.value)
    assert "invalid unicode code point" in str(compared.value)


@pytest.mark.parametrize("layout", ["compact", "lined"])
def test_a_damaged_section_of_the_current_file_is_refused(layout, proof):
    """Sections the same bytes as the previous file's are not validated again; one that is not
    is, and its problem named as reading the file whole names it."""
    doc = json.loads(good(layout))
    doc["sections"][2]["headers"] = ["code"]
    if layout == "compact":
        data = json.dumps(doc, ensure_ascii=False).encode()
    else:
        data = GOOD.encode()
        start = data.index(b'"title": "' + doc["sections"][2]["title"].encode())
        at = data.index(b'"headers": [', start)
        end = data.index(b"]", at) + 1
        data = data[:at] + b'"headers": ["code"]' + data[end:]
    with pytest.raises(CatalogueError) as read_whole:
        load_catalogue(data, name="new.json")
    with pytest.raises(CatalogueError) as compared:
        compare_files(good(layout), data, names=("old.json", "new.json"))
    assert str(compared.value) == str(read_whole.value)
    assert "sections.2.headers" in str(compared.value)


def test_both_files_damaged_the_previous_ones_problem_is_named(proof):
    (old, new), message = PROBLEMS["unlisted section"]
    previous = damaged(old, new)["lined"]
    (old, new), _ = PROBLEMS["unknown schema"]  # found before the previous file's records
    current = damaged(old, new)["lined"]
    with pytest.raises(CatalogueError) as compared:
        compare_files(previous, current, names=("old.json", "new.json"))
    assert str(compared.value) == f"old.json is not a valid nim-scrape catalogue: {message}"


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="a proof is only made aside on Linux with more than one core",
)
@pytest.mark.parametrize("proof", ["aside"], indirect=True)
def test_no_child_process_outlives_the_diff_when_the_files_are_read_whole(proof):
    """Files in two layouts are read whole, without the proof's verdict: its child is still
    stopped and reaped, not left running or a zombie."""
    from nim_scrape import _aside

    changes = compare_files(good("lined"), good("compact"))
    assert not changes.has_changes
    assert len(proof) == 1
    with pytest.raises(_aside.Lost):
        proof[0].wait()  # stopped before its verdict was asked for


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="a proof is only made aside on Linux with more than one core",
)
def test_a_proof_whose_child_dies_is_made_here(monkeypatch, own_threads):
    """A child process that ends without a verdict is never read as a file that passed."""
    from nim_scrape import _aside
    from nim_scrape.changes import files

    real_start, started = _aside.start, []

    def dying(check):
        started.append(real_start(lambda: os.kill(os.getpid(), signal.SIGKILL)))
        return started[-1]

    monkeypatch.setattr(files._aside, "start", dying)
    monkeypatch.setattr(files, "_ASIDE_BYTES", 0)
    # Damage both files share is only found by the previous file's proof: the current file's
    # records written as the previous file's are not proven twice.
    (old, new), message = PROBLEMS["huge code"]
    both = damaged(old, new)["lined"]
    with pytest.raises(CatalogueError, match=f"old.json is not a valid .*: {message}"):
        compare_files(both, both, names=("old.json", "new.json"))
    assert started
    assert started[0] is not None
    assert not compare_files(GOOD.encode(), GOOD.encode()).has_changes


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="a proof is only made aside on Linux with more than one core",
)
@pytest.mark.parametrize("proof", ["aside"], indirect=True)
def test_a_previous_file_at_fault_stops_the_work_as_soon_as_its_child_finds_it(monkeypatch, proof):
    """While the child proves the previous file, this process cuts both files; once the child
    has found a fault, nothing more is done (on a large file, the rest takes seconds)."""
    from nim_scrape.changes import files

    real_split, reached = files._Cut.split, []

    def split_slower_than_the_child(cut, between):
        deadline = time.monotonic() + 10
        while cut.name == "new.json" and time.monotonic() < deadline and not proof[0].ended():
            time.sleep(0.01)  # the child is done by now, as it is on a large file
        real_split(cut, between)

    monkeypatch.setattr(files._Cut, "split", split_slower_than_the_child)
    monkeypatch.setattr(files, "_unshared", lambda *sides: reached.append(sides))
    (old, new), message = PROBLEMS["unlisted section"]
    with pytest.raises(CatalogueError) as compared:
        compare_files(damaged(old, new)["lined"], good("lined"), names=("old.json", "new.json"))
    assert str(compared.value) == f"old.json is not a valid nim-scrape catalogue: {message}"
    assert not reached, "the records were compared after the child had found the fault"


@pytest.mark.parametrize("layout", ["compact", "lined"])
@pytest.mark.parametrize("which", [0, 1])
def test_nim_scrape_diff_refuses_records_without_sections(tmp_path, layout, which):
    from .support import run

    doc = json.loads(GOOD)
    doc["sections"] = []
    bad = json.dumps(doc, ensure_ascii=False)
    if layout == "lined":
        start, end = GOOD.index('"sections": ['), GOOD.index(',\n  "records": [')
        bad = GOOD[:start] + '"sections": []' + GOOD[end:]
    files = [tmp_path / "good.json", tmp_path / "bad.json"]
    files[0].write_text(GOOD, encoding="utf-8")
    files[1].write_text(bad, encoding="utf-8")
    given = [str(files[0]), str(files[0])]
    given[which] = str(files[1])
    result = run("diff", *given)
    assert result.exit_code == 2
    assert (
        f"{files[1]} is not a valid nim-scrape catalogue: record 0 names the section "
        "'通用状态码', which is not among its sections"
    ) in result.stderr
    assert result.stdout == ""
