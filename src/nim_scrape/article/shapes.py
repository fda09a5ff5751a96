"""Finding the article however the site serves it: in the DOM, in script state, as markdown.

Nobody here has seen the raw HTML the live site sends, so this reads every shape a doc site is
known to use and does not depend on key paths:

- ``html``: error-code tables in the DOM (the page as recorded); returned unchanged;
- ``nuxt-state``: ``window.__NUXT__=(function(a,b,…){return {…}}(…))`` or ``__NUXT_DATA__``;
- ``next-data``: ``<script id="__NEXT_DATA__">`` JSON or ``self.__next_f.push`` chunks;
- ``initial-state``: ``window.__INITIAL_STATE__ = {…}`` (also ``JSON.parse("…")``);
- ``json-state``: any other script, or a body that is JSON;
- ``markdown``: the article's markdown source itself.

State is JavaScript, not JSON, and is never executed: a small tokenizer yields every string
literal of every script, decoded; a literal that is JSON or script again is read the same way.
The literal holding the most error-code rows (HTML tables, or markdown pipe tables) is the
article; literals holding other sections (an article split across fields) are joined to it.
Pure: text in, ``Article`` out; no HTML parser (that is ``parse.tables``' job). A table is
an error-code table when a header of its first row names a code column, as ``parse.columns``
says: the parser and this module share those words.
"""

from __future__ import annotations

import html as htmlcodec
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nim_scrape.about import DEFAULT_PAGE_URL
from nim_scrape.article.jslex import decode_string
from nim_scrape.errors import PageError, ScriptOnlyPage
from nim_scrape.parse.columns import is_code_header

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue

__all__ = [
    "SHAPES",
    "Article",
    "catalogue_of",
    "find_article",
    "is_script_shell",
    "string_literals",
]

logger = logging.getLogger(__name__)

SHAPES = ("html", "nuxt-state", "next-data", "initial-state", "json-state", "markdown")


def catalogue_of(
    text: str,
    *,
    url: str,
    content_type: str | None = None,
    rendered: bool = False,
    columns: Mapping[str, str] | None = None,
) -> Catalogue:
    """The catalogue in a page as served (or as ``rendered`` by a browser), whatever its shape.

    The shape goes into the catalogue (``source_shape``) and the log. A shell whose scripts
    would build the tables is a ``ScriptOnlyPage``, so the caller can say how to run them.
    ``columns`` is ``parse_page``'s: the header of each column role, for headers it has no
    word for.
    """
    from nim_scrape.parse.tables import parse_page  # bs4 loads only when a page is parsed

    article = (
        Article(text, "rendered") if rendered else find_article(text, content_type=content_type)
    )
    if article.shape not in ("html", "rendered") and not url.startswith(("http:", "https:")):
        # A saved state or markdown source names no page: its links are the live site's.
        url = DEFAULT_PAGE_URL
    try:
        catalogue = parse_page(article.html, url=url, columns=columns)
    except PageError as exc:
        if rendered or not is_script_shell(text) or _is_a_wall(exc.message):
            raise
        raise ScriptOnlyPage(
            f"{url} is not the NIM error-code page as served: its scripts build the tables",
            hint="load it in a browser that runs them",
        ) from exc
    logger.info("the page came as %s", article.shape)
    return catalogue.model_copy(update={"source_shape": article.shape})


def _is_a_wall(diagnosis: str) -> bool:
    # A captcha or login page may mount an app too: running its scripts would not help. The
    # diagnosis' own phrase, not a word anywhere in it: a header row it quotes may say login.
    from nim_scrape.parse.tables import WALLS

    return any(f": {wall} (" in diagnosis for wall in WALLS)


@dataclass(frozen=True)
class Article:
    """The article as HTML for ``parse_page``, and the shape it was served in (one of SHAPES)."""

    html: str
    shape: str


def find_article(text: str, *, content_type: str | None = None) -> Article:
    """The article in ``text`` as HTML ``parse_page`` reads, and the shape it came in.

    A page with no article anywhere comes back unchanged as shape ``html``, so that
    ``parse_page`` says what it is instead (and ``is_script_shell`` whether scripts build it).
    """
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    head = text.lstrip("\ufeff \t\r\n")
    if mime in _MARKDOWN_TYPES or (not head.startswith("<") and _looks_like_markdown(head)):
        from nim_scrape.article.markdown import markdown_to_html

        logger.debug("the body is markdown")
        return Article(markdown_to_html(text), "markdown")
    if head[:1] in ("{", "[") or mime.endswith("json"):
        found = _best(_candidates(("json-state", lit) for lit in string_literals(text)))
        if found:
            return Article(_document("", found), "json-state")
        return Article(text, "html")
    scripts = [
        (_shape_of(attrs, body), body)
        for attrs, body in _scripts(text)
        if _may_hold_article(body) or "__next_f" in body  # a chunk may hold rows only
    ]
    if not scripts:  # the usual page: nothing in its scripts could be an article
        return Article(text, "html")
    found = _best(_candidates(_script_literals(scripts)))
    if not found:
        return Article(text, "html")
    dom = _SCRIPT.sub("", text)
    in_dom = _scan(dom).rows
    in_state = sum(c.rows for c in found)
    if in_dom >= in_state:  # the DOM holds the article as well: read it as it is
        return Article(text, "html")
    logger.debug("article found in %s (%d rows), the DOM has %d", found[0].shape, in_state, in_dom)
    return Article(_document(dom, found), found[0].shape)


def is_script_shell(html: str) -> bool:
    """Whether ``html`` is a client-rendered shell: no error-code table in the DOM or in script
    state, but scripts and a mount point (``<div id="app">``, ``__next``, ``data-v-app``, …) or
    a ``<noscript>`` asking for JavaScript. Such a page needs ``--render``."""
    if find_article(html).shape != "html":
        return False
    dom = _SCRIPT.sub("", html)
    if _scan(dom).rows or not re.search(r"<script\b", html, re.I):
        return False
    if _NOSCRIPT_JS.search(html):
        return True
    return bool(_MOUNT.search(dom))


# -- string literals -----------------------------------------------------------------------------

_STRING = {
    '"': re.compile(r'"[^"\\\n\r]*(?:\\(?:\r\n|[\s\S])[^"\\\n\r]*)*"'),
    "'": re.compile(r"'[^'\\\n\r]*(?:\\(?:\r\n|[\s\S])[^'\\\n\r]*)*'"),
    "`": re.compile(r"`[^`\\]*(?:\\[\s\S][^`\\]*)*`"),
}
_INTERESTING = re.compile(r"[\"'`/]")
_REGEX_LITERAL = re.compile(r"/(?![*/])(?:[^/\\\[\n\r]|\\.|\[(?:[^\]\\\n\r]|\\.)*\])+/[a-z]*")
_BEFORE_REGEX = frozenset("(,=:[!&|?{};+-*%<>~^")
_KEYWORDS_BEFORE_REGEX = re.compile(
    r"(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$"
)
_UNESCAPED_SUBSTITUTION = re.compile(r"(?<!\\)(?:\\\\)*\$\{")


def string_literals(script: str) -> Iterator[str]:
    """Every string literal of ``script`` (JavaScript or JSON), decoded, in source order.

    Double- and single-quoted strings and template literals without ``${}``; comments and
    regular-expression literals are skipped, so a quote inside them starts nothing.
    """
    pos = 0
    while (found := _INTERESTING.search(script, pos)) is not None:
        at = found.start()
        char = script[at]
        if char == "/":
            pos = _skip_slash(script, at)
            continue
        literal = _STRING[char].match(script, at)
        if literal is None:  # unterminated: the line is not script we can read; skip it
            end = script.find("\n", at)
            pos = len(script) if end < 0 else end + 1
            continue
        pos = literal.end()
        body = literal.group()[1:-1]
        if char == "`":
            if _UNESCAPED_SUBSTITUTION.search(body):
                continue  # its value depends on running the script
            body = body.replace("\r\n", "\n").replace("\r", "\n")
        yield decode_string(body)


def _skip_slash(script: str, at: int) -> int:
    """Past a comment or a regular expression starting at ``at``; past the ``/`` if neither."""
    following = script[at + 1 : at + 2]
    if following == "/":
        end = script.find("\n", at)
        return len(script) if end < 0 else end
    if following == "*":
        end = script.find("*/", at + 2)
        return len(script) if end < 0 else end + 2
    before = script[max(0, at - 16) : at].rstrip()
    if not before or before[-1] in _BEFORE_REGEX or _KEYWORDS_BEFORE_REGEX.search(before):
        regex = _REGEX_LITERAL.match(script, at)
        if regex:
            return regex.end()
    return at + 1  # division


# -- where an article can hide -------------------------------------------------------------------

_MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown", "text/md"})
_SCRIPT = re.compile(r"(<script\b[^>]*>)(.*?)</script\s*>", re.I | re.S)
_NOSCRIPT_JS = re.compile(r"<noscript\b[^>]*>[^<]{0,400}javascript", re.I)
_MOUNT = re.compile(
    r"<(?:div|main|section|body)\b[^>]*?(?:\bid\s*=\s*[\"']?(?:app|root|__next|__nuxt|__layout"
    r"|main-app|react-root|vue-app)[\"'\s>]|\bdata-(?:reactroot|v-app|server-rendered)\b"
    r"|\bng-(?:version|app)\b)",
    re.I,
)
_MAX_DEPTH = 3  # state inside a string inside state (JSON.parse("…")), and no deeper


def _scripts(page: str) -> Iterator[tuple[str, str]]:
    # str.find, then a match at each hit: a case-insensitive regex search would read a
    # 30 MB page character by character.
    starts = sorted(
        at for spelling in ("<script", "<SCRIPT", "<Script") for at in _find_all(page, spelling)
    )
    end = 0
    for at in starts:
        if at < end:
            continue  # inside the previous script
        match = _SCRIPT.match(page, at)
        if match:
            end = match.end()
            yield match.group(1), match.group(2)


def _find_all(text: str, needle: str) -> Iterator[int]:
    at = text.find(needle)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1)


def _may_hold_article(script: str) -> bool:
    # Cheap: every encoding of "<table" (\u003Ctable, \x3Ctable) and a markdown table's
    # header keep these letters.
    return "table" in script or "Table" in script or ("|" in script and "code" in script)


def _shape_of(attrs: str, body: str) -> str:
    if "__NEXT_DATA__" in attrs or "__next_f" in body:
        return "next-data"
    if "__NUXT" in attrs or "__NUXT__" in body:
        return "nuxt-state"
    if "__INITIAL_STATE__" in body:
        return "initial-state"
    return "json-state"


def _script_literals(scripts: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Each script's string literals with the script's shape; then Next.js's streamed chunks
    (``self.__next_f.push([1,"…"])``), which may cut the article anywhere, joined."""
    chunks: list[str] = []
    for shape, body in scripts:
        for literal in string_literals(body):
            if "__next_f" in body:
                chunks.append(literal)
            yield shape, literal
    if chunks:
        for row in _flight_rows("".join(chunks)):
            yield "next-data", row


_FLIGHT_ROW = re.compile(r"([0-9a-fA-F]{1,8}):(?:T([0-9a-fA-F]{1,8}),)?")


def _flight_rows(payload: str) -> Iterator[str]:
    """The rows of a React Server Components payload: ``id:T<hex byte length>,<text>`` rows
    (where an article's HTML or markdown sits, unquoted) and ``id:<JSON>`` lines."""
    pos = 0
    while pos < len(payload):
        row = _FLIGHT_ROW.match(payload, pos)
        start = row.end() if row else pos
        if row and row.group(2):
            size = int(row.group(2), 16)
            text = payload[start : start + size].encode("utf-8")[:size].decode("utf-8", "ignore")
            yield text
            pos = start + len(text)
            continue
        end = payload.find("\n", start)
        end = len(payload) if end < 0 else end
        yield payload[start:end]
        pos = end + 1


@dataclass(frozen=True)
class _Candidate:
    shape: str
    markup: str  # "html" or "markdown"
    text: str
    rows: int
    keys: frozenset[str]  # the sections it holds: each table's heading and its text
    order: int


def _candidates(literals: Iterable[tuple[str, str]]) -> list[_Candidate]:
    found: list[_Candidate] = []
    seen: set[str] = set()
    for shape, literal in literals:
        if _may_hold_article(literal):
            for text in _article_literals(literal, 0):
                if text in seen:
                    continue
                seen.add(text)
                scan = _scan(text)
                markup = "html"
                if not scan.rows:
                    scan = _scan_markdown(text)
                    markup = "markdown"
                found.append(_Candidate(shape, markup, text, scan.rows, scan.keys, len(found)))
    return found


def _article_literals(literal: str, depth: int) -> list[str]:
    """``literal`` if it holds error-code rows, or the literals inside it that hold more (state
    serialised into a string, ``JSON.parse("{\\"content\\":…}")``)."""
    own = max(_scan(literal).rows, _scan_markdown(literal).rows)
    if depth < _MAX_DEPTH and _is_nested_state(literal):
        inner = [
            text
            for nested in string_literals(literal)
            if _may_hold_article(nested)
            for text in _article_literals(nested, depth + 1)
        ]
        if inner and max(max(_scan(t).rows, _scan_markdown(t).rows) for t in inner) >= own:
            return inner
    return [literal] if own else []


def _is_nested_state(text: str) -> bool:
    head = text.lstrip()[:1]
    return head in ("{", "[") or bool(re.match(r"\s*\w{1,4}:", text))


def _best(found: list[_Candidate]) -> list[_Candidate]:
    """The candidate with the most rows, and the others holding sections it does not."""
    ranked = sorted(found, key=lambda c: (-c.rows, c.order))
    chosen: list[_Candidate] = []
    taken: set[str] = set()
    for candidate in ranked:
        if (
            not candidate.rows
            or candidate.keys & taken
            or any(candidate.text in other.text for other in chosen)
        ):
            continue  # the same article again, or part of it
        chosen.append(candidate)
        taken |= candidate.keys
    if len(chosen) > 1:
        logger.debug("article split over %d fields", len(chosen))
    return sorted(chosen, key=lambda c: c.order)


# -- recognising an article without parsing it ---------------------------------------------------


@dataclass(frozen=True)
class _Scan:
    rows: int
    keys: frozenset[str]


_HTML_BLOCKS = re.compile(r"<h[1-6]\b[^>]*>(.*?)</h[1-6]\s*>|<table\b(.*?)</table\s*>", re.I | re.S)
_FIRST_ROW = re.compile(r"<tr\b(.*?)</tr\s*>", re.I | re.S)
_HEADER_CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_ROW = re.compile(r"<tr\b", re.I)


def _plain(fragment: str) -> str:
    return " ".join(htmlcodec.unescape(_TAG.sub("", fragment)).split())


def _scan(text: str) -> _Scan:
    """How many error-code table rows ``text`` holds as HTML, and under which headings."""
    if "<table" not in text and "<TABLE" not in text:
        return _Scan(0, frozenset())
    rows = 0
    keys: set[str] = set()
    heading = ""
    for block in _HTML_BLOCKS.finditer(text):
        if block.group(1) is not None:
            heading = _plain(block.group(1)).strip("#¶§ ")
            continue
        table = block.group(2)
        first = _FIRST_ROW.search(table)
        if not first:
            continue
        if not any(is_code_header(_plain(c)) for c in _HEADER_CELL.findall(first.group(1))):
            continue
        rows += len(_ROW.findall(table)) - 1
        keys.add(f"table:{_plain(table)}")
        if heading:
            keys.add(f"heading:{heading}")
    return _Scan(rows, frozenset(keys))


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MD_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")


def _md_cells(line: str) -> list[str]:
    return [cell.strip(" `*_") for cell in re.split(r"(?<!\\)\|", line.strip())]


def _scan_markdown(text: str) -> _Scan:
    """How many error-code rows ``text`` holds as markdown pipe tables, and under which headings."""
    if "|" not in text:
        return _Scan(0, frozenset())
    lines = text.splitlines()
    rows = 0
    keys: set[str] = set()
    heading = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if match := _MD_HEADING.match(line):
            heading = match.group(1)
        elif (
            "|" in line
            and index + 1 < len(lines)
            and _MD_DELIMITER.match(lines[index + 1])
            and any(is_code_header(cell) for cell in _md_cells(line))
        ):
            index += 2
            start = index
            while index < len(lines) and "|" in lines[index]:
                index += 1
            rows += index - start
            keys.add("table:" + "\n".join(lines[start - 2 : index]))
            if heading:
                keys.add(f"heading:{heading}")
            continue
        index += 1
    return _Scan(rows, frozenset(keys))


def _looks_like_markdown(text: str) -> bool:
    return text.startswith(("---", "#")) and _scan_markdown(text).rows > 0


# -- the article as a page -----------------------------------------------------------------------

_TITLE = re.compile(r"<title\b[^>]*>.*?</title\s*>", re.I | re.S)
_CANONICAL = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>", re.I)
_UPDATED = re.compile(r"更新时间[^<]{0,40}", re.S)


def _document(dom: str, found: list[_Candidate]) -> str:
    """The found article as a page: the served page's title, canonical link and 更新时间 (which
    the page may hold outside the article) around the article's HTML."""
    from nim_scrape.article.markdown import markdown_to_html

    parts: list[str] = []
    for candidate in found:
        if candidate.markup == "markdown":
            parts.append(markdown_to_html(candidate.text, document=False))
        else:
            parts.append(candidate.text)
    article = "\n".join(parts)
    head = [m.group() for m in (_TITLE.search(dom), _CANONICAL.search(dom)) if m]
    if not any(m for m in head if m.lower().startswith("<title")):
        from nim_scrape.article.markdown import front_matter_title

        title = next((front_matter_title(c.text) for c in found if c.markup == "markdown"), None)
        if title:
            head.insert(0, f"<title>{htmlcodec.escape(title, quote=False)}</title>")
    updated = ""
    if "更新时间" not in article and (when := _UPDATED.search(dom)):
        updated = f"<p>{when.group()}</p>\n"
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        + "".join(head)
        + f"</head>\n<body>\n{updated}{article}\n</body></html>\n"
    )
