"""A small JavaScript/TypeScript tokenizer: enough to read declarations without running code.

The SDKs declare their error codes in TypeScript declarations and in minified bundles of several
megabytes. Searching those with one regular expression would count a declaration quoted
inside a string, a comment or a regular expression literal; this tokenizer knows where every
literal starts and ends, so the matchers in ``sdk.py`` only ever look at code.

Tokens are ``name``, ``num``, ``str`` (value decoded), ``punct`` (one character, or ``=>`` /
``...`` / ``?.``), ``regex`` and ``tpl`` (a template literal's text; its ``${}`` expressions come
out as ordinary tokens after it). Comments are not tokens: the comment right before a token is
kept as that token's ``doc``, which is where TypeScript puts an enum member's documentation.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

__all__ = ["LoneSurrogate", "Token", "decode_string", "tokenize"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its value (a string literal's decoded text), where it starts."""

    kind: str
    value: str
    pos: int
    doc: str | None = None


_MAIN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<line>//[^\n\r\u2028\u2029]*)
    |(?P<block>/\*.*?\*/)
    |(?P<name>[A-Za-z_$\u0080-\U0010ffff][\w$\u0080-\U0010ffff]*)
    |(?P<num>0[xXbBoO][0-9a-fA-F_]+n?|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?n?)
    |(?P<str>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    |(?P<tpl>`)
    |(?P<slash>/)
    |(?P<punct>=>|\.\.\.|\?\.|.)
    """,
    re.X | re.S,
)
# A template's text up to its end or its next ${, escapes included.
_TEMPLATE = re.compile(r"(?:[^`\\$]|\\.|\$(?!\{))*", re.S)
# A regular expression literal's body and flags: classes may hold an unescaped /.
_REGEX = re.compile(r"(?:[^\\/\[\n\r]|\\.|\[(?:[^\]\\\n\r]|\\.)*\])+/[A-Za-z]*", re.S)

# After these a / starts a regular expression; after anything else it divides.
_REGEX_AFTER_WORD = frozenset(
    [
        "return",
        "typeof",
        "instanceof",
        "in",
        "of",
        "new",
        "delete",
        "void",
        "throw",
        "case",
        "do",
        "else",
        "yield",
        "await",
    ]
)
_REGEX_AFTER_PUNCT_NOT = frozenset(")]")
_PAREN_BEFORE_STATEMENT = frozenset(("if", "while", "for", "with"))


@dataclass(slots=True)
class _Open:
    """What is open where the tokenizer stands: each template expression's brace depth (a ``}``
    at depth 0 resumes the template's text), and for each paren whether a statement heads it."""

    templates: list[int] = field(default_factory=list)
    parens: list[bool] = field(default_factory=list)


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``. An unterminated literal ends the text; a string literal holding
    half a surrogate pair raises ``LoneSurrogate`` with ``pos`` in ``text``."""
    tokens: list[Token] = []
    append = tokens.append
    match = _MAIN.match
    pos, end = 0, len(text)
    doc: str | None = None
    open_ = _Open()
    prev: Token | None = None  # what the next / is judged by: division or a regex
    while pos < end:
        m = match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind = m.lastgroup
        value = m.group()
        start, pos = pos, m.end()
        if kind == "ws":
            continue
        if kind in ("line", "block"):
            doc = value
            continue
        after: Token | None = None
        if kind == "str":
            try:
                token = Token("str", decode_string(value[1:-1], strict=True), start, doc)
            except LoneSurrogate as exc:
                exc.pos += start + 1
                raise
        elif kind == "tpl":
            token, pos = _template_rest(text, start, pos, doc, open_.templates)
        elif kind == "slash":
            token, pos = _slash(text, start, pos, doc, prev, open_.parens)
        elif kind == "punct" and value in "{}()" and len(value) == 1:
            token, pos, after = _bracket(text, value, start, pos, doc, prev, open_)
        elif kind == "punct" and value in "\"'":
            logger.debug("unterminated string at %d; the rest is not read", start)
            break
        else:
            token = Token(kind or "punct", value, start, doc)
        append(token)
        prev, doc = after or token, None
    return tokens


def _slash(
    text: str, start: int, pos: int, doc: str | None, prev: Token | None, parens: list[bool]
) -> tuple[Token, int]:
    """A regular expression literal where one may start and is closed, else a division."""
    if _regex_may_start(prev, parens):
        r = _REGEX.match(text, pos)
        if r is not None:
            return Token("regex", text[start : r.end()], start, doc), r.end()
    return Token("punct", "/", start, doc), pos


def _bracket(
    text: str, value: str, start: int, pos: int, doc: str | None, prev: Token | None, open_: _Open
) -> tuple[Token, int, Token | None]:
    """A paren or brace, kept track of in ``open_``; with where to go on, and the token the next
    / is judged by when it is not this one."""
    if value == "(":
        open_.parens.append(prev is not None and prev.value in _PAREN_BEFORE_STATEMENT)
    elif value == ")":
        if open_.parens.pop() if open_.parens else False:
            # `if (x) /re/.test(y)`: a regex may follow this paren, as after a `;`
            return Token("punct", ")", start, doc), pos, Token("punct", ";", start)
    elif value == "{" and open_.templates:
        open_.templates[-1] += 1
    elif value == "}" and open_.templates:
        if open_.templates[-1] == 0:
            open_.templates.pop()
            token, pos = _template_rest(text, start, pos, doc, open_.templates)
            return token, pos, None
        open_.templates[-1] -= 1
    return Token("punct", value, start, doc), pos, None


def _regex_may_start(prev: Token | None, parens: list[bool]) -> bool:
    if prev is None:
        return True
    if prev.kind == "name":
        return prev.value in _REGEX_AFTER_WORD
    if prev.kind == "punct":
        return prev.value not in _REGEX_AFTER_PUNCT_NOT
    return False  # after a number, string, regex or template: division


def _template_rest(
    text: str, start: int, pos: int, doc: str | None, templates: list[int]
) -> tuple[Token, int]:
    """Read template text from ``pos`` to the closing backtick or the next ``${``."""
    m = _TEMPLATE.match(text, pos)
    assert m is not None  # matches the empty string at worst
    after = m.end()
    if text.startswith("${", after):
        templates.append(0)
        return Token("tpl", m.group(), start, doc), after + 2
    # the closing backtick, or the end of an unterminated template
    return Token("tpl", m.group(), start, doc), min(after + 1, len(text))


_ESCAPE = re.compile(
    r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})"
    r"|(\r\n|[\n\r\u2028\u2029])|([\s\S]))"
)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE = re.compile("[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")


class LoneSurrogate(ValueError):
    """A string literal holds half of a surrogate pair (``\\uD83D`` alone): no character."""

    def __init__(self, half: str, pos: int) -> None:
        super().__init__(f"a string holds a lone surrogate \\u{ord(half):04X}")
        self.pos = pos


def decode_string(body: str, *, strict: bool = False) -> str:
    """A string literal's value from the text between its quotes, as JavaScript reads it:
    ``\\uXXXX`` (surrogate pairs joined), ``\\u{…}``, ``\\xXX``, ``\\n`` and the like, line
    continuations, and any other escaped character as itself (``\\/`` is ``/``).

    JavaScript strings are UTF-16, so ``\\uD83D\\uDE00`` is one character (😀). Half a pair
    alone, or a code point beyond U+10FFFF, is no character Python can write out: it becomes
    U+FFFD, or with ``strict`` raises ``LoneSurrogate`` (``pos``: where in ``body``).
    """
    if "\\" not in body and not _SURROGATE.search(body):
        return body
    decoded = _ESCAPE.sub(_unescape, body)
    if not _SURROGATE.search(decoded):
        return decoded
    if strict and (lone := _LONE.search(decoded)):
        raise LoneSurrogate(lone.group(), _position_in(body, lone.start()))
    # The pairs become their characters; a half alone (strict raised above) becomes U+FFFD.
    return decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _unescape(match: re.Match[str]) -> str:
    braced, unit, byte, newline, other = match.groups()
    if braced is not None:
        point = int(braced, 16)
        # Beyond Unicode: JavaScript refuses it; a lone surrogate stands in, so strict catches it.
        return chr(point) if point <= 0x10FFFF else "\udfff"
    if unit is not None:
        return chr(int(unit, 16))
    if byte is not None:
        return chr(int(byte, 16))
    if newline is not None:
        return ""  # a line continuation
    return _SIMPLE.get(other, other)


def _position_in(body: str, index: int) -> int:
    """Where in ``body`` the text that decodes to character ``index`` starts."""
    produced = last = 0
    for m in _ESCAPE.finditer(body):
        plain = m.start() - last
        if index < produced + plain:
            return last + index - produced
        produced += plain + len(_unescape(m))
        if index < produced:
            return m.start()
        last = m.end()
    return last + index - produced
