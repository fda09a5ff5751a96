"""The findings, checked exactly on the fixtures; the audit over time; the issue's own numbers."""

import json
import shutil
from pathlib import Path

import pytest

from nim_scrape.audit.check import audit
from nim_scrape.audit.findings import AUDIT_JSON, AUDIT_MARKDOWN, FINDING_KINDS
from nim_scrape.audit.report import render_changes, render_markdown, render_text
from nim_scrape.audit.run import run_audit
from nim_scrape.audit.sdk import read_sdk
from nim_scrape.catalogue.store import read_catalogue

from .sdk_support import NODE_NIM, WEB_SDK, small_catalogue, url
from .support import published_rows

NN, WEB = "node-nim@10.9.80", "nim-web-sdk-ng@10.8.1"
SOURCES = [str(NODE_NIM), str(WEB_SDK)]


@pytest.fixture(scope="module")
def both():
    return audit(small_catalogue(), [read_sdk(s) for s in SOURCES])


def test_documented_not_in_sdk_tells_codes_missing_everywhere_from_codes_missing_in_one(both):
    assert [
        (f.sdk, f.code, [r.section for r in f.sections], f.present_in)
        for f in both.documented_not_in_sdk
    ] == [
        (NN, 102421, ["账号错误码"], (WEB,)),
        (NN, 107338, ["群定向消息错误码"], (WEB,)),
        (NN, 400, ["全局错误码"], ()),
        (WEB, 102422, ["登录错误码"], (NN,)),
        (WEB, 103451, ["用户资料错误码", "好友错误码"], (NN,)),
        (WEB, 400, ["全局错误码"], ()),
    ]


def test_in_sdk_not_documented_carries_the_sdk_name_and_text(both):
    assert [
        (f.sdk, f.code, f.name, f.sdk_message, f.sdk_message_zh, f.also_in)
        for f in both.in_sdk_not_documented
    ] == [
        (NN, 0, "V2NIM_ERROR_CODE_UNKNOWN", "unknown error", "未知错误", (WEB,)),
        (NN, 118410, "V2NIM_ERROR_CODE_SIGNALLING_SERVICE_DISABLED", "", "信令服务未开通", ()),
        (WEB, 0, "V2NIM_ERROR_CODE_UNKNOWN", "unknown error", "", (NN,)),
        (
            WEB,
            108319,
            "V2NIM_ERROR_CODE_INCLUSIVE_AS_FALSE_NOT_ALLOWED_FOR_SUPER_TEAM",
            'Setting "inclusive" to false for super teams is not allowed',
            "",
            (),
        ),
        (
            WEB,
            190001,
            "V2NIM_ERROR_CODE_INTERNAL",
            'internal error: a } brace, a code:1 and a "quote"',
            "",
            (),
        ),
    ]


def test_meaning_differs_beyond_case_and_punctuation_only(both):
    # 107305 "ACK message should be high-priority." on the page: the same text as the SDKs'
    assert [
        (f.sdk, f.code, f.sdk_message, [r.message for r in f.sections])
        for f in both.meaning_differs
    ] == [
        (NN, 191002, "operation cancelled", ["cancelled"]),
        (WEB, 191002, "operation cancelled", ["cancelled"]),
        (WEB, 192003, "disconnect", ["disconnected"]),
    ]


def test_doc_conflicts_show_each_section_and_what_each_sdk_calls_the_code(both):
    assert [
        (f.code, [(r.section, r.message) for r in f.sections], [(n.sdk, n.name) for n in f.sdks])
        for f in both.doc_conflicts
    ] == [
        (
            102404,
            [("登录错误码", "%s not exist"), ("账号错误码", "account not exist")],
            [
                (NN, "V2NIM_ERROR_CODE_ACCOUNT_NOT_EXIST"),
                (WEB, "V2NIM_ERROR_CODE_ACCOUNT_NOT_EXIST"),
            ],
        ),
        (
            103451,
            [
                ("用户资料错误码", "user profile hit antispam"),
                ("好友错误码", "friend application not exist"),
            ],
            [(NN, "V2NIM_ERROR_CODE_USER_PROFILE_HIT_ANTISPAM")],
        ),
    ]


def test_sdk_conflicts_one_code_two_names(both):
    assert [(f.sdk, f.code, [n.name for n in f.names]) for f in both.sdk_conflicts] == [
        (WEB, 191001, ["V2NIM_ERROR_CODE_MISUSE", "V2NIM_ERROR_CODE_LEGACY_MISUSE"])
    ]


def test_counts_are_the_lengths_of_the_lists(both):
    assert both.counts == {
        "documented_not_in_sdk": 6,
        "in_sdk_not_documented": 5,
        "meaning_differs": 3,
        "doc_conflicts": 2,
        "sdk_conflicts": 1,
    }


def test_saved_json_keys(tmp_path):
    run_audit(small_catalogue(), SOURCES, out=tmp_path)
    data = json.loads((tmp_path / AUDIT_JSON).read_text(encoding="utf-8"))
    assert list(data)[:4] == ["schema_version", "catalogue", "sdks", "counts"]
    assert {k: len(data[k]) for k in FINDING_KINDS} == data["counts"]
    assert data["documented_not_in_sdk"][0] == {
        "code": 102421,
        "sdk": NN,
        "sections": [
            {
                "section": "账号错误码",
                "url": url("账号错误码"),
                "message": "account chat banned",
                "description": "account chat banned 的说明。",
            }
        ],
        "present_in": [WEB],
    }
    assert data["in_sdk_not_documented"][1] == {
        "code": 118410,
        "sdk": NN,
        "name": "V2NIM_ERROR_CODE_SIGNALLING_SERVICE_DISABLED",
        "sdk_message": "",
        "sdk_message_zh": "信令服务未开通",
        "file": "types/v2_def/v2_nim_enum_def.d.ts:25",
        "also_in": [],
        "near_section": None,
    }
    assert data["sdks"][0] == {
        "label": NN,
        "package": "node-nim",
        "version": "10.9.80",
        "source": str(NODE_NIM),
        "files": ["types/v2_def/v2_nim_enum_def.d.ts", "dist/v2_def/v2_nim_enum_def.js"],
        "codes": 9,
    }


# -- over time -----------------------------------------------------------------------------------


def test_a_second_run_writes_nothing_and_reports_no_change(tmp_path):
    first = run_audit(small_catalogue(), SOURCES, out=tmp_path)
    assert first.changed
    assert first.written == (tmp_path / AUDIT_JSON, tmp_path / AUDIT_MARKDOWN)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in first.written}
    second = run_audit(small_catalogue(), SOURCES, out=tmp_path)
    assert (second.changed, second.written) == (False, ())
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in first.written} == before
    assert render_changes(second.changes) == ""


def _copy_node_nim(tmp_path: Path, *, version: str = "10.9.80", drop: str | None = None) -> str:
    folder = tmp_path / f"node-nim-{version}"
    shutil.copytree(NODE_NIM, folder)
    manifest = folder / "package.json"
    manifest.write_text(manifest.read_text().replace("10.9.80", version))
    if drop:
        for path in folder.rglob("v2_nim_enum_def.*"):
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            path.write_text("".join(line for line in lines if drop not in line), encoding="utf-8")
    return str(folder)


def test_a_new_sdk_version_with_the_same_findings_is_no_change(tmp_path):
    out = tmp_path / "out"
    run_audit(small_catalogue(), [_copy_node_nim(tmp_path)], out=out)
    later = run_audit(small_catalogue(), [_copy_node_nim(tmp_path, version="10.9.81")], out=out)
    assert later.changed is False
    assert later.written  # the files name the new version
    assert "node-nim@10.9.81" in (out / AUDIT_MARKDOWN).read_text(encoding="utf-8")


def test_only_new_findings_are_rendered_for_the_notification(tmp_path):
    out = tmp_path / "out"
    run_audit(small_catalogue(), [_copy_node_nim(tmp_path)], out=out)
    # 10.9.81 drops MISUSE: 191001 is documented but no longer declared
    later = run_audit(
        small_catalogue(),
        [_copy_node_nim(tmp_path, version="10.9.81", drop="V2NIM_ERROR_CODE_MISUSE")],
        out=out,
    )
    assert later.changed
    assert render_changes(later.changes, "text") == (
        "SDK audit, new since the last one: 1 documented but not in the SDK, 0 in the SDK but "
        "not documented, 0 meaning differs, 0 conflicting on the page, 0 declared twice in an SDK\n"
        "\n"
        "Documented, not in the SDK (1)\n"
        f"  node-nim@10.9.81, 通用错误码 <{url('通用错误码')}>\n"
        "    191001 misuse\n"
    )


def test_a_finding_that_is_gone_is_counted_as_resolved(tmp_path):
    out = tmp_path / "out"
    run_audit(
        small_catalogue(), [_copy_node_nim(tmp_path, drop="V2NIM_ERROR_CODE_MISUSE")], out=out
    )
    later = run_audit(small_catalogue(), [_copy_node_nim(tmp_path / "b")], out=out)
    assert later.changed
    assert render_changes(later.changes, "markdown").splitlines()[:3] == [
        "### SDK audit, new since the last one: 0 documented but not in the SDK, 0 in the SDK but not documented, 0 meaning differs, 0 conflicting on the page, 0 declared twice in an SDK",
        "",
        "1 earlier findings resolved",
    ]


def test_an_unreadable_saved_audit_is_replaced(tmp_path):
    (tmp_path / AUDIT_JSON).write_text("{not json", encoding="utf-8")
    result = run_audit(small_catalogue(), SOURCES, out=tmp_path)
    assert result.changed
    assert (
        json.loads((tmp_path / AUDIT_JSON).read_text(encoding="utf-8"))["counts"]["sdk_conflicts"]
        == 1
    )


# -- reports -------------------------------------------------------------------------------------


def test_text_report_leads_with_the_counts(both):
    lines = render_text(both).splitlines()
    assert lines[:4] == [
        "SDK audit: 6 documented but not in the SDK, 5 in the SDK but not documented, 3 meaning differs, 2 conflicting on the page, 1 declared twice in an SDK",
        f"the page of ? (10 codes) against {NN} (9 codes), {WEB} (10 codes)",
        f"  {NN}: 3 documented but not in the SDK, 2 in the SDK but not documented, 1 meaning differs, 0 conflicting on the page, 0 declared twice in an SDK",
        f"  {WEB}: 3 documented but not in the SDK, 3 in the SDK but not documented, 2 meaning differs, 0 conflicting on the page, 1 declared twice in an SDK",
    ]
    assert f"  {WEB}, 用户资料错误码 <{url('用户资料错误码')}>" in lines
    assert (
        "    103451 user profile hit antispam (also in 好友错误码) (declared by node-nim@10.9.80)"
        in lines
    )


def test_markdown_report_escapes_sdk_and_page_text(both):
    md = render_markdown(both)
    assert (
        '| 190001 | `V2NIM\\_ERROR\\_CODE\\_INTERNAL` | internal error: a } brace, a code:1 and a "quote" |  |'
        in md
    )
    assert f"**[群定向消息错误码](<{url('群定向消息错误码')}>)**" in md
    assert "| all | 6 | 5 | 3 | 2 | 1 |" in md


def test_markdown_report_neutralises_markup_from_an_sdk(tmp_path):
    hostile = tmp_path / "hostile.js"
    hostile.write_text(
        'var m={V2NIM_ERROR_CODE_X:{code:999999,message:"<img src=x onerror=alert(1)> [link](http://evil) | cell"}};',
        encoding="utf-8",
    )
    md = render_markdown(audit(small_catalogue(), [read_sdk(str(hostile))]))
    assert "<img" not in md
    assert "[link](http://evil)" not in md
    assert "&lt;img src=x onerror=alert(1)&gt; \\[link\\](http://evil) \\| cell" in md


# -- the numbers, offline ----------------------------------------------------------------

MISSING_FROM_ENUM = {
    400,
    102304,
    106403,
    *range(107337, 107348),
    *range(108318, 108322),
    109318,
    111301,
    111451,
    119301,
    119302,
    119303,
    119410,
    119434,
    189308,
    189451,
}
NOT_DOCUMENTED = {
    104302,
    107324,
    110305,
    110306,
    *range(118301, 118311),
    118404,
    118410,
    118437,
    189303,
    189304,
    *range(189318, 189322),
}


def synthetic_node_nim(tmp_path: Path) -> Path:
    """A node-nim-like enum with exactly the 227 codes SDK-NOTES gives for 10.9.80."""
    first: dict[int, str] = {}
    for _, code, message, _ in published_rows():
        first.setdefault(code, message)
    codes = sorted((set(first) - MISSING_FROM_ENUM) | NOT_DOCUMENTED)
    members = "".join(
        f"    /** 中文说明 / {first.get(code, f'made up text {code}')} */\n"
        f"    V2NIM_ERROR_CODE_C{code} = {code},\n"
        for code in codes
    )
    path = tmp_path / "v2_nim_enum_def.d.ts"
    path.write_text(f"export declare enum V2NIMErrorCode {{\n{members}}}\n", encoding="utf-8")
    return path


def test_the_committed_catalogue_against_node_nim_10_9_80(tmp_path):
    assert len(MISSING_FROM_ENUM) == 28
    assert len(NOT_DOCUMENTED) == 23
    sdk = read_sdk(str(synthetic_node_nim(tmp_path)))
    assert len(sdk.codes) == 227
    catalogue = read_catalogue(Path(__file__).parents[1] / "output" / "nim_error_codes.json")
    result = audit(catalogue, [sdk])
    assert {f.code for f in result.documented_not_in_sdk} == MISSING_FROM_ENUM
    assert {f.code for f in result.in_sdk_not_documented} == NOT_DOCUMENTED
    assert (result.counts["documented_not_in_sdk"], result.counts["in_sdk_not_documented"]) == (
        28,
        23,
    )
    assert {103451, 102404} <= {f.code for f in result.doc_conflicts}
    assert result.meaning_differs == ()
    near = {f.code: f.near_section for f in result.in_sdk_not_documented}
    assert near[104302] == "好友错误码"
