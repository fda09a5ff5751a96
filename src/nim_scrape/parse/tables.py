"""Turning the page's HTML into a catalogue: every error-code table, wherever it sits.

With ``_bs4_stream`` (which holds what it needs of bs4's inner workings), the only module that
imports BeautifulSoup. It is pure: HTML text in, ``Catalogue`` out, or a ``PageError`` saying
what the page is instead, or a ``ParseError`` naming the table and row that no longer match.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urljoin

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag
from bs4.element import NavigableString
from bs4.filter import SoupStrainer

from nim_scrape._gc import paused
from nim_scrape.about import DEFAULT_PAGE_URL
from nim_scrape.catalogue.models import BEIJING, Catalogue, Link, Record, Section
from nim_scrape.catalogue.text import find_placeholders, normalize_space
from nim_scrape.errors import PageError, ParseError
from nim_scrape.parse._bs4_stream import stream
from nim_scrape.parse.columns import Columns, header_key, match_columns, role_of

__all__ = ["parse_page"]

logger = logging.getLogger(__name__)

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Only these are built into the tree; the page's chrome is skipped by the parser (tree
# building is where the time goes).
_STRAINER = SoupStrainer([*_HEADINGS, "table", "a", "title", "link"])

# Tags a reader sees as separate blocks: each becomes a space. Cells and rows of a table nested
# in a cell are among them, so their texts are never glued together.
_BLOCKS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "hr", "table", "caption", "tr", "td", "th", "dt", "dd"}
)
_HEADING_MARKS = "#¶§🔗 \u00a0"
_UPDATED = re.compile(
    r"(?:更新时间|Update time)\s*[:：]?(?:\s|&nbsp;|&#160;|&#xa0;|<[^>]{0,200}>)*"
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
    headers: tuple[str, ...]  # code, message, description ("" where absent), then the extras
    # The table's rows by group: the rows before any group row (group None), then each group
    # row's name and the rows under it.
    groups: list[tuple[str | None, list[_Row]]]
    extra: tuple[str, ...] = ()  # the extra columns' keys in each record's ``extra``


class _PageReader:
    """Takes the kept elements one at a time, in page order, and keeps only plain values."""

    def __init__(self, override: Mapping[str, str] | None = None) -> None:
        self.override = override
        self.canonical: str | None = None
        self.title = ""
        self.tables: list[_Table] = []
        self.toc: list[tuple[str, str]] = []
        self.heading: tuple[str, str | None] | None = None
        self.h1: list[str] = []

    def take(self, tag: Tag) -> None:
        name = tag.name
        if name == "table":
            for found, columns in _code_tables(tag, self.override):
                heading, anchor = self.heading or (None, None)
                # How errors name the table: its place, and its heading unless that is the
                # page's own name.
                label = f"table {len(self.tables) + 1}"
                if heading and heading not in self.page_names():
                    label += f" under {heading!r}"
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
        """The page's own names, which never name a section: its title, the title's first
        part (错误码 of "错误码 - 即时通讯 IM - 网易云信文档中心"), and its h1 when it has one."""
        names = {self.title, _TITLE_PARTS.split(self.title, 1)[0]} - {""}
        if len(self.h1) == 1:
            names.add(self.h1[0])
        return names


def parse_page(
    html: str, *, url: str = DEFAULT_PAGE_URL, columns: Mapping[str, str] | None = None
) -> Catalogue:
    """Every error-code table of ``html`` as records, in page order.

    ``url`` is where the page came from; a ``<link rel="canonical">`` on the page wins over it,
    so a local copy of the page gets the live page's section links. ``columns`` maps a column
    role (``code``, ``message``, ``description``) to the header that holds it on this page,
    for headers ``parse.columns`` has no word for; a header no table has is a ``ParseError``.
    """
    match_columns((), columns)  # an unusable mapping is refused before the page is read
    reader = _PageReader(columns)
    stream(html, reader.take, only=_STRAINER)
    if not reader.tables:
        raise PageError(f"{url} is not the NIM error-code page: {diagnose(html)}", hint=_WHAT_TO_DO)
    if columns:
        _refuse_unused_override(columns, reader.tables)
    page_url = reader.canonical or url
    names = _section_names(reader.tables, reader.toc, reader.page_names())
    sections = _sections(reader.tables, names)
    if _REPLACEMENT.search(html):  # looked for in the text once, not in every cell
        _warn_replacement_characters(sections)
    with paused():
        return _catalogue(reader, sections, page_url, html)


# One section of the catalogue: its title, anchor, whether the page names it, the headers and
# extra keys of its table, and its rows
@dataclass(frozen=True)
class _Part:
    title: str
    anchor: str
    named: bool
    table: _Table
    rows: list[_Row]


def _sections(tables: list[_Table], names: list[_Name]) -> list[_Part]:
    """A section per table, or per group of rows where a table has group rows: the rows before
    the first group row are the table's own section (none when there are no such rows), each
    group's rows are a section named by the group row, at the table's anchor."""
    parts: list[_Part] = []
    used = {title for title, _, _ in names}
    for table, (title, anchor, named) in zip(tables, names, strict=True):
        for group, rows in table.groups:
            if group is None:
                parts.append(_Part(title, anchor, named, table, rows))
                continue
            name, count = group, 1
            while name in used:  # titles identify sections: a repeated group name is numbered
                count += 1
                name = f"{group} ({count})"
            used.add(name)
            parts.append(_Part(name, anchor, True, table, rows))
    return parts


def _refuse_unused_override(columns: Mapping[str, str], tables: list[_Table]) -> None:
    """A ``ParseError`` when a header the caller named is in none of the page's code tables:
    the page no longer has the column the configuration expects."""
    seen = {header_key(h) for table in tables for h in table.headers}
    for role, header in columns.items():
        if header_key(header) not in seen:
            raise ParseError(
                f"no error-code table on the page has the column {header!r} "
                f"(given as its {role} column)",
                hint="check the page's headers, and the columns given for it",
            )


def _catalogue(reader: _PageReader, parts: list[_Part], page_url: str, html: str) -> Catalogue:
    base = page_url.split("#", 1)[0]
    sections: list[Section] = []
    records: list[Record] = []
    links_seen: dict[_RawLink, Link] = {}
    for part in parts:
        keys = part.table.extra
        for code, note, message, description, raw_links, extra in part.rows:
            links = tuple(
                links_seen.get(link) or links_seen.setdefault(link, _link(link, page_url))
                for link in raw_links
            )
            records.append(
                Record.model_construct(
                    section=part.title,
                    code=code,
                    message=message,
                    description=description,
                    section_anchor=part.anchor,
                    links=links,
                    placeholders=find_placeholders(message, description),
                    code_note=note,
                    extra=dict(zip(keys, extra, strict=True)) if extra else {},
                )
            )
        sections.append(
            Section(
                title=part.title,
                anchor=part.anchor,
                url=f"{base}#{part.anchor}" if part.anchor else base,
                headers=part.table.headers,
                record_count=len(part.rows),
                named=part.named,
            )
        )
    return Catalogue.build(
        sections=tuple(sections),
        records=tuple(records),
        page_url=page_url,
        page_title=reader.title,
        updated_at=parse_updated_at(html),
    )


def _warn_replacement_characters(parts: list[_Part]) -> None:
    """The page itself holds U+FFFD (decoding never makes one): kept, as the page's wording,
    but said, since it usually means the vendor's text was damaged before it was published."""
    found = [
        f"{part.title} {row[0]}"
        for part in parts
        for row in part.rows
        if "\ufffd" in row[2] or "\ufffd" in row[3] or any("\ufffd" in v for v in row[5])
    ]
    if found:
        logger.warning(
            "%d record(s) hold U+FFFD replacement characters as published: %s",
            len(found),
            ", ".join(found[:5]) + (", ..." if len(found) > 5 else ""),
        )


def parse_updated_at(html: str) -> datetime | None:
    """The page's 更新时间 (or ``Update time``; Beijing time), read from the raw HTML, wherever
    its tags split it."""
    match = _UPDATED.search(html)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)
    except ValueError:
        return None


def _code_tables(table: Tag, override: Mapping[str, str] | None) -> Iterator[tuple[Tag, Columns]]:
    """``table`` if it is an error-code table, else any error-code tables nested inside it."""
    columns = _header_map(table, override)
    if columns is not None:
        yield table, columns
        return
    for inner in table.find_all("table"):
        columns = _header_map(inner, override)
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
    an empty anchor, and ``named`` False.
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


# Links to the top of the page ("Back to top", 回到顶部): in no table of contents
_TOP = frozenset({"top", "page-top", "pagetop", "app", "main", "content"})


def _toc_entries(toc: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    unique = list(
        dict.fromkeys((text, frag) for text, frag in toc if text and frag.lower() not in _TOP)
    )
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


def _header_map(table: Tag, override: Mapping[str, str] | None) -> Columns | None:
    """The roles of the table's columns, from its first row; None if it has no code column
    (a table of parameters or of anything else: not an error-code table)."""
    first = next(_rows(table), None)
    if first is None:
        return None
    cells = _cells(first)
    columns = match_columns(_expand([(_cell(c)[0], _span(c, "colspan")) for c in cells]), override)
    return None if columns.code is None else columns


def _header_key(text: str) -> str:
    return header_key(text)


_CODE = re.compile(r"(\d+)\s*(.*)", re.S)
_NOTE_BRACKETS = {"(": ")", "（": "）", "[": "]", "【": "】", "〔": "〕"}
_NOTE_MARKS = "*※†"


def _code(text: str) -> tuple[int, str] | None:
    """The code of a code cell and the note written beside it: ``101301（废弃）``,
    ``101301 (deprecated)``, ``101301<br>废弃``. None if the cell holds no one code: a
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

    headers: tuple[str, ...]  # code, message, description ("" where absent), then the extras
    extra_keys: tuple[str, ...]  # the extra columns' keys in each record's ``extra``
    wanted: tuple[int | None, ...]  # the column of each of ``headers`` (None: not in the table)
    width: int  # the cells a row needs to have all of them
    header_row: tuple[str, ...]  # the header row as compared, to know it when repeated


def _read_table(
    table: Tag, columns: Columns, label: str, heading: str | None, anchor: str | None
) -> _Table:
    """The table's headers and rows, read in one pass over its cells.

    Rows that are not error codes are skipped (a note across the table, a header repeated
    mid-table, a code cell holding no code), each with a debug line; a table where they are
    the majority is not one the parser knows, and fails naming its first such row. A row
    holding nothing but a short name (``Team``, ``Chat room``) starts a group of rows: a
    section of its own.
    """
    rows = _rows(table)
    layout = _layout(_cells(next(rows)), columns, label)
    groups: list[tuple[str | None, list[_Row]]] = [(None, [])]
    out = groups[0][1]
    skipped: list[str] = []  # why each row that is not a record was not one
    names = 0  # skipped rows whose code is a name (Server_Not_Available), not a number
    pending: dict[int, tuple[Tag, int]] = {}
    spanned: dict[int, tuple[str, tuple[_RawLink, ...]]] = {}  # cells spanning rows, read once
    for number, row in enumerate(rows, start=2):
        grid = _grid_row(_cells(row), pending) if pending or _has_spans(row) else _cells(row)
        across = len(grid) < 2 or all(c is grid[0] for c in grid)
        texts = (
            None
            if across or len(grid) < layout.width
            else _wanted(grid, layout, spanned, read_once=bool(pending))
        )
        code = _code(texts[0][0]) if texts else None
        if code is None:
            if (group := _group_name(grid)) is not None:
                logger.debug("%s, row %d: the group %r starts", label, number, group)
                groups.append((group, []))
                out = groups[-1][1]
                continue
            if across:
                logger.debug("%s, row %d: a note across the table, skipped", label, number)
                continue
            if texts is None:
                skipped.append(f"row {number}: {len(grid)} cells where {layout.width} are needed")
            elif _is_header_row(grid, layout.header_row):
                logger.debug("%s, row %d: the header row repeated, skipped", label, number)
                continue
            else:
                skipped.append(f"row {number}: the code {texts[0][0]!r} is not a number")
                names += bool(_NAME.fullmatch(texts[0][0]))
            logger.debug("%s, %s: skipped", label, skipped[-1])
            continue
        assert texts is not None  # a code was read from them
        extra = tuple(text for text, _ in texts[3:])
        out.append((code[0], code[1], texts[1][0], texts[2][0], texts[2][1], extra))
    records = sum(len(rows) for _, rows in groups)
    _refuse_mostly_skipped(label, skipped, records, names)
    if len(groups) > 1:
        # No empty section: not for the rows before the first group row, nor for a group row
        # followed by another.
        groups = [(name, rows) for name, rows in groups if rows]
    return _Table(heading, anchor, layout.headers, groups, layout.extra_keys)


# A code that is a name: Server_Not_Available, ERR_TIMEOUT, kNIMResSuccess, NIMError.Timeout
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.:]+[A-Za-z_][A-Za-z0-9_]*)*")
# What a group name may hold beside letters, digits and spaces: Chat room, SDK & Server, 聊天室
_GROUP_MARKS = frozenset(" -_&+'·")
_GROUP_WORDS = 6  # Audio & video calls and whiteboard
_GROUP_CJK = 8  # 以下错误码仅适用于 Web 端 is a note, 音视频通话相关 a name


def _group_name(grid: list[Tag]) -> str | None:
    """The name a row holds when it starts a group of rows, or None.

    A group row holds one short name and nothing else: one cell across the row, or one
    non-empty cell among empty ones. A sentence (a note across the table) is not a name, nor
    is a text starting with a digit (a code, a range of codes).
    """
    texts: list[str] = []
    for index, cell in enumerate(grid):
        if index and cell is grid[index - 1]:
            continue
        text = _cell(cell)[0]
        if text:
            texts.append(text)
            if len(texts) > 1:
                return None
    if len(texts) != 1:
        return None
    name = texts[0]
    words = name.split()
    if (
        not name[0].isalpha()
        or len(words) > _GROUP_WORDS
        or sum(ord(c) >= 0x2E80 for c in name) > _GROUP_CJK
        or not all(c.isalnum() or c in _GROUP_MARKS for c in name)
    ):
        return None
    return name


def _layout(header_cells: list[Tag], columns: Columns, label: str) -> _Layout:
    """The table's layout from its header row; a ``ParseError`` naming the role it lacks."""
    header_texts = [_cell(c)[0] for c in header_cells]
    if columns.missing:
        raise ParseError(
            f"{label}: found a table with columns {' | '.join(header_texts)!r}: "
            f"no {columns.missing} column",
            hint="the page layout changed; the parser needs updating",
        )
    labels = _expand(
        [(t, _span(c, "colspan")) for t, c in zip(header_texts, header_cells, strict=True)]
    )
    known = (columns.code, columns.message, columns.description)
    extra_at, extra_keys = _extra_columns(header_cells, header_texts, set(columns.known()))
    wanted = (*known, *extra_at)
    return _Layout(
        headers=(*("" if at is None else labels[at] for at in known), *extra_keys),
        extra_keys=extra_keys,
        wanted=wanted,
        width=max(at for at in wanted if at is not None) + 1,
        header_row=tuple(_header_key(t) for t in labels),
    )


# Cells standing for no text: a dash, as pages write where a column has nothing to say
_NOTHING = frozenset({"-", "\u2014", "\u2013", "\u2014\u2014"})


def _wanted(
    grid: list[Tag],
    layout: _Layout,
    spanned: dict[int, tuple[str, tuple[_RawLink, ...]]],
    *,
    read_once: bool,
) -> list[tuple[str, tuple[_RawLink, ...]]]:
    """The text and links of each wanted cell of the row. A cell spanning columns is read in
    its first only; one spanning rows (``read_once``, or any cell with attributes) is read
    once and remembered in ``spanned``. A dash standing for nothing (``-``, ``—``, ``–``) is
    the empty text."""
    texts: list[tuple[str, tuple[_RawLink, ...]]] = []
    for at in layout.wanted:
        if at is None:
            texts.append(_EMPTY)
            continue
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
        if texts[-1][0] in _NOTHING:
            texts[-1] = _EMPTY
    return texts


def _refuse_mostly_skipped(label: str, skipped: list[str], records: int, names: int) -> None:
    """A ``ParseError`` when most rows were skipped: the table is not one the parser knows; a
    ``PageError`` when most of those hold names where codes should be, which nim-scrape does
    not read (its codes are numbers)."""
    if len(skipped) <= records:
        return
    if names * 2 > len(skipped):
        raise PageError(
            f"{label}: its code column holds names, not numbers",
            hint="nim-scrape reads tables of numeric error codes only",
        )
    raise ParseError(
        f"{label}: {len(skipped)} of {len(skipped) + records} rows are not "
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
# "error" alone: a server's error page; not "Error Codes" or "ErrorCode", the title of the very
# pages nim-scrape reads.
_ERROR_TITLE = re.compile(
    r"\b(404|403|500|502|503)\b|not found|\berror\b(?![\s_-]*(?:codes?|messages?)\b)"
    r"|页面不存在|出错|错误页|无法访问",
    re.I,
)
# What diagnose says of a captcha or a login page: a wall that running scripts would not open.
WALLS = ("a captcha or verification page", "a login page")

_SCRIPT_SHELL = "a script-only shell: its content needs JavaScript, which nim-scrape does not run"


def diagnose(html: str) -> str:
    """One phrase saying what a page without error-code tables is instead.

    A page holding tables of codes is said to be that, whatever else its text or title holds:
    an error-code page mentions 登录 and 验证码, and its title says "Error Codes".
    """
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
    tables = soup.find_all("table")
    if any(_holds_codes(table) for table in tables):
        return _tables_found(tables)
    text = normalize_space(soup.get_text(" ")).lower()
    if any(word in text or word in title.lower() for word in _CAPTCHA):
        return f"{WALLS[0]} ({title or 'untitled'})"
    if soup.find("input", attrs={"type": "password"}) or any(w in text for w in _LOGIN):
        return f"{WALLS[1]} ({title or 'untitled'})"
    if _ERROR_TITLE.search(title):
        return f"an error page served as a success ({title!r})"
    if len(text) < 200 and html.count("<script") > 0:
        return _SCRIPT_SHELL
    if tables:
        return _tables_found(tables)
    return f"no error-code tables ({title or 'untitled'})"


def _tables_found(tables: list[Tag]) -> str:
    """What the page's tables lack: the header row of the first that looks like a table of
    codes (or of the first table), and the role no column of it has."""
    shown = next((t for t in tables if _holds_codes(t)), tables[0])
    header = " | ".join(_row_texts(shown.find("tr")))
    if len(tables) == 1:
        return f"found a table with columns {header!r}: no code column"
    return f"found {len(tables)} tables, none with a code column (one has columns {header!r})"


def _row_texts(row: Tag | None) -> list[str]:
    if row is None:
        return []
    return [normalize_space(c.get_text(" ")) for c in row.find_all(["td", "th"], recursive=False)]


def _holds_codes(table: Tag) -> bool:
    """Whether ``table`` looks like a table of error codes whose code column the parser did not
    recognise: a header naming a message or a description, or a column of mostly numbers."""
    rows = table.find_all("tr")
    if not rows:
        return False
    if any(role_of(text) for text in _row_texts(rows[0])):
        return True
    body = [_row_texts(row) for row in rows[1:]]
    for column in range(max((len(cells) for cells in body), default=0)):
        cells = [cells[column] for cells in body if len(cells) > column and cells[column]]
        numbers = sum(_code(cell) is not None for cell in cells)
        if len(cells) >= 2 and numbers * 2 > len(cells):
            return True
    return False
