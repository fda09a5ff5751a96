"""The committed fixtures are exactly what ``build_fixtures.py`` writes from the published rows."""

import importlib.util
import sys

from .support import FIXTURES


def test_committed_fixtures_match_their_generator(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("build_fixtures", FIXTURES / "build_fixtures.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "build_fixtures", module)  # dataclasses look it up
    spec.loader.exec_module(module)
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
