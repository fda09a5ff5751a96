from datetime import datetime, timedelta, timezone

import pytest

from nim_scrape.about import DEFAULT_PAGE_URL
from nim_scrape.catalogue.models import Link
from nim_scrape.errors import PageError, ParseError
from nim_scrape.fetch.http import read_source
from nim_scrape.parse.tables import parse_page, parse_updated_at

from .support import CURRENT, FIXTURES, published_rows


@pytest.fixture(scope="module")
def catalogue():
    return parse_page(CURRENT.read_text(encoding="utf-8"))


def rows_of(catalogue):
    return [(r.section, r.code, r.message, r.description) for r in catalogue.records]


def test_every_published_row_comes_out_in_page_order(catalogue):
    assert rows_of(catalogue) == published_rows()


def test_sections_in_page_order_with_anchors_and_headers(catalogue):
    assert len(catalogue.sections) == 26
    first, database = catalogue.sections[0], catalogue.sections[3]
    assert first.title == "通用状态码"
    assert first.url == f"{DEFAULT_PAGE_URL}#通用状态码"
    assert database.headers == ("code", "message", "说明")
    assert sum(s.record_count for s in catalogue.sections) == 274


def test_updated_at_is_beijing_time(catalogue):
    assert catalogue.updated_at == datetime(
        2024, 10, 31, 15, 38, 33, tzinfo=timezone(timedelta(hours=8))
    )
    assert catalogue.model_dump(mode="json")["updated_at"] == "2024-10-31T15:38:33+08:00"


def test_same_code_with_different_meanings_in_two_sections(catalogue):
    assert [(r.section, r.message) for r in catalogue.lookup(103451)] == [
        ("用户资料错误码", "user profile hit antispam"),
        ("好友错误码", "friend application not exist"),
    ]


def test_code_repeated_inside_one_section_keeps_every_row(catalogue):
    server = [r for r in catalogue.records if r.section == "服务端错误码"]
    assert [r.code for r in server].count(403) == 6
    assert [r.code for r in server].count(414) == 2
    assert len({r.message for r in server if r.code == 403}) == 6


def test_placeholders(catalogue):
    found = {(r.section, r.code): r.placeholders for r in catalogue.records if r.placeholders}
    assert found[("登录错误码", 102404)] == ("%s",)
    assert found[("AI 数字人错误码", 414)] == ("{name}",)
    assert {code for _, code in found} == {102404, 102421, 102422, 107329, 108309, 114408, 414}


def test_links_keep_text_and_absolute_href(catalogue):
    record = catalogue.records[28]
    assert (record.section, record.code) == ("应用错误码", 101301)
    assert record.links == (
        Link(text="网易云信控制台", href="https://app.yunxin.163.com/"),
        Link(
            text="开始使用 IM 产品",
            href="https://doc.yunxin.163.com/messaging2/guide/jk3MzY2MTI?platform=client",
        ),
    )


def test_no_break_and_zero_width_spaces_are_normalised(catalogue):
    # The fixture really holds them in this row: a no-break space on each side of ">" and a
    # zero-width space after the product name, as copy-pasted on the page.
    raw = CURRENT.read_text(encoding="utf-8")
    assert "IM 即时通讯&#8203;&nbsp;&gt;&nbsp;基础功能&nbsp;&gt;&nbsp;消息撤回时长" in raw
    revoke = catalogue.lookup(107314)[0]
    assert revoke.description == (
        "撤回消息超过时间限制。默认限制为 2 分钟,请前往 网易云信控制台 "
        "IM 即时通讯 > 基础功能 > 消息撤回时长 进行修改。"
    )
    texts = [t for r in catalogue.records for t in (r.message, r.description, r.section)]
    assert not [t for t in texts if "\u00a0" in t or "\u200b" in t]


@pytest.mark.parametrize(
    "variant",
    ["h3-spans.html", "td-header.html", "rowspan.html", "toc-only.html"],
    ids=["h3 headings with spans", "header row of td", "rowspan", "toc only"],
)
def test_other_markups_give_the_same_records(catalogue, variant):
    page = read_source(FIXTURES / "variants" / variant)
    other = parse_page(page.text, url=page.url)
    assert other.records == catalogue.records
    assert other.sections == catalogue.sections
    assert other.content_hash == catalogue.content_hash


def page(body: str) -> str:
    return f"<html><head><title>t</title></head><body>{body}</body></html>"


TABLE_HEAD = "<tr><th>code</th><th>desc</th><th>说明</th></tr>"


def test_br_and_p_inside_cells_become_spaces():
    html = page(
        f"<h2>S</h2><table>{TABLE_HEAD}"
        "<tr><td>1</td><td>one<br>two</td><td><p>第一段。</p><p>第二段<b>加粗</b>。</p></td></tr></table>"
    )
    record = parse_page(html).records[0]
    assert (record.message, record.description) == ("one two", "第一段。 第二段加粗。")


def rows(html: str) -> list[tuple]:
    return [(r.code, r.message, r.description) for r in parse_page(html).records]


def test_a_cell_spanning_columns_counts_once_and_note_rows_are_skipped():
    """What a reader sees: the text once, under the first column it spans; nothing repeated."""
    html = page(
        f"<h2>S</h2><table>{TABLE_HEAD}"
        '<tr><td>1</td><td colspan="2">same text</td></tr>'
        '<tr><td colspan="3">注:以上错误码仅适用于 v10。</td></tr>'
        '<tr><td colspan="2">以下错误码仅适用于 Web 端</td><td></td></tr>'
        "<tr><td>2</td><td>b</td><td>说明。</td></tr></table>"
    )
    assert rows(html) == [(1, "same text", ""), (2, "b", "说明。")]


def test_header_rows_repeated_mid_table_are_skipped(caplog):
    """Long tables repeat their header; here more often than they have rows, so a parser that
    took the repeats for unreadable rows would refuse the table."""
    repeat_th = "<tr><th>code</th><th>desc</th><th>说明</th></tr>"
    repeat_td = "<tr><td>Code</td><td>desc</td><td>说明。</td></tr>"
    html = page(
        f"<h2>S</h2><table>{TABLE_HEAD}<tr><td>1</td><td>a</td><td>甲</td></tr>{repeat_th}"
        f"<tr><td>2</td><td>b</td><td>乙</td></tr>{repeat_td}{repeat_th}</table>"
    )
    with caplog.at_level("DEBUG", logger="nim_scrape.parse.tables"):
        assert rows(html) == [(1, "a", "甲"), (2, "b", "乙")]
    assert "table 1 under 'S', row 6: the header row repeated, skipped" in caplog.messages


@pytest.mark.parametrize(
    ("cell", "code", "note"),
    [
        ("101301（废弃）", 101301, "废弃"),
        ("101301 (deprecated)", 101301, "deprecated"),
        ("101301<br>废弃", 101301, "废弃"),
        ("<p>101301</p><p>v10 起废弃</p>", 101301, "v10 起废弃"),
        ("101301*", 101301, "*"),
        ("101301", 101301, ""),
    ],
    ids=["full-width brackets", "ascii brackets", "line break", "paragraphs", "mark", "plain"],
)
def test_an_annotated_code_keeps_the_code_and_the_note(cell, code, note):
    html = page(
        f"<h2>S</h2><table>{TABLE_HEAD}<tr><td>{cell}</td><td>a</td><td>b</td></tr></table>"
    )
    record = parse_page(html).records[0]
    assert (record.code, record.code_note) == (code, note)
    assert ("code_note" in record.model_dump(mode="json")) == bool(note)


def test_a_range_or_list_of_codes_is_not_one_code():
    body = "".join(
        f"<tr><td>{cell}</td><td>a</td><td>b</td></tr>"
        for cell in ("1", "2", "101301-101305", "101301、101302", "3")
    )
    html = page(f"<h2>S</h2><table>{TABLE_HEAD}{body}</table>")
    assert [r.code for r in parse_page(html).records] == [1, 2, 3]


def test_a_column_the_parser_does_not_know_is_kept():
    html = page(
        "<h2>S</h2><table><tr><th>code</th><th>适用平台</th><th>desc</th><th>说明</th><th></th></tr>"
        "<tr><td>1</td><td>Android</td><td>a</td><td>甲</td><td>x</td></tr>"
        "<tr><td>2</td><td></td><td>b</td><td>乙</td><td>y</td></tr></table>"
    )
    catalogue = parse_page(html)
    assert catalogue.sections[0].headers == ("code", "desc", "说明", "适用平台", "column 5")
    assert [(r.code, r.message, r.description, r.extra) for r in catalogue.records] == [
        (1, "a", "甲", {"适用平台": "Android", "column 5": "x"}),
        (2, "b", "乙", {"适用平台": "", "column 5": "y"}),
    ]
    assert catalogue.records[0].model_dump(mode="json")["extra"] == {
        "适用平台": "Android",
        "column 5": "x",
    }


def test_fields_the_page_does_not_use_stay_out_of_the_json(catalogue):
    """New fields are omitted while empty: the catalogue of a page without them is unchanged."""
    record = catalogue.records[0].model_dump(mode="json")
    section = catalogue.sections[0].model_dump(mode="json")
    assert list(record) == [
        "section",
        "code",
        "message",
        "description",
        "section_anchor",
        "links",
        "placeholders",
    ]
    assert list(section) == ["title", "anchor", "url", "headers", "record_count"]


def test_a_table_nested_in_a_cell_reads_as_a_reader_sees_it():
    nested = (
        "参数说明：<table><tr><th>平台</th><th>支持</th></tr>"
        "<tr><td>Android</td><td>是</td></tr><tr><td>iOS</td><td>否</td></tr></table>详见文档。"
    )
    html = page(
        f"<h2>S</h2><table>{TABLE_HEAD}<tr><td>1</td><td>a</td><td>{nested}</td></tr></table>"
    )
    assert rows(html) == [(1, "a", "参数说明： 平台 支持 Android 是 iOS 否 详见文档。")]


def test_rowspan_over_the_description_column():
    html = page(
        f"<h2>S</h2><table>{TABLE_HEAD}"
        '<tr><td>1</td><td>a</td><td rowspan="2">共用说明。</td></tr>'
        "<tr><td>2</td><td>b</td></tr></table>"
    )
    assert [(r.code, r.description) for r in parse_page(html).records] == [
        (1, "共用说明。"),
        (2, "共用说明。"),
    ]


def test_heading_marks_are_stripped_from_titles():
    html = page(
        f'<h2 id="s1"><a href="#s1">#</a> 标题 <span>¶</span></h2><table>{TABLE_HEAD}<tr><td>1</td><td>a</td><td>b</td></tr></table>'
    )
    section = parse_page(html).sections[0]
    assert (section.title, section.anchor) == ("标题", "s1")


def test_a_row_whose_code_is_not_a_number_is_skipped(caplog):
    html = page(
        f"<h2>会话错误码</h2><table>{TABLE_HEAD}<tr><td>1</td><td>a</td><td>b</td></tr>"
        "<tr><td>n/a</td><td>a</td><td>b</td></tr><tr><td>2</td><td>c</td><td>d</td></tr></table>"
    )
    with caplog.at_level("DEBUG", logger="nim_scrape.parse.tables"):
        assert [r.code for r in parse_page(html).records] == [1, 2]
    assert (
        "table 1 under '会话错误码', row 3: the code 'n/a' is not a number: skipped"
        in caplog.messages
    )


def test_a_table_of_mostly_unreadable_codes_is_a_parse_error_naming_table_and_row():
    html = page(
        f"<h2>会话错误码</h2><table>{TABLE_HEAD}<tr><td>1</td><td>a</td><td>b</td></tr>"
        "<tr><td>n/a</td><td>a</td><td>b</td></tr><tr><td>见上</td><td>c</td><td>d</td></tr></table>"
    )
    with pytest.raises(ParseError) as info:
        parse_page(html)
    assert info.value.message == (
        "table 1 under '会话错误码': 2 of 3 rows are not error codes; row 3: the code 'n/a' is not a number"
    )


def test_a_table_without_the_description_column_is_a_parse_error():
    html = page(
        "<h2>S</h2><table><tr><th>code</th><th>desc</th><th>备注</th></tr><tr><td>1</td><td>a</td><td>b</td></tr></table>"
    )
    with pytest.raises(ParseError) as info:
        parse_page(html)
    assert info.value.message == (
        "table 1 under 'S': found a table with columns 'code | desc | 备注': no description column"
    )


@pytest.mark.parametrize(
    ("html", "seen"),
    [
        ("", "the page is empty"),
        ('{"code": 200}', "not HTML"),
        (page("<p>请完成安全验证</p><div id='captcha'></div>"), "captcha"),
        (page("<form><input type='password'></form>"), "login page"),
        (
            "<html><head><title>文档</title></head><body><div id='app'></div><script src='a.js'></script></body></html>",
            "script-only",
        ),
        (
            "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
            "error page",
        ),
        (
            page("<table><tr><td>名称</td><td>值</td></tr></table>" + "说明文字" * 80),
            "found a table with columns '名称 | 值': no code column",
        ),
    ],
    ids=["empty", "json", "captcha", "login", "script shell", "error page", "wrong columns"],
)
def test_pages_without_error_code_tables_say_what_they_are(html, seen):
    with pytest.raises(PageError, match=seen):
        parse_page(html)


def test_updated_at_split_across_tags():
    html = "<span>更新时间：</span>&nbsp;<time>2024/3/13 14:40:07</time>"
    assert parse_updated_at(html) == datetime(
        2024, 3, 13, 14, 40, 7, tzinfo=timezone(timedelta(hours=8))
    )
    assert parse_updated_at("<p>no date</p>") is None


def test_two_tables_under_one_heading_get_distinct_section_titles():
    row = "<tr><td>1</td><td>a</td><td>b</td></tr>"
    html = page(f"<h2>S</h2><table>{TABLE_HEAD}{row}</table><table>{TABLE_HEAD}{row}</table>")
    assert [s.title for s in parse_page(html).sections] == ["S", "S (2)"]


def test_without_section_names_tables_get_placeholders_never_the_page_title(catalogue, caplog):
    """The stored text of the page: every table, no headings, no table of contents (#10)."""
    with caplog.at_level("WARNING", logger="nim_scrape.parse.tables"):
        unnamed = parse_page(read_source(FIXTURES / "variants" / "no-section-names.html").text)
    assert [(s.title, s.anchor, s.url, s.named) for s in unnamed.sections] == [
        (f"table {n}", "", DEFAULT_PAGE_URL, False) for n in range(1, 27)
    ]
    assert [s.model_dump(mode="json")["named"] for s in unnamed.sections] == [False] * 26
    assert [r.section for r in unnamed.records] == [
        f"table {n}" for n, s in enumerate(catalogue.sections, 1) for _ in range(s.record_count)
    ]
    assert [(r.code, r.message, r.description) for r in unnamed.records] == [
        (r.code, r.message, r.description) for r in catalogue.records
    ]
    assert caplog.messages == [
        "the page names no section for 26 of 26 tables (no heading of their own, no table of "
        "contents): they are called table 1, table 2, table 3, ..., placeholders that name no "
        "section on the page"
    ]


@pytest.mark.parametrize(
    "heading",
    ["<h1>错误码</h1>", "<h2>错误码</h2>", "<h1>NIM SDK 错误码</h1>"],
    ids=["h1", "the title's first part", "the one h1"],
)
def test_the_page_title_or_h1_never_names_a_section(heading):
    row = "<tr><td>1</td><td>a</td><td>b</td></tr>"
    html = (
        "<html><head><title>错误码 - 即时通讯 IM - 网易云信文档中心</title></head><body>"
        f"{heading}<table>{TABLE_HEAD}{row}</table><h2>登录错误码</h2><table>{TABLE_HEAD}{row}</table>"
        f"<h2>错误码</h2><table>{TABLE_HEAD}{row}</table></body></html>"
    )
    assert [(s.title, s.anchor, s.named) for s in parse_page(html).sections] == [
        ("table 1", "", False),
        ("登录错误码", "登录错误码", True),
        ("table 3", "", False),
    ]


def test_replacement_characters_published_on_the_page_are_kept_and_said(caplog):
    html = page(
        f"<h2>S</h2><table>{TABLE_HEAD}<tr><td>1</td><td>a</td><td>未知&#xfffd;错误</td></tr>"
        "<tr><td>2</td><td>b</td><td>c</td></tr></table>"
    )
    with caplog.at_level("WARNING", logger="nim_scrape.parse.tables"):
        assert rows(html) == [(1, "a", "未知\ufffd错误"), (2, "b", "c")]
    assert caplog.messages == ["1 record(s) hold U+FFFD replacement characters as published: S 1"]


def test_a_table_under_the_page_h1_only_is_named_by_its_place_in_errors():
    html = (
        "<html><head><title>错误码 - 网易云信文档中心</title></head><body><h1>错误码</h1>"
        f"<table>{TABLE_HEAD}<tr><td>n/a</td><td>a</td><td>b</td></tr></table></body></html>"
    )
    with pytest.raises(ParseError) as info:
        parse_page(html)
    assert info.value.message == (
        "table 1: 1 of 1 rows are not error codes; row 2: the code 'n/a' is not a number"
    )
