import json
from datetime import datetime, timedelta, timezone

import jsonschema
import pytest

from nim_scrape.changes.diff import compare
from nim_scrape.changes.report import (
    build_report,
    md_escape,
    render,
    render_first_run,
    render_json,
    render_markdown,
    render_text,
    report_schema,
    summary_line,
)
from nim_scrape.parse.tables import parse_page

from .strategies import build
from .support import CURRENT, EDITION_2024_03, EDITION_2024_08, FIXTURES

REPORTS = FIXTURES / "reports"
BEIJING = timezone(timedelta(hours=8))

# A code that repeats in one section (403, as on the page's 服务端错误码), a substantive change,
# a renamed section and a new one of one record.
BEFORE = build([("S", [(403, "a", "x"), (403, "b", "y"), (1, "m", "d")]), ("T", [(2, "t", "u")])])
AFTER = build(
    [
        ("S", [(403, "a.", "x"), (403, "b.", "y"), (1, "m", "D")]),
        ("T2", [(2, "t", "u")]),
        ("N", [(5, "n", "o")]),
    ]
)
SUMMARY = "1 added, 1 changed, 2 cosmetic; 1 section added, 1 section renamed"


@pytest.fixture(scope="module")
def current():
    return parse_page(CURRENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def old_to_current(current):
    return compare(parse_page(EDITION_2024_03.read_text(encoding="utf-8")), current)


def record(section, code, message, description):
    return {
        "section": section,
        "code": code,
        "message": message,
        "description": description,
        "section_anchor": section,
        "links": [],
        "placeholders": [],
    }


def test_text_report_between_2024_08_23_and_2024_10_31(current):
    changes = compare(parse_page(EDITION_2024_08.read_text(encoding="utf-8")), current)
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
    assert expected == render_text(old_to_current)


def test_markdown_report_between_2024_03_13_and_2024_10_31(old_to_current):
    expected = (REPORTS / "2024-03-13_to_2024-10-31.md").read_text(encoding="utf-8")
    assert expected == render_markdown(old_to_current)


def test_text_report_counts_then_changes_then_cosmetic_with_repeated_codes_named():
    assert render_text(compare(BEFORE, AFTER)) == (
        f"{SUMMARY}\n"
        "\n"
        "Sections renamed\n"
        "  T → T2\n"
        "\n"
        "Sections added\n"
        "  + N (1 record)\n"
        "\n"
        "Added\n"
        "  + N 5 n: o\n"
        "\n"
        "Changed\n"
        "  ~ S 1 m\n"
        "      description: d\n"
        "                 → D\n"
        "\n"
        "Cosmetic (whitespace or punctuation only): 2 records\n"
        "  S: 403 (a.), 403 (b.)\n"
    )


MARKDOWN_HEAD = (
    f"### NIM error codes: {SUMMARY}\n"
    "\n"
    "#### Sections\n"
    "\n"
    "- renamed: T → T2\n"
    "- added: N (1 record)\n"
    "\n"
    "#### Added\n"
    "\n"
    "| section | code | message | 说明 |\n"
    "| --- | --- | --- | --- |\n"
    "| N | 5 | n | o |\n"
    "\n"
    "#### Changed\n"
    "\n"
    "| section | code | field | before | after |\n"
    "| --- | --- | --- | --- | --- |\n"
    "| S | 1 | description | d | D |\n"
)


def test_markdown_report_folds_cosmetic_changes_under_details():
    assert render_markdown(compare(BEFORE, AFTER)) == MARKDOWN_HEAD + (
        "\n"
        "<details><summary>Cosmetic changes (whitespace or punctuation only): 2 records</summary>\n"
        "\n"
        "- S: 403 (a.), 403 (b.)\n"
        "\n"
        "</details>\n"
    )


def test_markdown_for_chat_folds_under_a_plain_heading():
    assert render_markdown(compare(BEFORE, AFTER), details=False) == MARKDOWN_HEAD + (
        "\n#### Cosmetic changes (whitespace or punctuation only): 2 records\n\n- S: 403 (a.), 403 (b.)\n"
    )


def test_a_repeated_code_in_the_changed_table_carries_its_message():
    before = build([("S", [(403, "a", "x"), (403, "b", "y")])])
    after = build([("S", [(403, "a", "x2"), (403, "b", "y2")])])
    assert render_markdown(compare(before, after)).split("#### Changed\n\n")[1] == (
        "| section | code | field | before | after |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| S | 403 (a) | description | x | x2 |\n"
        "| S | 403 (b) | description | y | y2 |\n"
    )


def test_counts_are_singular_for_one():
    before = build([("S", [(1, "a", "b")]), ("H", [(2, "c", "d")])])
    after = build([("S", [(1, "a", "b.")]), ("H2", [(2, "c", "d")]), ("N", [(3, "e", "f")])])
    assert summary_line(compare(before, after)) == (
        "1 added, 1 cosmetic; 1 section added, 1 section renamed"
    )


def test_no_changes():
    same = build([("S", [(1, "a", "b")])])
    assert (render_text(compare(same, same)), render_markdown(compare(same, same))) == (
        "no changes\n",
        "### NIM error codes: no changes\n",
    )


def test_text_is_coloured_only_when_asked():
    changes = compare(build([("S", [(1, "a", "b")])]), build([("S", [(2, "a", "b")])]))
    assert (render_text(changes), render_text(changes, color=True)) == (
        "1 added, 1 removed\n\nAdded\n  + S 2 a: b\n\nRemoved\n  - S 1 a: b\n",
        "\x1b[1m1 added, 1 removed\x1b[0m\n"
        "\n\x1b[1mAdded\x1b[0m\n\x1b[32m  + S 2 a: b\x1b[0m\n"
        "\n\x1b[1mRemoved\x1b[0m\n\x1b[31m  - S 1 a: b\x1b[0m\n",
    )


def test_markdown_and_html_from_the_page_cannot_run():
    hostile = "<script>alert(1)</script> | [click](javascript:alert(1)) **bold** `code`"
    changes = compare(build([("S", [(1, "a", "b")])]), build([("S", [(1, hostile, "b")])]))
    assert render_markdown(changes).splitlines()[-1] == (
        "| S | 1 | message | a | &lt;script&gt;alert(1)&lt;/script&gt; \\| "
        "\\[click\\](javascript:alert(1)) \\*\\*bold\\*\\* \\`code\\` |"
    )
    assert md_escape("a\nb|c") == "a b\\|c"


def test_an_added_block_comes_before_the_cosmetic_fold_in_every_format():
    report = build_report(compare(BEFORE, AFTER)).with_block(
        "SDK audit: new findings", ["403 <b>x</b>"], key="audit"
    )
    assert render_text(report).split("Changed\n")[1] == (
        "  ~ S 1 m\n"
        "      description: d\n"
        "                 → D\n"
        "\n"
        "SDK audit: new findings\n"
        "  403 <b>x</b>\n"
        "\n"
        "Cosmetic (whitespace or punctuation only): 2 records\n"
        "  S: 403 (a.), 403 (b.)\n"
    )
    assert render_markdown(report, details=False).split("| S | 1 | description | d | D |\n")[1] == (
        "\n"
        "#### SDK audit: new findings\n"
        "\n"
        "- 403 &lt;b&gt;x&lt;/b&gt;\n"
        "\n"
        "#### Cosmetic changes (whitespace or punctuation only): 2 records\n"
        "\n"
        "- S: 403 (a.), 403 (b.)\n"
    )
    assert json.loads(render_json(report))["extra"] == [
        {"key": "audit", "title": "SDK audit: new findings", "lines": ["403 <b>x</b>"]}
    ]


def test_json_report_lists_substantive_and_cosmetic_changes_apart():
    before = build([("S", [(1, "a", "b"), (2, "c", "d")])])
    after = build([("S", [(1, "a", "b."), (2, "c", "e")])])
    counts = dict.fromkeys(
        [
            "added",
            "removed",
            "changed",
            "moved",
            "cosmetic",
            "sections_added",
            "sections_removed",
            "sections_renamed",
            "headers_renamed",
            "columns_added",
            "columns_removed",
        ],
        0,
    )
    expected = {
        "created": False,
        "counts": {**counts, "changed": 1, "cosmetic": 1},
        "updated_before": None,
        "updated_after": None,
        "added": [],
        "removed": [],
        "changed": [
            {
                "section": "S",
                "code": 2,
                "fields": ["description"],
                "cosmetic": False,
                "before": record("S", 2, "c", "d"),
                "after": record("S", 2, "c", "e"),
            }
        ],
        "moved": [],
        "cosmetic": [
            {
                "section": "S",
                "code": 1,
                "fields": ["description"],
                "cosmetic": True,
                "before": record("S", 1, "a", "b"),
                "after": record("S", 1, "a", "b."),
            }
        ],
        "sections_added": [],
        "sections_removed": [],
        "sections_renamed": [],
        "headers_renamed": [],
        "columns_added": [],
        "columns_removed": [],
        "extra": [],
    }
    assert json.dumps(expected, indent=2) + "\n" == render_json(compare(before, after))


def test_json_counts_are_the_lengths_of_the_lists(old_to_current):
    data = json.loads(render(old_to_current, "json"))
    expected = {
        "added": 20,
        "removed": 0,
        "changed": 2,
        "moved": 0,
        "cosmetic": 248,
        "sections_added": 2,
        "sections_removed": 0,
        "sections_renamed": 22,
        "headers_renamed": 2,
        "columns_added": 0,
        "columns_removed": 0,
    }
    assert expected == data["counts"]
    assert data["counts"] == {key: len(data[key]) for key in data["counts"]}
    assert ({False}, {True}) == (
        {c["cosmetic"] for c in data["changed"]},
        {c["cosmetic"] for c in data["cosmetic"]},
    )


def test_first_run_is_a_report_that_adds_every_record():
    catalogue = build([("S", [(1, "a", "b")])]).model_copy(
        update={"updated_at": datetime(2024, 10, 31, 15, 38, 33, tzinfo=BEIJING)}
    )
    report = build_report(None, catalogue)
    assert (render_text(report), render_first_run(catalogue, "markdown")) == (
        "new catalogue: 1 record in 1 section\n",
        "### NIM error codes: new catalogue: 1 record in 1 section\n",
    )
    data = json.loads(render_json(report))
    assert (
        True,
        None,
        "2024-10-31T15:38:33+08:00",
        [record("S", 1, "a", "b")],
        [catalogue.sections[0].model_dump(mode="json")],
        (1, 1),
    ) == (
        data["created"],
        data["updated_before"],
        data["updated_after"],
        data["added"],
        data["sections_added"],
        (data["counts"]["added"], data["counts"]["sections_added"]),
    )


def test_every_json_report_validates_against_the_published_schema(current, old_to_current):
    schema = json.loads(report_schema())
    reports = {
        "first run": build_report(None, current),
        "no change": build_report(compare(current, current)),
        "2024-03-13 to 2024-10-31": build_report(old_to_current).with_block(
            "extra", ["line"], key="extra"
        ),
    }
    errors = {
        name: [
            e.message
            for e in jsonschema.Draft202012Validator(schema).iter_errors(
                json.loads(render_json(report))
            )
        ]
        for name, report in reports.items()
    }
    no_errors: dict[str, list[str]] = {name: [] for name in reports}
    assert no_errors == errors


def test_schema_names_the_report_and_forbids_unknown_keys():
    schema = json.loads(report_schema())
    assert (
        schema["title"],
        schema["additionalProperties"],
        schema["required"][:2],
        schema["$id"],
    ) == (
        "Report",
        False,
        ["created", "counts"],
        "https://github.com/nim-scrape/nim-scrape/output/report.schema.json",
    )


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown report format 'html'"):
        render(compare(BEFORE, BEFORE), "html")
