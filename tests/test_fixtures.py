"""The committed fixtures are exactly what ``build_fixtures.py`` writes from the published rows,
and every cassette says what it is: a reconstruction (pinned to the script) or a recording."""

from pathlib import Path

import pytest
from vcr.cassette import Cassette

from .support import FIXTURES, load_module

CASSETTES = sorted((FIXTURES / "cassettes").glob("*.yaml"))
NOTE = b"# RECONSTRUCTION, not a recording:"


def build(tmp_path: Path, monkeypatch) -> list[Path]:
    """Run the script into ``tmp_path``; the files it wrote, relative to it."""
    module = load_module("build_fixtures", FIXTURES / "build_fixtures.py")
    (tmp_path / "variants").mkdir()
    (tmp_path / "cassettes").mkdir()
    (tmp_path / "nim-error-codes-2024-10-31.tsv").write_bytes(
        (FIXTURES / "nim-error-codes-2024-10-31.tsv").read_bytes()
    )
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    return sorted(
        p.relative_to(tmp_path) for p in tmp_path.rglob("*.*") if p.suffix in (".html", ".yaml")
    )


def test_committed_fixtures_match_their_generator(tmp_path, monkeypatch):
    built = build(tmp_path, monkeypatch)
    assert built
    for name in built:
        committed = (FIXTURES / name).read_bytes()
        if name.suffix == ".yaml" and not committed.startswith(NOTE):
            continue  # re-recorded from the live page (README.md): a recording, not pinned
        assert (tmp_path / name).read_bytes() == committed, name


def test_every_reconstructed_cassette_says_so_at_the_top(tmp_path, monkeypatch):
    cassettes = [n for n in build(tmp_path, monkeypatch) if n.suffix == ".yaml"]
    assert cassettes
    for name in cassettes:
        assert (tmp_path / name).read_bytes().startswith(NOTE), name


@pytest.mark.parametrize("path", CASSETTES, ids=[p.name for p in CASSETTES])
def test_vcrpy_reads_every_cassette_with_its_note(path):
    cassette = Cassette.load(path=str(path))
    assert len(cassette) >= 1
    assert all(r.uri.startswith("https://doc.yunxin.163.com/") for r in cassette.requests)
    assert cassette.responses[0]["status"]["code"] == 200
