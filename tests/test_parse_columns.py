"""Error-code pages other than the NIM V2 page: tables read by their columns' roles."""

from __future__ import annotations

import json

import pytest

from nim_scrape.errors import PageError, ParseError, UsageError
from nim_scrape.parse.columns import Columns, match_columns
from nim_scrape.parse.tables import parse_page

from .support import FIXTURES, run

PAGES = FIXTURES / "pages"


def parsed(name: str):
    return parse_page((PAGES / name).read_text(encoding="utf-8"), url="https://example.test/p")


def sections_of(catalogue):
    return [(s.title, s.anchor, s.headers, s.record_count) for s in catalogue.sections]


def records_of(catalogue):
    return [(r.section, r.code, r.message, r.description, r.extra) for r in catalogue.records]


# -- the roles of a header row -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "roles"),
    [
        (("code", "desc", "说明"), (0, 1, 2)),
        (("错误码。", "错误信息", "描述"), (0, 1, 2)),
        (("Error Code:", "Err Message", "Detail description"), (0, 1, 2)),
        (("error_code", "ErrorMessage", "DESCRIPTION"), (0, 1, 2)),
        (("StatusCode", "含义"), (0, None, 1)),
        (("返回码：", "场景说明", "解决方法"), (0, None, 1)),
        (("Status code", "Description", "Troubleshooting Guide"), (0, None, 1)),
        (("说明", "状态码"), (1, None, 0)),
        (("code", "message"), (0, 1, None)),
        (("错误码", "错误信息", "描述和可能原因", "处理建议"), (0, 1, 2)),
    ],
)
def test_each_column_role_is_found_by_its_header_words(headers, roles):
    assert match_columns(headers) == Columns(*roles)
    assert match_columns(headers).missing is None


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        (("Name", "Value"), "code"),
        (("code", "desc", "备注"), "description"),
        (("code", "处理建议"), "description"),
    ],
)
def test_a_header_row_without_a_role_says_which(headers, missing):
    assert match_columns(headers).missing == missing


# -- the pages -----------------------------------------------------------------------------------


def test_a_v1_status_code_page_gives_a_section_per_group_row_and_nothing_from_its_prose():
    catalogue = parsed("commsease-status-codes.html")
    headers = ("code", "", "Description")
    assert sections_of(catalogue) == [
        ("Status Codes", "status-codes", headers, 12),
        ("Team", "status-codes", headers, 4),
        ("Audio & video calls and whiteboard", "status-codes", headers, 2),
        ("Chat room", "status-codes", headers, 3),
        ("Specific services", "status-codes", headers, 2),
    ]
    status, team, calls, room, services = (s[0] for s in sections_of(catalogue))
    assert records_of(catalogue) == [
        (status, 200, "", "The operation succeeded.", {}),
        (status, 201, "", "The client version is wrong: upgrade the SDK.", {}),
        (status, 302, "", "Incorrect user name or password.", {}),
        (status, 301, "", "The account or channel is banned.", {}),
        (status, 315, "", "IP address restriction.", {}),
        (status, 403, "", "Invalid operation or no permission.", {}),
        (status, 404, "", "The object does not exist.", {}),
        (status, 414, "", "Parameter error.", {}),
        (status, 416, "", "Frequency limit reached.", {}),
        (status, 500, "", "Internal server error.", {}),
        (status, 998, "", "Unpacking error.", {}),
        (status, 999, "", "Packing error.", {}),
        (team, 801, "", "The team has reached its member limit.", {}),
        (team, 803, "", "The team does not exist.", {}),
        (team, 802, "", "No permission.", {}),
        (team, 804, "", "The user is not in the team.", {}),
        (calls, 9102, "", "Channel failure.", {}),
        (calls, 11001, "", "The callee is unreachable: the caller is offline.", {}),
        (room, 13001, "", "The IM connection is abnormal.", {}),
        (room, 13003, "", "The account is in the blocklist: it may not enter the chat room.", {}),
        (room, 13002, "", "The chat room state is abnormal.", {}),
        (services, 7101, "", "The recipient has blocklisted the sender.", {}),
        (services, 10431, "", "Sensitive words: the message was refused.", {}),
    ]
    assert catalogue.updated_at is not None
    assert catalogue.updated_at.isoformat() == "2021-12-03T18:09:13+08:00"


def test_a_server_api_page_keeps_its_troubleshooting_column_mostly_empty_through_the_cli():
    page = PAGES / "server-api-codes.html"
    result = run("parse", str(page))
    assert result.exit_code == 0, result.stderr
    catalogue = json.loads(result.stdout)
    headers = ["code", "", "Description", "Troubleshooting Guide"]
    assert [
        (s["title"], s["url"], s["headers"], s["record_count"]) for s in catalogue["sections"]
    ] == [
        ("General status codes", f"{page}#general-status-codes", headers, 7),
        ("Chat room status codes", f"{page}#chat-room-status-codes", headers, 3),
    ]
    general, room = "General status codes", "Chat room status codes"
    guide = "Troubleshooting Guide"
    assert [
        (r["section"], r["code"], r["message"], r["description"], r["extra"])
        for r in catalogue["records"]
    ] == [
        (general, 200, "", "Success", {guide: ""}),
        (general, 403, "", "Illegal operation or no permission", {guide: "Troubleshooting 403"}),
        (
            general,
            414,
            "",
            "Parameter error",
            {guide: "Check the names and the types of the parameters."},
        ),
        (general, 416, "", "Frequency limit exceeded", {guide: ""}),
        (general, 431, "", "HTTP request repeated", {guide: ""}),
        (general, 500, "", "Internal server error", {guide: ""}),
        (general, 501, "", "Database operation failed", {guide: ""}),
        (room, 13002, "", "The chat room is closed", {guide: ""}),
        (room, 13003, "", "The user is in the chat room's blocklist", {guide: ""}),
        (room, 13004, "", "The user is muted in the chat room", {guide: "Troubleshooting 13004"}),
    ]


def test_a_chinese_page_of_four_columns_reads_dashes_as_empty_through_the_cli():
    result = run("parse", str(PAGES / "chinese-four-columns.html"))
    assert result.exit_code == 0, result.stderr
    catalogue = json.loads(result.stdout)
    headers = ["错误码", "错误信息", "描述和可能原因", "处理建议"]
    assert [(s["title"], s["headers"], s["record_count"]) for s in catalogue["sections"]] == [
        ("通用错误码", headers, 4),
        ("房间错误码", headers, 3),
    ]
    common, room = "通用错误码", "房间错误码"
    assert [
        (r["section"], r["code"], r["message"], r["description"], r["extra"])
        for r in catalogue["records"]
    ] == [
        (common, 30001, "kErrFatal", "内部错误。", {"处理建议": "请联系技术支持。"}),
        (
            common,
            30003,
            "kErrInvalidParam",
            "参数错误,可能是参数类型或取值不正确。",
            {"处理建议": ""},
        ),
        (common, 30004, "kErrNotSupported", "不支持的操作。", {"处理建议": ""}),
        (
            common,
            30005,
            "kErrInvalidState",
            "状态错误,可能是未初始化或重复初始化。",
            {"处理建议": "请检查调用顺序。"},
        ),
        (room, 30100, "kErrRoomAlreadyJoined", "重复加入房间。", {"处理建议": ""}),
        (room, 30101, "", "房间已关闭。", {"处理建议": "请重新创建房间。"}),
        (room, 30102, "kErrRoomNotJoined", "", {"处理建议": "请先加入房间。"}),
    ]


def test_codes_that_are_names_are_refused_naming_the_table():
    page = PAGES / "code-names.html"
    result = run("parse", str(page))
    assert result.exit_code == 4
    assert result.stderr == (
        "Error: table 2 under 'Web': its code column holds names, not numbers "
        "(nim-scrape reads tables of numeric error codes only)\n"
    )


def test_a_page_titled_errorcode_whose_cells_mention_login_is_parsed_through_the_cli():
    result = run("parse", str(PAGES / "login-mentions.html"))
    assert result.exit_code == 0, result.stderr
    catalogue = json.loads(result.stdout)
    assert catalogue["page_title"] == "ErrorCode - 登录服务 - 文档中心"
    assert [(s["title"], s["headers"]) for s in catalogue["sections"]] == [
        ("登录相关错误码", ["ErrorCode", "ErrorMessage", "说明"])
    ]
    assert [(r["code"], r["message"], r["description"]) for r in catalogue["records"]] == [
        (302, "login failed", "用户登录失败:用户名或密码错误,请登录后重试。"),
        (417, "kicked", "账号已在其他设备登录,请重新登录。"),
        (10001, "sms code error", "短信验证码错误,请完成验证后重新 sign in。"),
        (10002, "need login", "请登录后再调用该接口 (log in to the app first)。"),
    ]


# -- what the diagnosis says ---------------------------------------------------------------------


def page(body: str, title: str = "t") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def test_a_table_of_codes_under_headers_no_word_names_is_not_called_a_login_page():
    """The page mentions 登录 and 验证码 and is titled ErrorCode, but what it is, is a table of
    codes whose code column the parser cannot tell: the message says that, with its header."""
    rows = "".join(
        f"<tr><td>{code}</td><td>请登录后重试,或输入验证码。</td></tr>"
        for code in (302, 417, 10001)
    )
    html = page(
        f"<h2>登录</h2><table><tr><th>编号</th><th>提示</th></tr>{rows}</table>", "ErrorCode"
    )
    with pytest.raises(PageError) as info:
        parse_page(html, url="https://example.test/p")
    assert info.value.message == (
        "https://example.test/p is not the NIM error-code page: "
        "found a table with columns '编号 | 提示': no code column"
    )


def test_a_title_saying_error_codes_is_not_an_error_page():
    html = page("<p>No tables here yet.</p>", "Error Codes - Server APIs")
    with pytest.raises(PageError) as info:
        parse_page(html, url="https://example.test/p")
    assert info.value.message == (
        "https://example.test/p is not the NIM error-code page: "
        "no error-code tables (Error Codes - Server APIs)"
    )


def test_several_tables_without_a_code_column_are_counted_and_one_shown():
    html = page(
        "<table><tr><td>Name</td><td>Value</td></tr></table>"
        "<table><tr><th>序号</th><th>说明</th></tr><tr><td>1</td><td>甲</td></tr></table>"
    )
    with pytest.raises(PageError) as info:
        parse_page(html, url="https://example.test/p")
    assert info.value.message == (
        "https://example.test/p is not the NIM error-code page: "
        "found 2 tables, none with a code column (one has columns '序号 | 说明')"
    )


# -- inside a table ------------------------------------------------------------------------------

HEAD = "<tr><th>code</th><th>Description</th></tr>"


def test_group_rows_before_any_code_make_no_empty_section_and_repeated_names_are_numbered():
    html = page(
        f"<h2>Codes</h2><table>{HEAD}"
        '<tr><td colspan="2">Team</td></tr><tr><td>801</td><td>a</td></tr>'
        '<tr><td colspan="2">Chat room</td></tr><tr><td>13001</td><td>b</td></tr>'
        '<tr><td colspan="2">Team</td></tr><tr><td>802</td><td>c</td></tr></table>'
    )
    catalogue = parse_page(html)
    assert [(s.title, s.record_count) for s in catalogue.sections] == [
        ("Team", 1),
        ("Chat room", 1),
        ("Team (2)", 1),
    ]
    assert [(r.section, r.code) for r in catalogue.records] == [
        ("Team", 801),
        ("Chat room", 13001),
        ("Team (2)", 802),
    ]


def test_a_sentence_across_the_table_is_a_note_not_a_group():
    html = page(
        f"<h2>Codes</h2><table>{HEAD}<tr><td>1</td><td>a</td></tr>"
        '<tr><td colspan="2">The codes below are returned by the Web SDK only, since v9.</td></tr>'
        '<tr><td colspan="2">以下错误码仅适用于 Web 端</td></tr>'
        "<tr><td>2</td><td>b</td></tr></table>"
    )
    catalogue = parse_page(html)
    assert [(s.title, s.record_count) for s in catalogue.sections] == [("Codes", 2)]


def test_a_back_to_top_link_never_names_a_section():
    html = page(
        f"<h1>t</h1><table>{HEAD}<tr><td>1</td><td>a</td></tr></table>"
        '<a href="#top">Back to top</a>'
    )
    assert [(s.title, s.named) for s in parse_page(html).sections] == [("table 1", False)]


# -- naming the columns of a page ----------------------------------------------------------------

NAMED = page(
    "<h2>Codes</h2><table><tr><th>编号</th><th>Name</th><th>释义</th></tr>"
    "<tr><td>1</td><td>OK</td><td>成功</td></tr><tr><td>2</td><td>BAD</td><td>失败</td></tr></table>"
)


def test_columns_no_word_names_are_read_with_the_roles_given():
    catalogue = parse_page(
        NAMED, columns={"code": "编号", "description": "释义", "message": "Name"}
    )
    assert catalogue.sections[0].headers == ("编号", "Name", "释义")
    assert [(r.code, r.message, r.description) for r in catalogue.records] == [
        (1, "OK", "成功"),
        (2, "BAD", "失败"),
    ]
    without = parse_page(NAMED.replace("编号", "code"), columns={"description": "释义"})
    assert [(r.code, r.message, r.description, r.extra) for r in without.records] == [
        (1, "", "成功", {"Name": "OK"}),
        (2, "", "失败", {"Name": "BAD"}),
    ]


def test_a_column_given_that_no_table_has_is_a_parse_error():
    """The page reads without it (说明 is a description word), but what was said of the page
    no longer holds: said, not passed over."""
    by_words = NAMED.replace("编号", "code").replace("释义", "说明")
    with pytest.raises(ParseError) as info:
        parse_page(by_words, columns={"description": "Meaning"})
    assert info.value.message == (
        "no error-code table on the page has the column 'Meaning' (given as its description column)"
    )
    with pytest.raises(ParseError) as info:
        parse_page(NAMED.replace("编号", "code"), columns={"description": "Meaning"})
    assert info.value.message == (
        "table 1 under 'Codes': found a table with columns 'code | Name | 释义': "
        "no description column"
    )


def test_a_role_that_is_not_one_is_a_usage_error():
    with pytest.raises(UsageError) as info:
        parse_page(NAMED, columns={"solution": "释义"})
    assert info.value.message == (
        "columns: 'solution' is not a column role (the roles are code, message, description)"
    )


def test_a_message_column_alone_beside_the_code_is_the_message():
    html = page(
        "<h2>Codes</h2><table><tr><th>code</th><th>message</th></tr>"
        "<tr><td>1</td><td>unknown error</td></tr></table>"
    )
    catalogue = parse_page(html)
    assert catalogue.sections[0].headers == ("code", "message", "")
    assert [(r.code, r.message, r.description) for r in catalogue.records] == [
        (1, "unknown error", "")
    ]
