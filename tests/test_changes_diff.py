import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nim_scrape.catalogue.store import catalogue_json
from nim_scrape.changes.diff import CatalogueDiff, compare
from nim_scrape.changes.files import compare_files
from nim_scrape.parse.tables import parse_page

from .strategies import build, catalogues, layouts
from .support import CURRENT, EDITION_2024_03, EDITION_2024_08


@pytest.fixture(scope="module")
def editions():
    return {
        path.stem[-10:]: parse_page(path.read_text(encoding="utf-8"))
        for path in (EDITION_2024_03, EDITION_2024_08, CURRENT)
    }


def test_an_unchanged_catalogue_has_no_changes(editions):
    changes = compare(editions["2024-10-31"], editions["2024-10-31"])
    assert not changes.has_changes
    assert changes.counts() == dict.fromkeys(changes.counts(), 0)


def test_2024_03_13_to_2024_10_31_names_exactly_its_real_changes(editions):
    changes = compare(editions["2024-03-13"], editions["2024-10-31"])
    assert changes.counts() == {
        "added": 20,
        "removed": 0,
        "changed": 2,
        "cosmetic": 248,
        "moved": 0,
        "sections_renamed": 22,
        "sections_added": 2,
        "sections_removed": 0,
        "headers_renamed": 2,
        "columns_added": 0,
        "columns_removed": 0,
    }
    renamed = [(r.before, r.after) for r in changes.sections_renamed]
    assert renamed[:3] == [
        ("连接错误", "连接错误码"),
        ("数据库错误", "数据库错误码"),
        ("文件错误", "文件错误码"),
    ]
    assert all(after == before + "码" for before, after in renamed)
    assert [s.title for s in changes.sections_added] == ["群定向消息错误码", "用户订阅错误码"]
    assert [(r.section, r.code) for r in changes.added[:4]] == [
        ("消息错误码", c) for c in (107341, 107342, 107343, 107344)
    ]
    assert [(c.section, c.code, c.fields) for c in changes.substantive] == [
        ("应用错误码", 101301, ("description", "links")),
        ("登录错误码", 101301, ("description", "links")),
    ]
    assert (
        changes.substantive[0].before.description
        == "IM 未开通。请至云信控制台开通 IM 服务,开通步骤参见开始使用 IM 产品"
    )
    assert [(h.section, h.before, h.after, h.cosmetic) for h in changes.headers_renamed] == [
        ("数据库错误码", "详细描述", "说明", False),
        ("文件错误码", "详细描述", "说明", False),
    ]
    first_cosmetic = changes.cosmetic[0]
    assert (
        first_cosmetic.code,
        first_cosmetic.before.description,
        first_cosmetic.after.description,
    ) == (0, "未知错误", "未知错误。")


def test_2024_08_23_to_2024_10_31_is_only_the_column_header(editions):
    changes = compare(editions["2024-08-23"], editions["2024-10-31"])
    assert changes.counts() == {**dict.fromkeys(changes.counts(), 0), "headers_renamed": 2}
    assert {(h.section, h.column, h.before, h.after) for h in changes.headers_renamed} == {
        ("数据库错误码", "description", "详细描述。", "说明"),
        ("文件错误码", "description", "详细描述。", "说明"),
    }


def test_a_renamed_section_with_changed_rows_is_still_a_rename():
    old = build([("连接错误", [(1, "a", "x"), (2, "b", "y"), (3, "c", "z")])])
    new = build([("连接错误码", [(1, "a", "x"), (2, "b", "y"), (4, "d", "w")])])
    changes = compare(old, new)
    assert [(r.before, r.after, r.cosmetic) for r in changes.sections_renamed] == [
        ("连接错误", "连接错误码", False)
    ]
    assert [(r.section, r.code) for r in changes.removed] == [("连接错误", 3)]
    assert [(r.section, r.code) for r in changes.added] == [("连接错误码", 4)]
    assert not changes.sections_added
    assert not changes.sections_removed


def test_a_changed_code_is_a_removal_plus_an_addition():
    changes = compare(build([("S", [(1, "a", "x")])]), build([("S", [(2, "a", "x")])]))
    assert (
        [r.code for r in changes.removed],
        [r.code for r in changes.added],
        changes.changed,
    ) == ([1], [2], ())


def test_a_code_repeated_in_one_section_is_told_apart_by_message_then_wording():
    old = build(
        [
            (
                "服务端错误码",
                [
                    (403, "missing header", "缺少鉴权请求头。"),
                    (403, "invalid AppKey", "非法的 App Key"),
                    (403, "access forbidden", "拒绝访问。"),
                ],
            )
        ]
    )
    new = build(
        [
            (
                "服务端错误码",
                [
                    (403, "access forbidden", "拒绝访问。"),
                    (403, "invalid AppKey", "非法的 App Key。"),
                    (403, "missing auth header", "缺少鉴权请求头。"),
                ],
            )
        ]
    )
    changes = compare(old, new)
    assert [(c.before.message, c.after.message, c.cosmetic) for c in changes.changed] == [
        ("invalid AppKey", "invalid AppKey", True),
        ("missing header", "missing auth header", False),
    ]
    assert (changes.added, changes.removed) == ((), ())


def test_the_same_code_in_two_sections_is_two_records():
    old = build(
        [
            ("用户资料错误码", [(103451, "user profile hit antispam", "x")]),
            ("好友错误码", [(103451, "friend application not exist", "y")]),
        ]
    )
    new = build(
        [
            ("用户资料错误码", [(103451, "user profile hit antispam", "x")]),
            ("好友错误码", [(103451, "friend application not exist", "z")]),
        ]
    )
    changes = compare(old, new)
    assert [(c.section, c.code, c.fields) for c in changes.changed] == [
        ("好友错误码", 103451, ("description",))
    ]


def test_a_record_moved_to_another_section_is_a_move():
    old = build(
        [
            ("A", [(1, "a", "x"), (2, "b", "y"), (3, "c", "z")]),
            ("B", [(7, "g", "u"), (8, "h", "v")]),
        ]
    )
    new = build(
        [
            ("A", [(1, "a", "x"), (2, "b", "y")]),
            ("B", [(7, "g", "u"), (8, "h", "v"), (3, "c", "z")]),
        ]
    )
    changes = compare(old, new)
    assert [(m.code, m.from_section, m.to_section, m.fields) for m in changes.moved] == [
        (3, "A", "B", ())
    ]
    assert (changes.added, changes.removed) == ((), ())


@pytest.mark.parametrize(
    ("before", "after", "cosmetic"),
    [
        ("未知错误", "未知错误。", True),
        ("服务,开通", "服务，开通", True),
        ("(iOS)", "（iOS）", True),
        ("请前往 控制台", "请前往控制台", True),
        ("请至控制台", "请前往控制台", False),
    ],
    ids=["final full stop", "full-width comma", "full-width brackets", "whitespace", "wording"],
)
def test_cosmetic_or_substantive(before, after, cosmetic):
    changes = compare(build([("S", [(1, "m", before)])]), build([("S", [(1, "m", after)])]))
    assert [c.cosmetic for c in changes.changed] == [cosmetic]


# -- properties ------------------------------------------------------------------------------------


def _key(record, rename=None):
    section = (rename or {}).get(record.section, record.section)
    return (section, record.code, record.message, record.description, record.links)


def apply(catalogue, changes: CatalogueDiff) -> Counter:
    """The records ``changes`` turns ``catalogue`` into, as a multiset."""
    rename = {r.before: r.after for r in changes.sections_renamed}
    bag = Counter(_key(r, rename) for r in catalogue.records)
    for record in changes.removed:
        bag[_key(record, rename)] -= 1
    for change in (*changes.changed, *changes.moved):
        bag[_key(change.before, rename)] -= 1
        bag[_key(change.after)] += 1
    for record in changes.added:
        bag[_key(record)] += 1
    assert all(count >= 0 for count in bag.values()), "the diff removed a record that was not there"
    return +bag


@given(catalogues)
def test_property_diff_with_itself_is_empty(a):
    assert not compare(a, a).has_changes


@given(catalogues, catalogues)
@settings(max_examples=300)
def test_property_applying_the_diff_gives_the_new_records(a, b):
    assert apply(a, compare(a, b)) == Counter(_key(r) for r in b.records)


@given(catalogues, catalogues)
@settings(max_examples=300)
def test_property_no_record_is_both_added_and_removed(a, b):
    changes = compare(a, b)
    rename = {r.before: r.after for r in changes.sections_renamed}
    assert not {_key(r, rename) for r in changes.removed} & {_key(r) for r in changes.added}


def _shape(changes: CatalogueDiff) -> dict:
    """The diff with its lists as sorted tuples: what order-independence compares."""
    data = changes.model_dump(mode="json", exclude={"updated_before", "updated_after"})

    def strip(value):
        if isinstance(value, dict):
            return tuple(sorted((k, strip(v)) for k, v in value.items()))
        if isinstance(value, list):
            return tuple(sorted((strip(v) for v in value), key=repr))
        return value

    return strip(data)


@given(layouts, layouts, st.randoms(use_true_random=False))
@settings(max_examples=200)
def test_property_the_order_of_sections_does_not_matter(a, b, random):
    shuffled_a, shuffled_b = list(a), list(b)
    random.shuffle(shuffled_a)
    random.shuffle(shuffled_b)
    assert _shape(compare(build(a), build(b))) == _shape(
        compare(build(shuffled_a), build(shuffled_b))
    )


# -- the same diff from the catalogue files' text ------------------------------------------------


def test_compare_files_gives_the_same_diff_as_compare(editions):
    for old, new in (
        ("2024-03-13", "2024-10-31"),
        ("2024-10-31", "2024-03-13"),
        ("2024-08-23", "2024-10-31"),
    ):
        a, b = editions[old], editions[new]
        assert compare_files(catalogue_json(a).encode(), catalogue_json(b).encode()) == compare(
            a, b
        )


def test_compare_files_reads_other_layouts_whole(editions):
    a, b = editions["2024-03-13"], editions["2024-10-31"]
    compact = a.model_dump_json()
    assert compare_files(compact.encode(), catalogue_json(b).encode()) == compare(a, b)


@given(catalogues, catalogues)
@settings(max_examples=200)
def test_property_compare_files_equals_compare(a, b):
    assert compare_files(catalogue_json(a).encode(), catalogue_json(b).encode()) == compare(a, b)


# -- columns the parser does not know (#9) -------------------------------------------------------


def with_platform_column(html: str) -> str:
    """The recorded page with a fourth column, 适用平台, in 通用状态码 (its first table)."""
    head = "<thead><tr><th>code</th><th>desc</th><th>说明</th></tr></thead>"
    at = html.index(head)
    end = html.index("</table>", at)
    table = html[at:end].replace(head, head.replace("</tr>", "<th>适用平台</th></tr>"), 1)
    table = table.replace("</td></tr>", "</td><td>全平台</td></tr>")
    return html[:at] + table + html[end:]


def test_a_new_column_is_reported_with_its_values(tmp_path):
    from .support import run

    page = tmp_path / "with-column.html"
    page.write_text(with_platform_column(CURRENT.read_text(encoding="utf-8")), encoding="utf-8")
    result = run("diff", str(CURRENT), str(page), "--format", "json", "--exit-code")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["columns_added"] == [{"section": "通用状态码", "column": "适用平台"}]
    assert [(c["code"], c["fields"], c["after"]["extra"]) for c in report["changed"]] == [
        (0, ["extra"], {"适用平台": "全平台"}),
        (200, ["extra"], {"适用平台": "全平台"}),
    ]
    text = run("diff", str(CURRENT), str(page)).stdout
    assert text.splitlines()[0] == "2 changed; 1 column added"
    assert "  通用状态码: 适用平台" in text
    assert "      extra: (none)\n           → 适用平台: 全平台" in text
    back = run("diff", str(page), str(CURRENT), "--format", "json")
    assert json.loads(back.stdout)["columns_removed"] == [
        {"section": "通用状态码", "column": "适用平台"}
    ]


@given(catalogues, catalogues, st.booleans(), st.booleans())
@settings(max_examples=200)
def test_property_compare_files_equals_compare_in_json_dump_layouts(a, b, compact_a, ascii_b):
    """json.dump's layout (one line), with or without non-ASCII escaped, read record by record
    as the layout nim-scrape writes is: the same diff as the catalogues in memory."""

    def dumped(catalogue, ensure_ascii):
        return json.dumps(json.loads(catalogue_json(catalogue)), ensure_ascii=ensure_ascii)

    old = dumped(a, False) if compact_a else catalogue_json(a)
    assert compare_files(old.encode(), dumped(b, ascii_b).encode()) == compare(a, b)
