"""Turning the page's HTML into a catalogue: every error-code table, wherever it sits.

With ``_bs4_stream`` (which holds what it needs of bs4's inner workings), the only module that
imports BeautifulSoup. It is pure: HTML text in, ``Catalogue`` out, or a ``PageError`` saying
what the page is instead, or a ``ParseError`` naming the table and row that no longer match.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urljoin

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag
from bs4.element import NavigableString
from bs4.filter import SoupStrainer

from nim_scrape._gc import paused
from nim_scrape.about import DEFAULT_PAGE_URL
from nim_scrape.catalogue.models import BEIJING, Catalogue, Link, Record, Section
from nim_scrape.catalogue.text import cosmetic_key, find_placeholders, normalize_space
from nim_scrape.errors import PageError, ParseError
from nim_scrape.parse._bs4_stream import stream

__all__ = ["parse_page"]

logger = logging.getLogger(__name__)

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Only these are built into the tree; the page's chrome is skipped by the parser (#6: tree
# building is where the time goes).
_STRAINER = SoupStrainer([*_HEADINGS, "table", "a", "title", "link"])

_COLUMNS = {
    "code": {"code", "错误码", "状态码", "errorcode", "返回码"},
    "message": {"desc", "message", "msg", "错误信息", "英文描述"},
    "description": {"说明", "详细描述", "描述", "含义", "中文说明"},
}
# Tags a reader sees as separate blocks: each becomes a space. Cells and rows of a table nested
# in a cell are among them, so their texts are never glued together (#9).
_BLOCKS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "hr", "table", "caption", "tr", "td", "th", "dt", "dd"}
)
_HEADING_MARKS = "#¶§🔗 \u00a0"
_UPDATED = re.compile(
    r"更新时间\s*[:：]?(?:\s|&nbsp;|&#160;|&#xa0;|<[^>]{0,200}>)*"
    r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s|&nbsp;|T)+(\d{1,2}):(\d{2})(?::(\d{2}))?"
)
_MAX_SPAN = 1000
# U+FFFD as a character or a character reference
_REPLACEMENT = re.compile(r"\ufffd|&#(?:x0*fffd|0*65533)", re.I)
# How a page title joins its parts: "错误码 - 即时通讯 IM - 网易云信文档中心"
_TITLE_PARTS = re.compile(r"\s+[-|_–—]\s+")


@dataclass
class _Table:
    heading: str | None
    anchor: str | None
    headers: tuple[str, ...]  # code, message, description, then the extra columns
    rows: list[_Row]
    extra: tuple[str, ...] = ()  # the extra columns' keys in each record's ``extra``


class _PageReader:
    """Takes the kept elements one at a time, in page order, and keeps only plain values."""

    def __init__(self) -> None:
        self.canonical: str | None = None
        self.title = ""
        self.tables: list[_Table] = []
        self.toc: list[tuple[str, str]] = []
        self.heading: tuple[str, str | None] | None = None
        self.h1: list[str] = []

    def take(self, tag: Tag) -> None:
        name = tag.name
        if name == "table":
            for found, columns in _code_tables(tag):
                heading, anchor = self.heading or (None, None)
                # How errors name the table: its heading, unless that is the page's own name.
                label = heading if heading and heading not in self.page_names() else None
                label = label or f"table {len(self.tables) + 1}"
                self.tables.append(_read_table(found, columns, label, heading, anchor))
        elif name in _HEADINGS:
            text = _heading_text(tag)
            if text:
                self.heading = (text, _heading_anchor(tag))
                if name == "h1":
                    self.h1.append(text)
        elif name == "a":
            href = tag.get("href")
            if isinstance(href, str) and href.startswith("#") and len(href) > 1:
                self.toc.append((normalize_space(tag.get_text()), unquote(href[1:])))
        elif name == "title" and not self.title:
            self.title = normalize_space(tag.get_text())
        elif name == "link" and self.canonical is None:
            rel = tag.get("rel") or ""
            href = tag.get("href")
            if "canonical" in str(rel).split() and str(href or "").startswith("http"):
                self.canonical = str(href)

    def page_names(self) -> set[str]:
        """The page's own names, which never name a section (#10): its title, the title's first
        part (错误码 of "错误码 - 即时通讯 IM - 网易云信文档中心"), and its h1 when it has one."""
        names = {self.title, _TITLE_PARTS.split(self.title, 1)[0]} - {""}
        if len(self.h1) == 1:
            names.add(self.h1[0])
        return names


def parse_page(html: str, *, url: str = DEFAULT_PAGE_URL) -> Catalogue:
    """Every error-code table of ``html`` as records, in page order.

    ``url`` is where the page came from; a ``<link rel="canonical">`` on the page wins over it,
    so a local copy of the page gets the live page's section links.
    """
    reader = _PageReader()
    stream(html, reader.take, only=_STRAINER)
    if not reader.tables:
        raise PageError(f"{url} is not the NIM error-code page: {diagnose(html)}", hint=_WHAT_TO_DO)
    page_url = reader.canonical or url
    names = _section_names(reader.tables, reader.toc, reader.page_names())
    if _REPLACEMENT.search(html):  # looked for in the text once, not in every cell
        _warn_replacement_characters(reader.tables, names)
    with paused():
        return _catalogue(reader, names, page_url, html)


def _catalogue(reader: _PageReader, names: list[_Name], page_url: str, html: str) -> Catalogue:
    base = page_url.split("#", 1)[0]
    sections: list[Section] = []
    records: list[Record] = []
    links_seen: dict[_RawLink, Link] = {}
    for table, (section_title, anchor, named) in zip(reader.tables, names, strict=True):
        for code, note, message, description, raw_links, extra in table.rows:
            links = tuple(
                links_seen.get(link) or links_seen.setdefault(link, _link(link, page_url))
                for link in raw_links
            )
            records.append(
                Record.model_construct(
                    section=section_title,
                    code=code,
                    message=message,
                    description=description,
                    section_anchor=anchor,
                    links=links,
                    placeholders=find_placeholders(message, description),
                    code_note=note,
                    extra=dict(zip(table.extra, extra, strict=True)) if extra else {},
                )
            )
        sections.append(
            Section(
                title=section_title,
                anchor=anchor,
                url=f"{base}#{anchor}" if anchor else base,
                headers=table.headers,
                record_count=len(table.rows),
                named=named,
            )
        )
    return Catalogue.build(
        sections=tuple(sections),
        records=tuple(records),
        page_url=page_url,
        page_title=reader.title,
        updated_at=parse_updated_at(html),
    )


def _warn_replacement_characters(tables: list[_Table], names: list[_Name]) -> None:
    """The page itself holds U+FFFD (decoding never makes one): kept, as the page's wording,
    but said, since it usually means the vendor's text was damaged before it was published."""
    found = [
        f"{title} {row[0]}"
        for table, (title, _, _) in zip(tables, names, strict=True)
        for row in table.rows
        if "\ufffd" in row[2] or "\ufffd" in row[3] or any("\ufffd" in v for v in row[5])
    ]
    if found:
        logger.warning(
            "%d record(s) hold U+FFFD replacement characters as published: %s",
            len(found),
            ", ".join(found[:5]) + (", ..." if len(found) > 5 else ""),
        )


def parse_updated_at(html: str) -> datetime | None:
    """The page's 更新时间 (Beijing time), read from the raw HTML, wherever its tags split it."""
    match = _UPDATED.search(html)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)
    except ValueError:
        return None


def _code_tables(table: Tag) -> Iterator[tuple[Tag, dict[str, int]]]:
    """``table`` if it is an error-code table, else any error-code tables nested inside it."""
    columns = _header_map(table)
    if columns is not None:
        yield table, columns
        return
    for inner in table.find_all("table"):
        columns = _header_map(inner)
        if columns is not None:
            yield inner, columns


def _heading_text(tag: Tag) -> str:
    return _cell(tag)[0].strip(_HEADING_MARKS)


def _heading_anchor(tag: Tag) -> str | None:
    if ident := tag.get("id"):
        return str(ident)
    for inner in tag.find_all(["a", "span"]):
        for attr in ("id", "name"):
            if value := inner.get(attr):
                return str(value)
        href = inner.get("href")
        if isinstance(href, str) and href.startswith("#") and len(href) > 1:
            return unquote(href[1:])
    return None


# A section's title, anchor, and whether the page named it (False: a placeholder title)
_Name = tuple[str, str, bool]


def _section_names(
    tables: list[_Table], toc: list[tuple[str, str]], page_names: set[str]
) -> list[_Name]:
    """A (title, anchor, named) per table: its own heading, or else the page's table of contents.

    Headings name the sections when every table has one and no two share it. Where the article
    has no section headings (each table's nearest heading is the page's own h1), the on-page
    table of contents lists the sections in table order. The page's own title or h1 never names
    a section: a table without a name gets the placeholder ``table N`` (its place on the page),
    an empty anchor, and ``named`` False (#10).
    """
    headings = [t.heading if t.heading not in page_names else None for t in tables]
    if all(headings) and len(set(headings)) == len(headings):
        return [(h or "", t.anchor or h or "", True) for h, t in zip(headings, tables, strict=True)]
    entries = _toc_entries(toc, len(tables))
    if entries:
        return [(title, anchor, True) for title, anchor in entries]
    names: list[_Name] = []
    used: set[str] = set()
    unnamed: list[str] = []
    for index, (heading, table) in enumerate(zip(headings, tables, strict=True), start=1):
        base = heading or f"table {index}"
        title, count = base, 1
        while title in used:  # titles identify sections, so a repeated heading gets a number
            count += 1
            title = f"{base} ({count})"
        used.add(title)
        if heading is None:
            unnamed.append(title)
            names.append((title, "", False))
        else:
            names.append((title, table.anchor if count == 1 and table.anchor else title, True))
    if unnamed:
        logger.warning(
            "the page names no section for %d of %d tables (no heading of their own, no table of "
            "contents): they are called %s, placeholders that name no section on the page",
            len(unnamed),
            len(tables),
            ", ".join(unnamed[:3]) + (", ..." if len(unnamed) > 3 else ""),
        )
    return names


def _toc_entries(toc: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    unique = list(dict.fromkeys((text, frag) for text, frag in toc if text))
    # Entries whose anchor is their own text are the site's heading anchors: the surest sign.
    for candidates in ([e for e in unique if e[0] == e[1]], unique):
        if len(candidates) == count:
            return candidates
    return []


# -- reading one table ---------------------------------------------------------------------------

# code, the note beside it, message, description, the description's links as (text, raw href),
# and the texts of the extra columns
_RawLink = tuple[str, str]
_Row = tuple[int, str, str, str, tuple[_RawLink, ...], tuple[str, ...]]


def _rows(table: Tag) -> Iterator[Tag]:
    for child in table.contents:
        name = child.name  # type: ignore[attr-defined]  # strings have name None
        if name == "tr":
            yield child  # type: ignore[misc]
        elif name in ("thead", "tbody", "tfoot"):
            for row in child.contents:  # type: ignore[attr-defined]
                if row.name == "tr":
                    yield row


def _cells(row: Tag) -> list[Tag]:
    return [c for c in row.contents if c.name in ("td", "th")]  # type: ignore[attr-defined,misc]


def _header_map(table: Tag) -> dict[str, int] | None:
    """Column index of code, message and description, from the first row; None if not ours."""
    first = next(_rows(table), None)
    if first is None:
        return None
    found: dict[str, int] = {}
    column = 0
    for cell in _cells(first):
        key = _header_key(_cell(cell)[0])
        for role, names in _COLUMNS.items():
            if key in names and role not in found:
                found[role] = column
        column += _span(cell, "colspan")
    if "code" in found and "message" in found:
        return found
    return None


def _header_key(text: str) -> str:
    return cosmetic_key(text).lower()


_CODE = re.compile(r"(\d+)\s*(.*)", re.S)
_NOTE_BRACKETS = {"(": ")", "（": "）", "[": "]", "【": "】", "〔": "〕"}
_NOTE_MARKS = "*※†"


def _code(text: str) -> tuple[int, str] | None:
    """The code of a code cell and the note written beside it: ``101301（废弃）``,
    ``101301 (deprecated)``, ``101301<br>废弃`` (#9). None if the cell holds no one code: a
    note, a range (``101301-101305``) or a list of codes is not a row of its own."""
    match = _CODE.fullmatch(text)
    if match is None:
        return None
    digits, note = match.groups()
    if note:
        close = _NOTE_BRACKETS.get(note[0])
        if close and note.endswith(close):
            note = note[1:-1].strip()
        if note and not (note[0].isalpha() or note[0] in _NOTE_MARKS):
            return None
    return int(digits), note


@dataclass(frozen=True)
class _Layout:
    """Where a table keeps what is read of it, from its header row."""

    headers: tuple[str, ...]  # code, message, description, then the extra columns
    extra_keys: tuple[str, ...]  # the extra columns' keys in each record's ``extra``
    wanted: tuple[int, ...]  # the column of each of ``headers``
    width: int  # the cells a row needs to have all of them
    header_row: tuple[str, ...]  # the header row as compared, to know it when repeated


def _read_table(
    table: Tag, columns: dict[str, int], section: str, heading: str | None, anchor: str | None
) -> _Table:
    """The table's headers and rows, read in one pass over its cells.

    Rows that are not error codes are skipped (a note across the table, a header repeated
    mid-table, a code cell holding no code), each with a debug line; a table where they are
    the majority is not one the parser knows, and fails naming its first such row (#9).
    """
    rows = _rows(table)
    layout = _layout(_cells(next(rows)), columns, section)
    out: list[_Row] = []
    skipped: list[str] = []  # why each row that is not a record was not one
    pending: dict[int, tuple[Tag, int]] = {}
    spanned: dict[int, tuple[str, tuple[_RawLink, ...]]] = {}  # cells spanning rows, read once
    for number, row in enumerate(rows, start=2):
        grid = _grid_row(_cells(row), pending) if pending or _has_spans(row) else _cells(row)
        if len(grid) < 2 or all(c is grid[0] for c in grid):
            logger.debug("table %r, row %d: a note across the table, skipped", section, number)
            continue
        if len(grid) < layout.width:
            skipped.append(f"row {number}: {len(grid)} cells where {layout.width} are needed")
            logger.debug("table %r, %s: skipped", section, skipped[-1])
            continue
        texts = _wanted_texts(grid, layout.wanted, spanned, read_once=bool(pending))
        code = _code(texts[0][0])
        if code is None:
            if _is_header_row(grid, layout.header_row):
                logger.debug("table %r, row %d: the header row repeated, skipped", section, number)
                continue
            skipped.append(f"row {number}: the code {texts[0][0]!r} is not a number")
            logger.debug("table %r, %s: skipped", section, skipped[-1])
            continue
        extra = tuple(text for text, _ in texts[3:])
        out.append((code[0], code[1], texts[1][0], texts[2][0], texts[2][1], extra))
    _refuse_mostly_skipped(section, skipped, len(out))
    return _Table(heading, anchor, layout.headers, out, layout.extra_keys)


def _layout(header_cells: list[Tag], columns: dict[str, int], section: str) -> _Layout:
    """The table's layout from its header row; a ``ParseError`` when it has no 说明 column."""
    header_texts = [_cell(c)[0] for c in header_cells]
    if "description" not in columns:
        raise ParseError(
            f"table {section!r}: no 说明 column (headers: {' | '.join(header_texts)})",
            hint="the page layout changed; the parser needs updating",
        )
    labels = _expand(
        [(t, _span(c, "colspan")) for t, c in zip(header_texts, header_cells, strict=True)]
    )
    known = (columns["code"], columns["message"], columns["description"])
    extra_at, extra_keys = _extra_columns(header_cells, header_texts, set(columns.values()))
    wanted = (*known, *extra_at)
    return _Layout(
        headers=(*(labels[at] for at in known), *extra_keys),
        extra_keys=extra_keys,
        wanted=wanted,
        width=max(wanted) + 1,
        header_row=tuple(_header_key(t) for t in labels),
    )


def _wanted_texts(
    grid: list[Tag],
    wanted: tuple[int, ...],
    spanned: dict[int, tuple[str, tuple[_RawLink, ...]]],
    *,
    read_once: bool,
) -> list[tuple[str, tuple[_RawLink, ...]]]:
    """The text and links of each wanted cell of the row. A cell spanning columns is read in
    its first only; one spanning rows (``read_once``, or any cell with attributes) is read
    once and remembered in ``spanned``."""
    texts: list[tuple[str, tuple[_RawLink, ...]]] = []
    for at in wanted:
        cell = grid[at]
        if at and cell is grid[at - 1]:
            texts.append(_EMPTY)
        elif read_once or cell.attrs:
            key = id(cell)
            if key not in spanned:
                spanned[key] = _cell(cell)
            texts.append(spanned[key])
        else:
            texts.append(_cell(cell))
    return texts


def _refuse_mostly_skipped(section: str, skipped: list[str], records: int) -> None:
    """A ``ParseError`` when most rows were skipped: the table is not one the parser knows."""
    if len(skipped) > records:
        raise ParseError(
            f"table {section!r}: {len(skipped)} of {len(skipped) + records} rows are not "
            f"error codes; {skipped[0]}",
            hint="the page layout changed; the parser needs updating",
        )


_EMPTY: tuple[str, tuple[_RawLink, ...]] = ("", ())


def _extra_columns(
    cells: list[Tag], texts: list[str], known: set[int]
) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The columns beyond code, message and description: where each starts, and its key in a
    record's ``extra`` (its header text; ``column N`` when blank; numbered when repeated)."""
    at: list[int] = []
    keys: list[str] = []
    column = 0
    for cell, text in zip(cells, texts, strict=True):
        if column not in known:
            key = base = text or f"column {column + 1}"
            count = 1
            while key in keys:
                count += 1
                key = f"{base} ({count})"
            at.append(column)
            keys.append(key)
        column += _span(cell, "colspan")
    return tuple(at), tuple(keys)


def _is_header_row(grid: list[Tag], header_row: tuple[str, ...]) -> bool:
    """Whether the row repeats the header row (long tables repeat it every so many rows)."""
    length = min(len(grid), len(header_row))
    return tuple(_header_key(_cell(c)[0]) for c in grid[:length]) == header_row[:length]


def _has_spans(row: Tag) -> bool:
    return any(c.attrs for c in row.contents if isinstance(c, Tag))


def _grid_row(cells: list[Tag], pending: dict[int, tuple[Tag, int]]) -> list[Tag]:
    """The row's cells by column, with cells that earlier rows span down into filled in."""
    grid: list[Tag] = []
    queue = iter(cells)
    column = 0
    while True:
        if column in pending:
            cell, left = pending[column]
            grid.append(cell)
            if left > 1:
                pending[column] = (cell, left - 1)
            else:
                del pending[column]
            column += 1
            continue
        upcoming = next(queue, None)
        if upcoming is None:
            if any(c > column for c in pending):
                column += 1  # a gap: a later column is still spanned from above
                continue
            return grid
        rowspan = _span(upcoming, "rowspan")
        for _ in range(_span(upcoming, "colspan")):
            grid.append(upcoming)
            if rowspan > 1:
                pending[column] = (upcoming, rowspan - 1)
            column += 1


def _expand(spans: list[tuple[str, int]]) -> list[str]:
    return [text for text, count in spans for _ in range(count)]


def _span(cell: Tag, attr: str) -> int:
    if not cell.attrs:
        return 1
    value = cell.attrs.get(attr)
    try:
        return max(1, min(int(str(value).strip()), _MAX_SPAN)) if value else 1
    except ValueError:
        return 1


_UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")


def _cell(cell: Tag) -> tuple[str, tuple[_RawLink, ...]]:
    """The cell as plain text, and its links, in one walk: line breaks and paragraphs become
    spaces, inline tags nothing; comments and scripts are not text."""
    contents = cell.contents
    if len(contents) == 1 and type(contents[0]) is NavigableString:
        return normalize_space(contents[0]), ()
    parts: list[str] = []
    links: list[_RawLink] = []
    stack: list[object] = list(reversed(contents))
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is NavigableString or kind is str:
            parts.append(node)  # type: ignore[arg-type]
        elif isinstance(node, Tag):
            name = node.name
            href = str(node.attrs.get("href") or "").strip() if name == "a" else ""
            if href and not href.lower().startswith(_UNSAFE_SCHEMES):
                links.append((normalize_space(node.get_text()), href))
            if name in _BLOCKS:
                parts.append(" ")
                stack.append(" ")
            stack.extend(reversed(node.contents))
    return normalize_space("".join(parts)), tuple(links)


def _link(raw: _RawLink, page_url: str) -> Link:
    text, href = raw
    return Link(text=text, href=urljoin(page_url, href))


# -- when there is no error-code table -----------------------------------------------------------

_WHAT_TO_DO = "open the URL in a browser; if the page moved, pass its new address with --source"
_CAPTCHA = (
    "captcha",
    "验证码",
    "人机验证",
    "安全验证",
    "滑动验证",
    "geetest",
    "请完成验证",
    "verify you are human",
)
_LOGIN = ("请登录", "登录后", "sign in", "log in to", "用户登录", "账号登录")
_NEEDS_JS = (
    "enable javascript",
    "启用 javascript",
    "开启 javascript",
    "需要 javascript",
    "javascript is required",
)
_ERROR_TITLE = re.compile(
    r"\b(404|403|500|502|503)\b|not found|error|页面不存在|出错|错误页|无法访问", re.I
)


_SCRIPT_SHELL = "a script-only shell: its content needs JavaScript, which nim-scrape does not run"


def diagnose(html: str) -> str:
    """One phrase saying what a page without error-code tables is instead."""
    head = html.lstrip()[:2000]
    if not head:
        return "the page is empty"
    if head[0] in "{[" or "<" not in head:
        return "the body is not HTML (it starts with " + repr(head[:40]) + ")"
    with warnings.catch_warnings():  # a short text is a page, not a file name
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "lxml")
    title = normalize_space(soup.title.get_text()) if soup.title else ""
    for tag in soup(["script", "style", "noscript", "template"]):
        if tag.name == "noscript" and any(k in tag.get_text().lower() for k in _NEEDS_JS):
            return _SCRIPT_SHELL
        tag.decompose()
    text = normalize_space(soup.get_text(" ")).lower()
    if any(word in text or word in title.lower() for word in _CAPTCHA):
        return f"a captcha or verification page ({title or 'untitled'})"
    if soup.find("input", attrs={"type": "password"}) or any(w in text for w in _LOGIN):
        return f"a login page ({title or 'untitled'})"
    if _ERROR_TITLE.search(title):
        return f"an error page served as a success ({title!r})"
    if len(text) < 200 and html.count("<script") > 0:
        return _SCRIPT_SHELL
    tables = soup.find_all("table")
    if tables:
        first = tables[0].find("tr")
        seen = (
            " | ".join(normalize_space(c.get_text()) for c in first.find_all(["td", "th"]))
            if first
            else ""
        )
        return (
            f"{len(tables)} table(s), none with the columns code / desc / 说明 "
            f"(first row: {seen!r})"
        )
    return f"no error-code tables ({title or 'untitled'})"
