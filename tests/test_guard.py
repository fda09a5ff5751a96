import pytest
from click.testing import CliRunner

from nim_scrape.cli import cli
from nim_scrape.diff import compare
from nim_scrape.errors import GuardRefused
from nim_scrape.guard import Thresholds, check
from nim_scrape.parse import parse_page

from .strategies import build
from .support import CURRENT, EDITION_2024_03

PREVIOUS = build([(f"S{i}", [(i * 10 + j, f"m{j}", "d") for j in range(5)]) for i in range(10)])


def without(sections: set[int], rows_per_section: int = 5):
    return build(
        [
            (f"S{i}", [(i * 10 + j, f"m{j}", "d") for j in range(rows_per_section)])
            for i in range(10)
            if i not in sections
        ]
    )


def test_a_page_that_lost_whole_sections_is_refused():
    with pytest.raises(
        GuardRefused,
        match=r"refusing to replace the catalogue: 3 of 10 sections gone \(S0, S1, S2\)",
    ):
        check(PREVIOUS, compare(PREVIOUS, without({0, 1, 2})))


def test_a_page_that_lost_a_large_share_of_records_is_refused():
    with pytest.raises(GuardRefused, match=r"20 of 50 records gone \(40%, more than 20%\)"):
        check(PREVIOUS, compare(PREVIOUS, without(set(), rows_per_section=3)))


def test_a_page_a_fraction_of_its_usual_size_is_refused():
    with pytest.raises(GuardRefused, match=r"the page is 1,000 bytes, 10% of the 10,000 it was"):
        check(PREVIOUS, compare(PREVIOUS, PREVIOUS), size_before=10_000, size_after=1_000)


def test_small_losses_and_renames_pass():
    check(PREVIOUS, compare(PREVIOUS, without({9})))
    renamed = build([(f"T{i}", [(i * 10 + j, f"m{j}", "d") for j in range(5)]) for i in range(10)])
    check(PREVIOUS, compare(PREVIOUS, renamed))


def test_the_2024_editions_pass_the_guard_both_ways():
    old = parse_page(EDITION_2024_03.read_text(encoding="utf-8"))
    new = parse_page(CURRENT.read_text(encoding="utf-8"))
    check(old, compare(old, new))
    check(new, compare(new, old))  # 2 sections and 20 records back out: within the defaults


def test_thresholds_can_be_set():
    check(
        PREVIOUS,
        compare(PREVIOUS, without({0, 1, 2})),
        thresholds=Thresholds(max_sections_removed=5, max_records_removed_share=0.5),
    )
    with pytest.raises(GuardRefused):
        check(
            PREVIOUS, compare(PREVIOUS, without({0})), thresholds=Thresholds(max_sections_removed=0)
        )


def test_refresh_refuses_with_exit_5_and_force_overrides(tmp_path):
    runner = CliRunner()
    out = str(tmp_path)
    assert runner.invoke(cli, ["refresh", "--source", str(CURRENT), "--out", out]).exit_code == 0
    half = tmp_path / "half.html"
    text = CURRENT.read_text(encoding="utf-8")
    half.write_text(
        text[: text.index('<h2 id="消息错误码"')] + "</article></body></html>", encoding="utf-8"
    )
    before = (tmp_path / "nim_error_codes.json").read_bytes()

    refused = runner.invoke(cli, ["refresh", "--source", str(half), "--out", out])
    assert refused.exit_code == 5
    assert refused.stderr == (
        "Error: refusing to replace the catalogue: 11 of 26 sections gone (消息错误码, 群定向消息错误码, 群组错误码, 群成员错误码, …); "
        "170 of 274 records gone (62%, more than 20%) (if the page really changed this much, rerun with --force)\n"
    )
    assert (tmp_path / "nim_error_codes.json").read_bytes() == before

    lenient = runner.invoke(
        cli,
        [
            "refresh",
            "--source",
            str(half),
            "--out",
            out,
            "--max-sections-removed",
            "20",
            "--max-removed-share",
            "0.9",
            "--min-size-ratio",
            "0.1",
        ],
    )
    assert lenient.exit_code == 0
    forced = runner.invoke(cli, ["refresh", "--source", str(CURRENT), "--out", out, "--force"])
    assert forced.exit_code == 0
    assert (tmp_path / "nim_error_codes.json").read_bytes() == before


def test_a_page_much_smaller_than_last_time_from_the_same_source_is_refused(tmp_path):
    runner = CliRunner()
    page = tmp_path / "page.html"
    page.write_bytes(CURRENT.read_bytes())
    out = str(tmp_path / "out")
    assert runner.invoke(cli, ["refresh", "--source", str(page), "--out", out]).exit_code == 0
    # The same rows without the site's chrome: nothing lost but bytes, which is suspicious too.
    text = CURRENT.read_text(encoding="utf-8")
    page.write_text(text[text.index("<article") : text.index("</article>")], encoding="utf-8")
    refused = runner.invoke(
        cli, ["refresh", "--source", str(page), "--out", out, "--min-size-ratio", "0.95"]
    )
    assert refused.exit_code == 5
    assert refused.stderr.startswith("Error: refusing to replace the catalogue: the page is 38,")
    assert "of the 41,946 it was" in refused.stderr
