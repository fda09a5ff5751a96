import json

import pytest

from nim_scrape.diff import compare
from nim_scrape.parse import parse_page
from nim_scrape.report import (
    md_escape,
    render,
    render_json,
    render_markdown,
    render_text,
    summary_line,
)

from .strategies import build
from .support import CURRENT, EDITION_2024_03, EDITION_2024_08, FIXTURES

REPORTS = FIXTURES / "reports"


@pytest.fixture(scope="module")
def old_to_current():
    return compare(
        parse_page(EDITION_2024_03.read_text(encoding="utf-8")),
        parse_page(CURRENT.read_text(encoding="utf-8")),
    )


def test_text_report_between_2024_08_23_and_2024_10_31():
    changes = compare(
        parse_page(EDITION_2024_08.read_text(encoding="utf-8")),
        parse_page(CURRENT.read_text(encoding="utf-8")),
    )
    assert render_text(changes) == (
        "2 column headers renamed\n"
        "page 更新时间 2024-08-23T16:03:22+08:00 → 2024-10-31T15:38:33+08:00\n"
        "\n"
        "Column headers renamed\n"
        "  数据库错误码 (description): 详细描述。 → 说明\n"
        "  文件错误码 (description): 详细描述。 → 说明\n"
    )


def test_text_report_between_2024_03_13_and_2024_10_31(old_to_current):
    expected = (REPORTS / "2024-03-13_to_2024-10-31.txt").read_text(encoding="utf-8")
    assert render_text(old_to_current) == expected


def test_markdown_report_between_2024_03_13_and_2024_10_31(old_to_current):
    expected = (REPORTS / "2024-03-13_to_2024-10-31.md").read_text(encoding="utf-8")
    assert render_markdown(old_to_current) == expected


def test_reports_lead_with_counts_then_substance_then_cosmetic(old_to_current):
    for fmt in ("text", "markdown"):
        text = render(old_to_current, fmt)
        assert (
            "20 added, 2 changed, 248 cosmetic; 2 sections added, 22 sections renamed"
            in text.splitlines()[0]
        )
        assert text.index("101301") < text.index("Cosmetic")


def test_json_report_has_the_lists_machines_need(old_to_current):
    data = json.loads(render_json(old_to_current))
    assert set(data) >= {"added", "removed", "changed", "sections_renamed", "counts"}
    change = next(c for c in data["changed"] if not c["cosmetic"])
    assert (
        change["code"],
        change["before"]["description"][:9],
        change["after"]["description"][:9],
    ) == (
        101301,
        "IM 未开通。请至",
        "IM 未开通。请前",
    )
    assert data["sections_renamed"][0] == {
        "before": "连接错误",
        "after": "连接错误码",
        "cosmetic": False,
    }
    assert sum(c["cosmetic"] for c in data["changed"]) == 248


def test_no_changes():
    same = build([("S", [(1, "a", "b")])])
    assert render_text(compare(same, same)) == "no changes\n"
    assert summary_line(compare(same, same)) == "no changes"


def test_text_is_coloured_only_when_asked():
    changes = compare(build([("S", [(1, "a", "b")])]), build([("S", [(2, "a", "b")])]))
    assert "\x1b[" not in render_text(changes)
    assert "\x1b[32m  + S 2 a: b\x1b[0m" in render_text(changes, color=True)


def test_markdown_and_html_from_the_page_cannot_run():
    hostile = "<script>alert(1)</script> | [click](javascript:alert(1)) **bold** `code`"
    changes = compare(build([("S", [(1, "a", "b")])]), build([("S", [(1, hostile, "b")])]))
    text = render_markdown(changes)
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "[click](javascript" not in text
    assert "\\| \\[click\\]" in text
    assert md_escape("a\nb|c") == "a b\\|c"
