"""The vendor's markdown source rendered for the one HTML parser (#10)."""

from __future__ import annotations

import pytest

from nim_scrape.about import DEFAULT_PAGE_URL
from nim_scrape.article.markdown import front_matter_title, markdown_to_html
from nim_scrape.catalogue.models import Link
from nim_scrape.parse.tables import parse_page

from .support import CURRENT, FIXTURES

TABLE = """\
| code | desc | 说明 |
| --- | --- | --- |
| 191004 | invalid parameter | 参数错误。 |
"""


@pytest.fixture(scope="module")
def recorded():
    return parse_page(CURRENT.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["nim-error-codes.md", "nim-error-codes-variant.md"])
def test_markdown_source_gives_the_recorded_records(name, recorded):
    source = (FIXTURES / "shapes" / name).read_text(encoding="utf-8")
    catalogue = parse_page(markdown_to_html(source), url=DEFAULT_PAGE_URL)
    assert [s.title for s in catalogue.sections] == [s.title for s in recorded.sections]
    assert catalogue.records == recorded.records
    assert catalogue.content_hash == recorded.content_hash
    assert catalogue.page_title == "错误码"


def test_front_matter_title_is_the_page_title_and_not_text():
    html = markdown_to_html("---\ntitle: '错误码'\nlayout: doc\n---\n\n# 错误码\n")
    assert html == (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>错误码</title></head>\n'
        "<body>\n<h1>错误码</h1>\n</body></html>\n"
    )


def test_without_front_matter_there_is_no_title():
    assert front_matter_title("# 错误码\n\ntitle: not front matter\n") is None
    assert "<title>" not in markdown_to_html("# 错误码\n")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "::: note note\n注意\n:::\n",
            '<div class="note" data-title="note">\n<p>注意</p>\n</div>\n',
        ),
        (
            ":::::: div linked-codes\n## 会话错误码\n::::::\n",
            '<div class="linked-codes">\n<h2>会话错误码</h2>\n</div>\n',
        ),
        (
            "::: code 安卓\n```java\nint code;\n```\n:::\n",
            '<div class="code" data-title="安卓">\n<pre><code class="language-java">'
            "int code;\n</code></pre>\n</div>\n",
        ),
        (
            ":::: tabs\n::: tab iOS\n文本\n:::\n::::\n",
            '<div class="tabs">\n<div class="tab" data-title="iOS">\n<p>文本</p>\n</div>\n</div>\n',
        ),
    ],
    ids=["note", "div", "code-tab", "never-seen-nested"],
)
def test_containers_render_their_content(source, expected):
    assert markdown_to_html(source, document=False) == expected


def test_a_table_inside_containers_is_read(recorded):
    source = (
        "## 通用错误码\n\n:::::: div linked-codes\n::: note note\n说明\n:::\n\n"
        + TABLE
        + "\n::::::\n"
    )
    catalogue = parse_page(markdown_to_html(source))
    assert [(r.section, r.code, r.message, r.description) for r in catalogue.records] == [
        ("通用错误码", 191004, "invalid parameter", "参数错误。")
    ]
    assert catalogue.sections[0].anchor == "通用错误码"


def test_cells_keep_escaped_pipes_links_and_code_spans():
    source = (
        "## 消息错误码\n\n| code | desc | 说明 |\n|:--|:--|:--|\n"
        "| 107329 | `%s` a \\| b | 请前往 [网易云信控制台](https://app.yunxin.163.com/) 设置 `x\\|y`。 |\n"
    )
    (record,) = parse_page(markdown_to_html(source), url=DEFAULT_PAGE_URL).records
    assert (record.code, record.message, record.description) == (
        107329,
        "%s a | b",
        "请前往 网易云信控制台 设置 x|y。",
    )
    assert record.links == (Link(text="网易云信控制台", href="https://app.yunxin.163.com/"),)
    assert record.placeholders == ("%s",)


def test_headings_become_h2_and_h3_without_ids_read_as_section_titles():
    source = "# 错误码\n\n## 会话错误码\n\n" + TABLE + "\n### 会话分组错误码\n\n" + TABLE
    html = markdown_to_html(source, document=False)
    assert "<h2>会话错误码</h2>" in html
    assert "<h3>会话分组错误码</h3>" in html
    catalogue = parse_page(html, url=DEFAULT_PAGE_URL)
    assert [(s.title, s.anchor, s.url) for s in catalogue.sections] == [
        ("会话错误码", "会话错误码", f"{DEFAULT_PAGE_URL}#会话错误码"),
        ("会话分组错误码", "会话分组错误码", f"{DEFAULT_PAGE_URL}#会话分组错误码"),
    ]
