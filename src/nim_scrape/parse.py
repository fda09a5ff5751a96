"""Turning the page's HTML into a catalogue: every error-code table, wherever it sits.

The only module that imports BeautifulSoup. It is pure: HTML text in, ``Catalogue`` out, or a
``PageError`` saying what the page is instead, or a ``ParseError`` naming the table and row that
no longer match.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urljoin

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString
from bs4.filter import SoupStrainer

from ._gc import paused
from .errors import PageError, ParseError
from .models import BEIJING, DEFAULT_PAGE_URL, Catalogue, Link, Record, Section
from .text import cosmetic_key, find_placeholders, normalize_space

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
_BLOCKS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "hr"})
_HEADING_MARKS = "#¶§🔗 \u00a0"
_UPDATED = re.compile(
    r"更新时间\s*[:：]?(?:\s|&nbsp;|&#160;|&#xa0;|<[^>]{0,200}>)*"
    r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s|&nbsp;|T)+(\d{1,2}):(\d{2})(?::(\d{2}))?"
)
_MAX_SPAN = 1000


@dataclass
class _Table:
    heading: str | None
    anchor: str | None
    headers: tuple[str, str, str]
    rows: list[_Row]


class _PageReader:
    """Takes the kept elements one at a time, in page order, and keeps only plain values."""

    def __init__(self) -> None:
        self.canonical: str | None = None
        self.title = ""
        self.tables: list[_Table] = []
        self.toc: list[tuple[str, str]] = []
        self.heading: tuple[str, str | None] | None = None

    def take(self, tag: Tag) -> None:
        name = tag.name
        if name == "table":
            for found, columns in _code_tables(tag):
                label = self.heading[0] if self.heading else f"table {len(self.tables) + 1}"
                headers, rows = _read_table(found, columns, label)
                heading, anchor = self.heading or (None, None)
                self.tables.append(_Table(heading, anchor, headers, rows))
        elif name in _HEADINGS:
            text = _heading_text(tag)
            if text:
                self.heading = (text, _heading_anchor(tag))
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


class _StreamingSoup(BeautifulSoup):
    """A strained soup that hands each kept element to ``take`` as soon as it is closed, and then
    frees it: only one table is ever built at a time, so memory stays flat on a huge page (#6)."""

    def __init__(self, html: str, take: Callable[[Tag], None]) -> None:
        self._take = take
        super().__init__(html, "lxml", parse_only=_STRAINER, multi_valued_attributes=None)
        for leftover in list(self.contents):  # elements a truncated page never closed
            if isinstance(leftover, Tag):
                take(leftover)

    def handle_endtag(self, name: str, nsprefix: str | None = None) -> None:
        super().handle_endtag(name, nsprefix)
        if self.currentTag is self and self.contents:
            done = self.contents[-1]
            if isinstance(done, Tag) and done.name == name:
                self._take(done)
                done.decompose()
                self._most_recent_element = None


def parse_page(html: str, *, url: str = DEFAULT_PAGE_URL) -> Catalogue:
    """Every error-code table of ``html`` as records, in page order.

    ``url`` is where the page came from; a ``<link rel="canonical">`` on the page wins over it,
    so a local copy of the page gets the live page's section links.
    """
    reader = _PageReader()
    with paused():
        _StreamingSoup(html, reader.take)
    if not reader.tables:
        raise PageError(f"{url} is not the NIM error-code page: {diagnose(html)}", hint=_WHAT_TO_DO)
    page_url = reader.canonical or url
    names = _section_names(reader.tables, reader.toc)
    with paused():
        return _catalogue(reader, names, page_url, html)


def _catalogue(
    reader: _PageReader, names: list[tuple[str, str]], page_url: str, html: str
) -> Catalogue:
    base = page_url.split("#", 1)[0]
    sections: list[Section] = []
    records: list[Record] = []
    links_seen: dict[_RawLink, Link] = {}
    for table, (section_title, anchor) in zip(reader.tables, names, strict=True):
        for code, message, description, raw_links in table.rows:
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
                )
            )
        sections.append(
            Section(
                title=section_title,
                anchor=anchor,
                url=f"{base}#{anchor}",
                headers=table.headers,
                record_count=len(table.rows),
            )
        )
    return Catalogue.build(
        sections=tuple(sections),
        records=tuple(records),
        page_url=page_url,
        page_title=reader.title,
        updated_at=parse_updated_at(html),
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


def _section_names(tables: list[_Table], toc: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A (title, anchor) per table: its own heading, or else the page's table of contents.

    Headings name the sections when every table has one and no two share it. Where the article
    has no section headings (each table's nearest heading is the page title), the on-page table
    of contents lists the sections in table order.
    """
    headings = [t.heading for t in tables]
    if all(headings) and len(set(headings)) == len(headings):
        return [(t.heading or "", t.anchor or t.heading or "") for t in tables]
    entries = _toc_entries(toc, len(tables))
    if entries:
        return entries
    logger.warning("sections could not all be named from headings or a table of contents")
    names: list[tuple[str, str]] = []
    used: set[str] = set()
    for index, table in enumerate(tables, start=1):
        base = table.heading or f"表格 {index}"
        title, count = base, 1
        while title in used:  # titles identify sections, so a repeated heading gets a number
            count += 1
            title = f"{base} ({count})"
        used.add(title)
        names.append((title, table.anchor if count == 1 and table.anchor else title))
    return names


def _toc_entries(toc: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    unique = list(dict.fromkeys((text, frag) for text, frag in toc if text))
    # Entries whose anchor is their own text are the site's heading anchors: the surest sign.
    for candidates in ([e for e in unique if e[0] == e[1]], unique):
        if len(candidates) == count:
            return candidates
    return []


# -- reading one table ---------------------------------------------------------------------------

# code, message, description, and the description's links as (text, raw href)
_RawLink = tuple[str, str]
_Row = tuple[int, str, str, tuple[_RawLink, ...]]


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
        key = cosmetic_key(_cell(cell)[0]).lower()
        for role, names in _COLUMNS.items():
            if key in names and role not in found:
                found[role] = column
        column += _span(cell, "colspan")
    if "code" in found and "message" in found:
        return found
    return None


def _read_table(
    table: Tag, columns: dict[str, int], section: str
) -> tuple[tuple[str, str, str], list[_Row]]:
    """The table's headers and rows, read in one pass over its cells."""
    rows = _rows(table)
    header_cells = _cells(next(rows))
    header_texts = [_cell(c)[0] for c in header_cells]
    if "description" not in columns:
        raise ParseError(
            f"table {section!r}: no 说明 column (headers: {' | '.join(header_texts)})",
            hint="the page layout changed; the parser needs updating",
        )
    labels = _expand(
        [(t, _span(c, "colspan")) for t, c in zip(header_texts, header_cells, strict=True)]
    )
    headers = (labels[columns["code"]], labels[columns["message"]], labels[columns["description"]])
    code_at, message_at, description_at = (
        columns["code"],
        columns["message"],
        columns["description"],
    )
    width = max(columns.values()) + 1
    out: list[_Row] = []
    pending: dict[int, tuple[Tag, int]] = {}
    spanned: dict[int, tuple[str, tuple[_RawLink, ...]]] = {}  # cells spanning rows, read once
    for number, row in enumerate(rows, start=2):
        grid = _grid_row(_cells(row), pending) if pending or _has_spans(row) else _cells(row)
        if len(grid) < 2 or all(c is grid[0] for c in grid):
            continue  # an empty row, or a note in one cell across the table
        if len(grid) < width:
            raise ParseError(
                f"table {section!r}, row {number}: {len(grid)} cells where {width} are needed",
                hint="the page layout changed; the parser needs updating",
            )
        texts = []
        for at in (code_at, message_at, description_at):
            cell = grid[at]
            if pending or cell.attrs:
                key = id(cell)
                if key not in spanned:
                    spanned[key] = _cell(cell)
                texts.append(spanned[key])
            else:
                texts.append(_cell(cell))
        code_text = texts[0][0]
        try:
            code = int(code_text)
        except ValueError:
            raise ParseError(
                f"table {section!r}, row {number}: the code {code_text!r} is not a number",
                hint="the page layout changed; the parser needs updating",
            ) from None
        out.append((code, texts[1][0], texts[2][0], texts[2][1]))
    return headers, out


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
