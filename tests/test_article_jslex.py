"""The tokenizer: literals end where JavaScript says they end, so nothing inside them is code."""

import pytest

from nim_scrape.article.jslex import LoneSurrogate, decode_string, tokenize


def kinds(text):
    return [(t.kind, t.value) for t in tokenize(text)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"a}b"', [("str", "a}b")]),
        (r"'it\'s \"x\"'", [("str", 'it\'s "x"')]),
        (r'"\u4e2d\x41\u{1F600}\n"', [("str", "中A\U0001f600\n")]),
        ("a/2/b", [("name", "a"), ("punct", "/"), ("num", "2"), ("punct", "/"), ("name", "b")]),
        ('x=/"}/g', [("name", "x"), ("punct", "="), ("regex", '/"}/g')]),
        ('x=/[/"]/', [("name", "x"), ("punct", "="), ("regex", '/[/"]/')]),
        ('return/"/', [("name", "return"), ("regex", '/"/')]),
        (
            'if(a)/"/.test(b)',
            [
                ("name", "if"),
                ("punct", "("),
                ("name", "a"),
                ("punct", ")"),
                ("regex", '/"/'),
                ("punct", "."),
                ("name", "test"),
                ("punct", "("),
                ("name", "b"),
                ("punct", ")"),
            ],
        ),
        (
            "f(a)/2",
            [
                ("name", "f"),
                ("punct", "("),
                ("name", "a"),
                ("punct", ")"),
                ("punct", "/"),
                ("num", "2"),
            ],
        ),
        (
            "`a${{b:1}.b}c`",
            [
                ("tpl", "a"),
                ("punct", "{"),
                ("name", "b"),
                ("punct", ":"),
                ("num", "1"),
                ("punct", "}"),
                ("punct", "."),
                ("name", "b"),
                ("tpl", "c"),
            ],
        ),
        (
            "`a${`b${c}`}d`x",
            [("tpl", "a"), ("tpl", "b"), ("name", "c"), ("tpl", ""), ("tpl", "d"), ("name", "x")],
        ),
        ('/* "a */b', [("name", "b")]),
        ("// 'a\nb", [("name", "b")]),
    ],
    ids=[
        "brace-in-string",
        "escaped-quotes",
        "unicode-escapes",
        "division",
        "regex-after-equals",
        "slash-in-regex-class",
        "regex-after-return",
        "regex-after-if-paren",
        "division-after-call",
        "template-with-object",
        "nested-templates",
        "block-comment",
        "line-comment",
    ],
)
def test_tokens(source, expected):
    assert kinds(source) == expected


def test_the_comment_before_a_token_is_its_doc():
    tokens = tokenize("/** 使用姿势错误 / misuse */\n    V2NIM_ERROR_CODE_MISUSE = 191001,")
    assert tokens[0].doc == "/** 使用姿势错误 / misuse */"
    assert tokens[1].doc is None


def test_an_unterminated_string_ends_the_text_without_raising():
    assert kinds('a "b') == [("name", "a")]


def test_line_continuation_in_a_string():
    assert decode_string("a\\\nb") == "ab"


def test_a_surrogate_pair_is_one_character():
    assert decode_string("unknown \\uD83D\\uDE00") == "unknown 😀"


def test_a_lone_surrogate_is_a_replacement_character_or_an_error_saying_where():
    assert decode_string("a\\uD83Db") == "a\ufffdb"
    with pytest.raises(LoneSurrogate, match=r"lone surrogate \\uD83D") as caught:
        decode_string("ab\\n\\uD83Dc", strict=True)
    assert caught.value.pos == 4


def test_tokenize_names_where_in_the_text_a_lone_surrogate_stands():
    text = 'x = "ok";\ny = "\\uDE00";'
    with pytest.raises(LoneSurrogate) as caught:
        tokenize(text)
    assert text[caught.value.pos :].startswith("\\uDE00")
