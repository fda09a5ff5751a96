"""The SDK audit's reports: text for a terminal, Markdown for CI and chat, JSON for machines,
and the short report of what is new since the last audit, on the SDK fixtures."""

import json
import re

import pytest

from nim_scrape.audit.check import audit, compare_audits
from nim_scrape.audit.findings import FINDING_KINDS
from nim_scrape.audit.report import (
    render,
    render_changes,
    render_json,
    render_markdown,
    render_text,
    summary_line,
)
from nim_scrape.audit.sdk import read_sdk
from nim_scrape.catalogue.models import Catalogue, Record

from .sdk_support import NODE_NIM, PAGE_URL, WEB_SDK, small_catalogue, url

NN, WEB = "node-nim@10.9.80", "nim-web-sdk-ng@10.8.1"
ALL_ZERO = (
    "0 documented but not in the SDK, 0 in the SDK but not documented, 0 meaning differs, "
    "0 conflicting on the page, 0 declared twice in an SDK"
)


@pytest.fixture(scope="module")
def sdks():
    return [read_sdk(str(NODE_NIM)), read_sdk(str(WEB_SDK))]


@pytest.fixture(scope="module")
def first(sdks):
    return audit(small_catalogue(), sdks)


def page_changed() -> Catalogue:
    """The small page a month later: 400 is gone, 555555 is new in 全局错误码."""
    page = small_catalogue()
    records = [r for r in page.records if r.code != 400]
    records.append(
        Record(
            section="全局错误码",
            code=555555,
            message="new code",
            description="新的错误码。",
            section_anchor="全局错误码",
        )
    )
    return Catalogue.build(sections=page.sections, records=tuple(records), page_url=PAGE_URL)


def cells(row: str) -> list[str]:
    """The cells of a Markdown table row, split only where a pipe is not escaped."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]


# -- one function, three formats -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "renderer"),
    [("text", render_text), ("markdown", render_markdown), ("json", render_json)],
)
def test_render_gives_each_format_by_its_name(first, fmt, renderer):
    assert render(first, fmt) == renderer(first)


@pytest.mark.parametrize("fmt", ["md", "Markdown", "html", ""])
def test_an_unknown_format_is_refused_not_taken_for_text(first, fmt):
    with pytest.raises(ValueError, match=f"unknown audit format {fmt!r}: text, markdown or json"):
        render(first, fmt)


def test_the_three_formats_differ(first):
    assert len({render(first, fmt) for fmt in ("text", "markdown", "json")}) == 3


# -- the summary line ----------------------------------------------------------------------------


def test_summary_line_names_every_kind_in_a_fixed_order():
    assert summary_line({"sdk_conflicts": 2, "documented_not_in_sdk": 28}) == (
        "28 documented but not in the SDK, 0 in the SDK but not documented, 0 meaning differs, "
        "0 conflicting on the page, 2 declared twice in an SDK"
    )


def test_summary_line_of_nothing_found_is_all_zeros():
    assert summary_line({}) == ALL_ZERO


def test_the_text_report_opens_with_the_summary_of_the_counts(first):
    assert render_text(first).splitlines()[0] == f"SDK audit: {summary_line(first.counts)}"
    assert summary_line(first.counts).startswith("6 documented but not in the SDK, 5 in the SDK")


# -- text ----------------------------------------------------------------------------------------


def test_the_text_report_groups_findings_by_sdk_and_section_with_the_section_link(first):
    lines = render_text(first).splitlines()
    start = lines.index("One code under two names in one SDK (1)")
    assert lines[start : start + 3] == [
        "One code under two names in one SDK (1)",
        f"  {WEB}, (no section of the page)",
        "    191001 V2NIM_ERROR_CODE_MISUSE (misuse), V2NIM_ERROR_CODE_LEGACY_MISUSE (misuse)",
    ]
    assert f"  {NN}, 通用错误码 <{url('通用错误码')}>" in lines
    assert (
        "    191002 V2NIM_ERROR_CODE_CANCELLED: SDK 'operation cancelled', page cancelled (通用错误码)"
        in lines
    )


# -- Markdown ------------------------------------------------------------------------------------


def test_the_markdown_report_has_a_count_table_per_sdk_and_in_all(first):
    lines = render_markdown(first).splitlines()
    assert lines[0] == "### NIM error codes against the SDKs"
    head = lines.index(
        "| SDK | documented but not in the SDK | in the SDK but not documented | meaning differs "
        "| conflicting on the page | declared twice in an SDK |"
    )
    assert lines[head + 2 : head + 5] == [
        f"| {NN} | 3 | 2 | 1 | 0 | 0 |",
        f"| {WEB} | 3 | 3 | 2 | 0 | 1 |",
        "| all | 6 | 5 | 3 | 2 | 1 |",
    ]
    assert f"#### {'Documented, not in the SDK'} (6)" in lines


def test_the_markdown_report_escapes_what_an_sdk_says(tmp_path):
    hostile = tmp_path / "hostile.js"
    hostile.write_text(
        "var m={"
        'V2NIM_ERROR_CODE_CANCELLED:{code:191002,message:"<script>alert(1)</script> a | b *c*"},'
        'V2NIM_ERROR_CODE_X_Y:{code:999999,message:"<b>bold</b> | **loud** `tick`"}'
        "};",
        encoding="utf-8",
    )
    md = render_markdown(audit(small_catalogue(), [read_sdk(str(hostile))]))
    assert "<script>" not in md
    assert "<b>" not in md
    assert (
        "| 999999 | `V2NIM\\_ERROR\\_CODE\\_X\\_Y` | &lt;b&gt;bold&lt;/b&gt; \\| \\*\\*loud\\*\\* \\`tick\\` |  |"
        in md
    )
    assert (
        "| 191002 | `V2NIM\\_ERROR\\_CODE\\_CANCELLED` | "
        "&lt;script&gt;alert(1)&lt;/script&gt; a \\| b \\*c\\* | cancelled (通用错误码) |"
    ) in md
    # every row of every table keeps as many cells as its header
    table: list[str] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        assert len({len(cells(row)) for row in table}) <= 1, table
        table = []


def test_the_markdown_report_escapes_the_page_text_too(sdks):
    page = small_catalogue()
    records = tuple(
        r.model_copy(update={"message": "a | b <i>c</i> *d*"}) if r.code == 400 else r
        for r in page.records
    )
    catalogue = Catalogue.build(sections=page.sections, records=records, page_url=PAGE_URL)
    md = render_markdown(audit(catalogue, sdks))
    assert "| 400 | a \\| b &lt;i&gt;c&lt;/i&gt; \\*d\\* |  |  |" in md
    assert "<i>" not in md


def test_a_title_given_by_the_caller_is_escaped(first):
    assert render_markdown(first, title="*SDKs* <today>").splitlines()[0] == (
        "### \\*SDKs\\* &lt;today&gt;"
    )


# -- JSON ----------------------------------------------------------------------------------------


def test_the_json_report_parses_and_its_counts_are_the_lengths_of_its_lists(first):
    data = json.loads(render(first, "json"))
    assert data["counts"] == {kind: len(data[kind]) for kind in FINDING_KINDS}
    assert data["counts"] == first.counts
    assert [s["label"] for s in data["sdks"]] == [NN, WEB]
    assert render(first, "json").endswith("}\n")


# -- what is new since the last audit ------------------------------------------------------------


def test_the_first_audit_reports_every_finding_as_new(first):
    changes = compare_audits(None, first)
    text = render_changes(changes, "text")
    assert text.splitlines()[0] == (
        f"SDK audit, new since the last one: {summary_line(first.counts)}"
    )
    assert "earlier findings resolved" not in text
    data = json.loads(render_changes(changes, "json"))
    assert data["counts"] == first.counts
    assert data["resolved"] == 0


def test_the_same_audit_again_reports_nothing(first, sdks):
    again = audit(small_catalogue(), sdks)
    for fmt in ("text", "markdown", "json"):
        assert render_changes(compare_audits(first, again), fmt) == ""


def test_a_later_audit_lists_only_what_is_new_and_counts_what_is_gone(first, sdks):
    changes = compare_audits(first, audit(page_changed(), sdks))
    assert render_changes(changes, "text") == (
        "SDK audit, new since the last one: 2 documented but not in the SDK, 0 in the SDK but "
        "not documented, 0 meaning differs, 0 conflicting on the page, 0 declared twice in an SDK\n"
        "2 earlier findings resolved\n"
        "\n"
        "Documented, not in the SDK (2)\n"
        f"  {NN}, 全局错误码 <{url('全局错误码')}>\n"
        "    555555 new code\n"
        f"  {WEB}, 全局错误码 <{url('全局错误码')}>\n"
        "    555555 new code\n"
    )


def test_the_markdown_of_a_later_audit_heads_each_sdk_and_section(first, sdks):
    md = render_changes(compare_audits(first, audit(page_changed(), sdks)))
    assert md.splitlines()[:5] == [
        "### SDK audit, new since the last one: 2 documented but not in the SDK, 0 in the SDK "
        "but not documented, 0 meaning differs, 0 conflicting on the page, 0 declared twice in "
        "an SDK",
        "",
        "2 earlier findings resolved",
        "",
        "#### Documented, not in the SDK (2)",
    ]
    assert md.count("| 555555 | new code |  |  |") == 2
    assert f"##### {NN}" in md
    assert f"**[全局错误码](<{url('全局错误码')}>)**" in md


def test_the_json_of_a_later_audit_counts_its_lists(first, sdks):
    data = json.loads(render_changes(compare_audits(first, audit(page_changed(), sdks)), "json"))
    assert data["counts"] == {kind: len(data[kind]) for kind in FINDING_KINDS}
    assert data["resolved"] == 2
    assert [(f["sdk"], f["code"]) for f in data["documented_not_in_sdk"]] == [
        (NN, 555555),
        (WEB, 555555),
    ]
