"""The article reaches the parser however the page is served: DOM, script state, markdown (#10)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nim_scrape.about import DEFAULT_PAGE_URL
from nim_scrape.article.jslex import decode_string as decode_literal
from nim_scrape.article.shapes import SHAPES, Article, find_article, is_script_shell
from nim_scrape.article.shapes import string_literals as literals
from nim_scrape.errors import PageError
from nim_scrape.parse.tables import parse_page

from .support import CURRENT, FIXTURES, load_module

SHAPES_DIR = FIXTURES / "shapes"
BUILD = load_module("build_shapes", FIXTURES / "build_shapes.py")


@pytest.fixture(scope="module")
def recorded():
    return parse_page(CURRENT.read_text(encoding="utf-8"))


def read(name: str) -> str:
    return (SHAPES_DIR / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "content_type", "shape"),
    [
        ("nuxt-state.html", "text/html; charset=utf-8", "nuxt-state"),
        ("nuxt-state-variant.html", None, "nuxt-state"),
        ("next-data.html", None, "next-data"),
        ("next-data-variant.html", None, "next-data"),
        ("initial-state.html", None, "initial-state"),
        ("initial-state-variant.html", None, "initial-state"),
        ("json-state.json", "application/json", "json-state"),
        ("json-state.json", None, "json-state"),
        ("nim-error-codes.md", "text/markdown; charset=utf-8", "markdown"),
        ("nim-error-codes.md", None, "markdown"),
        ("nim-error-codes-variant.md", "text/plain", "markdown"),
    ],
    ids=lambda v: str(v),
)
def test_every_shape_gives_the_recorded_records(name, content_type, shape, recorded):
    article = find_article(read(name), content_type=content_type)
    assert article.shape == shape
    catalogue = parse_page(article.html, url=DEFAULT_PAGE_URL)
    assert [s.title for s in catalogue.sections] == [s.title for s in recorded.sections]
    assert [s.anchor for s in catalogue.sections] == [s.anchor for s in recorded.sections]
    assert catalogue.records == recorded.records
    assert catalogue.content_hash == recorded.content_hash
    assert catalogue.updated_at == recorded.updated_at


@pytest.mark.parametrize(
    "page",
    [CURRENT, *sorted((FIXTURES / "variants").glob("*.html"))],
    ids=lambda p: p.name,
)
def test_a_page_with_its_tables_in_the_dom_is_passed_on_unchanged(page):
    text = page.read_text(encoding="utf-8", errors="replace")
    assert find_article(text) == Article(text, "html")
    assert not is_script_shell(text)


def test_the_dom_wins_when_state_holds_the_same_article():
    page = CURRENT.read_text(encoding="utf-8")
    state = read("nuxt-state.html")
    script = state[state.index("<script>window.__NUXT__") : state.index("</script>") + 9]
    both = page.replace("</body>", script + "\n</body>")
    assert find_article(both) == Article(both, "html")


def test_state_wins_when_the_dom_holds_only_part_of_the_article(recorded):
    state = read("nuxt-state.html")
    page = CURRENT.read_text(encoding="utf-8")
    first_section = page[page.index('<h2 id="通用状态码">') : page.index('<h2 id="通用错误码">')]
    served = state.replace('<div class="doc-loading">加载中…</div>', first_section)
    article = find_article(served)
    assert article.shape == "nuxt-state"
    assert parse_page(article.html).records == recorded.records


def test_the_same_article_in_two_fields_is_read_once(recorded):
    state = read("nuxt-state.html")
    script = state[state.index("<script>window.__NUXT__") : state.index("</script>") + 9]
    twice = state.replace(script, script + script.replace("window.__NUXT__", "window.__CACHE__"))
    assert parse_page(find_article(twice).html).records == recorded.records


def test_a_page_with_no_article_anywhere_is_passed_on_for_the_parser_to_explain():
    page = "<html><head><title>维护中</title></head><body><p>系统维护中</p></body></html>"
    assert find_article(page) == Article(page, "html")
    with pytest.raises(PageError, match="no error-code tables"):
        parse_page(find_article(page).html)


@pytest.mark.parametrize(
    ("name", "shell"),
    [
        ("client-rendered-inline.html", True),
        ("client-rendered-fetch.html", True),
        ("nuxt-state.html", False),
        ("next-data.html", False),
    ],
)
def test_script_shells_are_told_apart_from_pages_carrying_their_article(name, shell):
    assert is_script_shell(read(name)) is shell


def test_a_page_without_scripts_is_not_a_script_shell():
    assert not is_script_shell('<html><body><div id="app"><p>nothing here</p></div></body></html>')


def test_shapes_are_the_documented_ones():
    assert SHAPES == ("html", "nuxt-state", "next-data", "initial-state", "json-state", "markdown")


# -- string literals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (r'x="\u003Ch2\u003E错误码\u003C\u002Fh2\u003E"', ["<h2>错误码</h2>"]),
        (r"x='\x3Ctd\x3E\x3C/td\x3E'", ["<td></td>"]),
        (r'x="a\nb\tc\r\\d\/e\'f\"g"', ["a\nb\tc\r\\d/e'f\"g"]),
        (r'x="\uD83D\uDCA1 \u{1F4A1} 💡"', ["💡 💡 💡"]),
        (r'x="\uD83D alone"', ["\ufffd alone"]),
        (r"x='it\'s'", ["it's"]),
        ('x="line \\\ncontinued"', ["line continued"]),
        (r'x="\0\v\b\f"', ["\0\v\b\f"]),
        (r'x="\q\8"', ["q8"]),
        ("x=`template\r\nliteral`", ["template\nliteral"]),
        ("x=`has ${a} a substitution`, y='kept'", ["kept"]),
        ("a=1/2; b='one' /* 'comment' */ // 'line comment'\nc=\"two\"", ["one", "two"]),
        (r"""re=/['"]/g, s="after regex" """, ["after regex"]),
        (r"""if (x) return /"/.test(y) ? 'yes' : 'no'""", ["yes", "no"]),
        ("x=(a)/2/'not a regex'", ["not a regex"]),
        ('x="unterminated\ny="ok"', ["ok"]),
        ('{"k":"v","n":[1,"w"]}', ["k", "v", "n", "w"]),
    ],
)
def test_string_literals_are_decoded_as_javascript_would(script, expected):
    assert list(literals(script)) == expected


# Any text but lone surrogates (which JavaScript strings may hold and Python text may not).
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_json_strings_decode_to_their_text(text):
    # ensure_ascii writes astral characters as surrogate pairs, \u escapes for the rest.
    assert list(literals(json.dumps(text))) == [text]
    assert list(literals(json.dumps(text, ensure_ascii=False))) == [text]


@settings(max_examples=200, deadline=None)
@given(texts, st.sampled_from(["'", '"']), st.sampled_from(["\\u003C", "\\x3C"]))
def test_literals_written_as_sites_write_them_decode_to_their_text(text, quote, lt):
    script = f"x={BUILD.js_string(text, quote=quote, lt=lt, astral=True)};"
    assert list(literals(script)) == [text]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_script_text_is_read_without_error(script):
    for literal in literals(script):
        assert isinstance(literal, str)


def test_decode_literal_leaves_text_without_escapes_as_it_is():
    text = "<h2>错误码</h2>"
    assert decode_literal(text) is text


# -- the fixtures ------------------------------------------------------------------------------


def test_committed_shape_fixtures_match_their_generator(tmp_path, monkeypatch):
    module = load_module("build_shapes", FIXTURES / "build_shapes.py")
    for name in ("nim-error-codes-2024-10-31.html", "nim-error-codes-2024-10-31.tsv"):
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    monkeypatch.setattr(module, "HERE", tmp_path)
    monkeypatch.setattr(module._build_fixtures(), "HERE", tmp_path)
    module.main()
    built = sorted(p.name for p in (tmp_path / "shapes").iterdir())
    assert built == sorted(p.name for p in SHAPES_DIR.iterdir())
    for name in built:
        assert (tmp_path / "shapes" / name).read_bytes() == (SHAPES_DIR / name).read_bytes(), name
        assert "Reconstruction" in (SHAPES_DIR / name).read_text(encoding="utf-8"), name
