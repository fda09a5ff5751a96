from datetime import datetime, timedelta, timezone

import pytest

from nim_scrape.errors import PageError, ParseError
from nim_scrape.fetch import read_source
from nim_scrape.models import DEFAULT_PAGE_URL, Link
from nim_scrape.parse import parse_page, parse_updated_at

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
    revoke = catalogue.lookup(107314)[0]
    assert "IM 即时通讯 > 基础功能 > 消息撤回时长" in revoke.description
    assert "\u00a0" not in CURRENT.read_text() or all(
        "\u00a0" not in r.description and "\u200b" not in r.description for r in catalogue.records
    )


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


def test_colspan_note_rows_are_skipped_and_colspan_cells_fill_columns():
    html = page(
        f"<h2>S</h2><table>{TABLE_HEAD}"
        '<tr><td>1</td><td colspan="2">same text</td></tr>'
        '<tr><td colspan="3">注:以上错误码仅适用于 v10。</td></tr></table>'
    )
    assert [(r.code, r.message, r.description) for r in parse_page(html).records] == [
        (1, "same text", "same text")
    ]


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


def test_a_code_that_is_not_a_number_names_table_and_row():
    html = page(
        f"<h2>会话错误码</h2><table>{TABLE_HEAD}<tr><td>1</td><td>a</td><td>b</td></tr><tr><td>n/a</td><td>a</td><td>b</td></tr></table>"
    )
    with pytest.raises(
        ParseError, match=r"table '会话错误码', row 3: the code 'n/a' is not a number"
    ):
        parse_page(html)


def test_a_table_without_the_description_column_is_a_parse_error():
    html = page(
        "<h2>S</h2><table><tr><th>code</th><th>desc</th><th>备注</th></tr><tr><td>1</td><td>a</td><td>b</td></tr></table>"
    )
    with pytest.raises(ParseError, match="no 说明 column"):
        parse_page(html)


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
            "none with the columns",
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
