"""The committed fixtures are exactly what ``build_fixtures.py`` writes from the published rows."""

from .support import FIXTURES, load_module


def test_committed_fixtures_match_their_generator(tmp_path, monkeypatch):
    module = load_module("build_fixtures", FIXTURES / "build_fixtures.py")
    (tmp_path / "variants").mkdir()
    (tmp_path / "cassettes").mkdir()
    (tmp_path / "nim-error-codes-2024-10-31.tsv").write_bytes(
        (FIXTURES / "nim-error-codes-2024-10-31.tsv").read_bytes()
    )
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    built = sorted(
        p.relative_to(tmp_path) for p in tmp_path.rglob("*.*") if p.suffix in (".html", ".yaml")
    )
    assert built
    for name in built:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), name
