"""The benchmark runs end to end at the real page's size. Its numbers are reported, never
asserted here (#6): this only checks that every measurement and the table come out."""

from pathlib import Path

import pytest

from .support import load_module

pytest.importorskip("pandas", reason="the benchmark extra: pip install -e '.[bench]'")

BENCH = Path(__file__).parents[1] / "benchmarks" / "bench.py"


def test_the_benchmark_prints_and_writes_its_table(tmp_path, capsys):
    bench = load_module("bench", BENCH)
    assert bench.main(["--scales", "1", "--repeat", "1", "--out", str(tmp_path)]) == 0
    table = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert table in capsys.readouterr().out
    for what in (
        "nim-scrape parse (process)",
        "pandas.read_html script (process)",
        "nim-scrape refresh, replayed (process)",
        "nim-scrape diff (process)",
        "csv-diff (process)",
        "compare_files, from the files (in-process)",
    ):
        assert f"| {what} | x1 |" in table
    assert "| parse x1, process: at most 0.75x pandas |" in table
    assert (tmp_path / "results.json").exists()
