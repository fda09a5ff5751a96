"""The plausibility guard refuses pages that look broken rather than changed, and only a human's
override (``--force``) writes them (#4, #9). Every refusal leaves the catalogue's bytes as they
were; every forced run really writes the page it was given."""

import json
import math
import re

import pytest

from nim_scrape.changes.diff import compare
from nim_scrape.changes.guard import Thresholds, check
from nim_scrape.errors import GuardRefused
from nim_scrape.parse.tables import parse_page
from nim_scrape.pipeline import RefreshOptions, refresh

from .strategies import build
from .support import CURRENT, EDITION_2024_03, run

PREVIOUS = build([(f"S{i}", [(i * 10 + j, f"m{j}", "d") for j in range(5)]) for i in range(10)])
LOOK = "a human should look at the page, and override when sure"
CLI_HINT = "(override after checking the page: rerun with --force)"


def without(sections: set[int], rows_per_section: int = 5):
    return build(
        [
            (f"S{i}", [(i * 10 + j, f"m{j}", "d") for j in range(rows_per_section)])
            for i in range(10)
            if i not in sections
        ]
    )


def blanked(count: int, *, message: str = "m{j}", description: str = "d"):
    """PREVIOUS with the first ``count`` records' wording replaced."""
    n = 0
    layout = []
    for i in range(10):
        rows = []
        for j in range(5):
            hit = n < count
            n += 1
            rows.append(
                (
                    i * 10 + j,
                    message.format(j=j) if hit else f"m{j}",
                    description if hit else "d",
                )
            )
        layout.append((f"S{i}", rows))
    return build(layout)


# -- losses --------------------------------------------------------------------------------------


def test_a_page_that_lost_whole_sections_is_refused():
    with pytest.raises(GuardRefused) as info:
        check(PREVIOUS, compare(PREVIOUS, without({0, 1, 2})))
    assert info.value.message == (
        "refusing to replace the catalogue: 3 of 10 sections gone (S0, S1, S2); "
        f"15 of 50 records gone (30%, more than 20%); {LOOK}"
    )
    assert info.value.hint == "override after checking the page"


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


# -- content: blanked wording, placeholders ----------------------------------------------------


@pytest.mark.parametrize(
    "placeholder", ["", " ", "TODO", "todo", "TBD", "待补充", "暂无", "-", "—", "N/A", "n/a"]
)
def test_descriptions_replaced_by_a_placeholder_are_refused(placeholder):
    with pytest.raises(GuardRefused) as info:
        check(PREVIOUS, compare(PREVIOUS, blanked(6, description=placeholder)))
    shown = f"description {placeholder!r}" if placeholder.strip() else "description blank"
    assert info.value.message == (
        "refusing to replace the catalogue: 6 of 50 records lost their wording (12%, more than "
        "10%): 6 descriptions blank or a placeholder, e.g. "
        f"0 in S0 ({shown}), 1 in S0 ({shown}), 2 in S0 ({shown}), 3 in S0 ({shown}), "
        f"4 in S0 ({shown}), …; {LOOK}"
    )


def test_messages_replaced_by_todo_are_refused():
    with pytest.raises(GuardRefused, match=r"6 of 50 records lost their wording \(12%.*6 messages"):
        check(PREVIOUS, compare(PREVIOUS, blanked(6, message="TODO")))


@pytest.mark.parametrize(
    "wording",
    ["TODO: check", "N/A here", "-1", "待补充说明以后", "d2"],
    ids=["todo inside", "n/a inside", "minus one", "longer", "plain"],
)
def test_wording_that_only_contains_a_placeholder_word_is_a_change_not_a_loss(wording):
    check(PREVIOUS, compare(PREVIOUS, blanked(50, description=wording)))


def test_up_to_the_blanked_share_passes_and_the_share_can_be_set():
    check(PREVIOUS, compare(PREVIOUS, blanked(5, description="")))  # 10%: not more than 10%
    check(
        PREVIOUS,
        compare(PREVIOUS, blanked(50, description="")),
        thresholds=Thresholds(max_blanked_share=1.0),
    )


def test_wording_that_was_already_a_placeholder_is_not_lost_again():
    todo = blanked(50, description="TODO")
    check(todo, compare(todo, blanked(50, description="")))


# -- content: an older edition -------------------------------------------------------------------


def test_an_older_edition_is_refused_and_the_same_content_undated_passes():
    old = parse_page(EDITION_2024_03.read_text(encoding="utf-8"))
    new = parse_page(CURRENT.read_text(encoding="utf-8"))
    check(old, compare(old, new))
    with pytest.raises(GuardRefused) as info:
        check(new, compare(new, old))
    assert info.value.message == (
        "refusing to replace the catalogue: the page's 更新时间 2024-03-13T14:40:07+08:00 is "
        "older than the catalogue's 2024-10-31T15:38:33+08:00 (a stale mirror or cache?); "
        f"{LOOK}"
    )
    # 2 sections and 20 records back out are within the defaults; only the date was refused.
    check(new, compare(new, old.model_copy(update={"updated_at": None})))


# -- thresholds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(
    "name", ["max_records_removed_share", "min_size_ratio", "max_blanked_share"]
)
def test_thresholds_refuse_values_that_are_not_finite(name, value):
    with pytest.raises(ValueError, match=rf"^{name} must be a finite number, not {value}$"):
        Thresholds(**{name: value})


@pytest.mark.parametrize(
    ("name", "value", "bounds"),
    [
        ("max_sections_removed", -1, "at least 0"),
        ("max_blanked_share", 1.5, "between 0 and 1"),
        ("min_size_ratio", -0.1, "between 0 and 1"),
    ],
)
def test_thresholds_refuse_values_out_of_range(name, value, bounds):
    with pytest.raises(ValueError, match=rf"^{name} must be {bounds}, not {value}$"):
        Thresholds(**{name: value})


# -- the whole job: refused with exit 5, the catalogue untouched; --force writes ------------------

ROW = re.compile(r"(<tr><td>\d+</td><td>)(.*?)(</td><td>)(.*?)(</td></tr>)")
TEXT = CURRENT.read_text(encoding="utf-8")


def every_description_blank() -> str:
    page, count = ROW.subn(r"\1\2\3\5", TEXT)
    assert count == 274
    return page


def every_message_todo() -> str:
    page, count = ROW.subn(r"\1TODO\3\4\5", TEXT)
    assert count == 274
    return page


def an_older_edition() -> str:
    assert TEXT.count("2024/10/31 15:38:33") == 1
    return TEXT.replace("2024/10/31 15:38:33", "2024/09/30 10:00:00")


BLANK_EXAMPLES = (
    "0 in 通用状态码 (description blank), 200 in 通用状态码 (description blank), "
    "190001 in 通用错误码 (description blank), 190002 in 通用错误码 (description blank), "
    "191001 in 通用错误码 (description blank), …"
)
TODO_EXAMPLES = (
    "0 in 通用状态码 (message 'TODO'), 200 in 通用状态码 (message 'TODO'), "
    "190001 in 通用错误码 (message 'TODO'), 190002 in 通用错误码 (message 'TODO'), "
    "191001 in 通用错误码 (message 'TODO'), …"
)


@pytest.mark.parametrize(
    ("page", "problem", "check_written"),
    [
        (
            every_description_blank,
            "274 of 274 records lost their wording (100%, more than 10%): 274 descriptions "
            f"blank or a placeholder, e.g. {BLANK_EXAMPLES}",
            lambda data: {r["description"] for r in data["records"]} == {""},
        ),
        (
            every_message_todo,
            "274 of 274 records lost their wording (100%, more than 10%): 274 messages blank "
            f"or a placeholder, e.g. {TODO_EXAMPLES}",
            lambda data: {r["message"] for r in data["records"]} == {"TODO"},
        ),
        (
            an_older_edition,
            "the page's 更新时间 2024-09-30T10:00:00+08:00 is older than the catalogue's "
            "2024-10-31T15:38:33+08:00 (a stale mirror or cache?)",
            lambda data: data["updated_at"] == "2024-09-30T10:00:00+08:00",
        ),
    ],
    ids=["descriptions blank", "messages TODO", "older edition"],
)
def test_a_broken_page_is_refused_with_exit_5_and_force_writes_it(
    tmp_path, page, problem, check_written
):
    out = tmp_path / "out"
    assert run("refresh", "--source", str(CURRENT), "--out", str(out)).exit_code == 0
    catalogue = out / "nim_error_codes.json"
    before = catalogue.read_bytes()
    broken = tmp_path / "broken.html"
    broken.write_text(page(), encoding="utf-8")

    refused = run("refresh", "--source", str(broken), "--out", str(out))
    assert (refused.exit_code, refused.stdout) == (5, "")
    assert refused.stderr == (
        f"Error: refusing to replace the catalogue: {problem}; {LOOK} {CLI_HINT}\n"
    )
    assert catalogue.read_bytes() == before

    result = refresh(RefreshOptions(source=str(broken), out=out, force=True))
    assert result.written
    assert check_written(json.loads(catalogue.read_text(encoding="utf-8")))


def half_page(tmp_path):
    half = tmp_path / "half.html"
    half.write_text(
        TEXT[: TEXT.index('<h2 id="消息错误码"')] + "</article></body></html>", encoding="utf-8"
    )
    return half


def test_refresh_refuses_with_exit_5_and_force_overrides(tmp_path):
    out = str(tmp_path / "out")
    assert run("refresh", "--source", str(CURRENT), "--out", out).exit_code == 0
    catalogue = tmp_path / "out" / "nim_error_codes.json"
    before = catalogue.read_bytes()
    half = str(half_page(tmp_path))

    refused = run("refresh", "--source", half, "--out", out)
    assert refused.exit_code == 5
    assert refused.stderr == (
        "Error: refusing to replace the catalogue: 11 of 26 sections gone (消息错误码, 群定向消息错误码, 群组错误码, 群成员错误码, …); "
        f"170 of 274 records gone (62%, more than 20%); {LOOK} {CLI_HINT}\n"
    )
    assert catalogue.read_bytes() == before

    forced = run("refresh", "--source", half, "--out", out, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert len(json.loads(catalogue.read_text(encoding="utf-8"))["records"]) == 104


def test_thresholds_given_on_the_command_line_let_a_page_through(tmp_path):
    out = str(tmp_path / "out")
    assert run("refresh", "--source", str(CURRENT), "--out", out).exit_code == 0
    options = ["--max-sections-removed", "20", "--max-removed-share", "0.9"]
    options += ["--min-size-ratio", "0.1"]
    lenient = run("refresh", "--source", str(half_page(tmp_path)), "--out", out, *options)
    assert lenient.exit_code == 0, lenient.stderr
    catalogue = tmp_path / "out" / "nim_error_codes.json"
    assert len(json.loads(catalogue.read_text(encoding="utf-8"))["records"]) == 104


def test_a_page_much_smaller_than_last_time_from_the_same_source_is_refused(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(CURRENT.read_bytes())
    out = str(tmp_path / "out")
    assert run("refresh", "--source", str(page), "--out", out).exit_code == 0
    # The same rows without the site's chrome: nothing lost but bytes, which is suspicious too.
    page.write_text(TEXT[TEXT.index("<article") : TEXT.index("</article>")], encoding="utf-8")
    refused = run("refresh", "--source", str(page), "--out", out, "--min-size-ratio", "0.95")
    assert refused.exit_code == 5
    assert refused.stderr.startswith("Error: refusing to replace the catalogue: the page is 38,")
    assert f"of the {CURRENT.stat().st_size:,} it was" in refused.stderr
