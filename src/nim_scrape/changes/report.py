"""Change reports: one report model, rendered as text for the terminal, Markdown for pull
requests and chat, JSON for machines.

Pure: a ``CatalogueDiff`` in, text out. ``build_report`` lays the report out once, already
folded: the counts, then the substantive changes block by block, then the cosmetic ones
folded together. The renderers only draw blocks, as urlwatch's reporters share one report.

What the report holds is declared once, in ``_PARTS``: one entry per list of the diff gives its
JSON list, its count, its words in the summary line, its block and its lines in the cosmetic
fold. A new list of the differ (``columns_added`` …) is one more entry there.

Nothing from the page reaches a report unescaped: Markdown and HTML are escaped, control
characters were stripped by the parser.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pydantic import Field, create_model

from nim_scrape.catalogue.models import Catalogue, FrozenModel, Record, Section
from nim_scrape.changes.diff import (
    CatalogueDiff,
    ColumnChange,
    HeaderRename,
    RecordChange,
    RecordMove,
    SectionRename,
)

__all__ = [
    "Block",
    "Item",
    "Report",
    "build_report",
    "catalogue_size",
    "first_run_line",
    "md_escape",
    "render",
    "render_first_run",
    "render_json",
    "render_markdown",
    "render_text",
    "report_schema",
    "summary_line",
]

logger = logging.getLogger(__name__)

# How many codes of one section the folded cosmetic summary names before "…".
_FOLD_CODES = 12


# -- the model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One line of a block. ``fields`` hold text as found on the page, unescaped; ``text`` is a
    ``str.format`` template over them; each rendering escapes the fields as it must."""

    text: str
    fields: Mapping[str, str]
    mark: str = ""  # "+", "-", "~", ">": the line's sign (and colour) in the text report
    # For a changed record, one mapping per field: its name, before and after.
    changes: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Block:
    """A titled part of the report.

    ``heading`` is the Markdown heading; consecutive blocks with one heading share it, each
    line led by the block's ``verb`` ("- added: …"). ``columns`` make it a Markdown table:
    (header, field) pairs, one row per item, or per changed field of an item. ``folded``
    blocks come last, and Markdown hides them under ``<details>``.
    """

    key: str
    title: str
    items: tuple[Item, ...]
    heading: str = ""  # the title, if empty
    verb: str = ""
    columns: tuple[tuple[str, str], ...] = ()
    folded: bool = False


@dataclass(frozen=True)
class Report:
    """A change report, laid out once; ``render`` draws it as text, Markdown or JSON.

    ``created`` marks a first run: its diff adds every record and section of the catalogue;
    its text and Markdown say only what was created, its JSON lists every record as added.
    """

    diff: CatalogueDiff
    headline: str
    notes: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    created: bool = False
    extra: tuple[Block, ...] = ()

    @property
    def ordered_blocks(self) -> tuple[Block, ...]:
        """The blocks in the order they are shown: the extra ones before the folded ones."""
        shown = tuple(b for b in self.blocks if not b.folded)
        return shown + self.extra + tuple(b for b in self.blocks if b.folded)

    def with_block(self, title: str, lines: Iterable[str], *, key: str) -> Report:
        """This report with one more titled block of plain lines (e.g. the SDK audit's new
        findings), shown after the changes and before the cosmetic fold, and listed in the
        JSON's ``extra``. A block without lines is left out."""
        items = tuple(Item("{line}", {"line": line}) for line in lines)
        if not items:
            return self
        return replace(self, extra=(*self.extra, Block(key, title, items, heading=title)))


def build_report(diff: CatalogueDiff | None, catalogue: Catalogue | None = None) -> Report:
    """The report of ``diff``; with ``diff=None``, the first run that created ``catalogue``."""
    if diff is None:
        if catalogue is None:
            raise ValueError("a first-run report needs the catalogue it created")
        created = CatalogueDiff(
            updated_after=catalogue.updated_at,
            added=catalogue.records,
            sections_added=catalogue.sections,
        )
        return Report(diff=created, headline=first_run_line(catalogue), created=True)
    blocks = [part.block(part.select(diff)) for part in _PARTS if part.block]
    return Report(
        diff=diff,
        headline=summary_line(diff),
        notes=tuple(note for note in (_when(diff),) if note),
        blocks=tuple(b for b in (*blocks, _fold(diff)) if b.items),
    )


def summary_line(diff: CatalogueDiff) -> str:
    """The counts in one line, e.g. ``20 added, 2 changed, 248 cosmetic; 22 sections renamed``."""
    groups: dict[int, list[str]] = {}
    for part in _BY_PLACE:
        if count := len(part.select(diff)):
            groups.setdefault(part.place[0], []).append(_plural(count, *part.label))
    return "; ".join(", ".join(words) for words in groups.values()) or "no changes"


def first_run_line(catalogue: Catalogue) -> str:
    """What a run with no catalogue before it has to say, in one line."""
    return f"new catalogue: {catalogue_size(catalogue)}"


def catalogue_size(catalogue: Catalogue) -> str:
    """How big ``catalogue`` is, in words: ``254 records in 24 sections``."""
    records = _plural(len(catalogue.records), "record", "records")
    return f"{records} in {_plural(len(catalogue.sections), 'section', 'sections')}"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _when(diff: CatalogueDiff) -> str | None:
    before, after = diff.updated_before, diff.updated_after
    if before == after:
        return None
    old = before.isoformat() if before else "?"
    new = after.isoformat() if after else "?"
    return f"page 更新时间 {old} → {new}"


# -- the parts of a report -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One list of the diff, and everything the report does with it."""

    key: str  # the JSON list and its count
    doc: str
    entries: Any  # the JSON type of the list
    select: Callable[[CatalogueDiff], tuple[Any, ...]]
    label: tuple[str, str]  # the summary's words after the count: one, many
    place: tuple[int, int]  # (group, rank) in the summary line and the JSON
    block: Callable[[tuple[Any, ...]], Block] | None = None  # the block it shows
    fold: Callable[[tuple[Any, ...]], list[Item]] | None = None  # its lines in the fold


_Columns = tuple[tuple[str, str], ...]
_RECORD_COLUMNS: _Columns = (
    ("section", "section"),
    ("code", "code"),
    ("message", "message"),
    ("说明", "description"),
)


def _record_fields(record: Record) -> dict[str, str]:
    return {
        "section": record.section,
        "code": str(record.code),
        "message": record.message,
        "description": record.description,
    }


def _records(key: str, title: str, mark: str) -> Callable[[tuple[Record, ...]], Block]:
    def block(records: tuple[Record, ...]) -> Block:
        template = "{section} {code} {message}: {description}"
        items = tuple(Item(template, _record_fields(r), mark) for r in records)
        return Block(key, title, items, heading=title, columns=_RECORD_COLUMNS)

    return block


def _sections(key: str, verb: str, mark: str) -> Callable[[tuple[Section, ...]], Block]:
    def block(sections: tuple[Section, ...]) -> Block:
        items = tuple(
            Item(
                "{title} ({records})",
                {"title": s.title, "records": _plural(s.record_count, "record", "records")},
                mark,
            )
            for s in sections
        )
        return Block(key, f"Sections {verb}", items, heading="Sections", verb=verb)

    return block


def _renamed_sections(renames: tuple[SectionRename, ...]) -> Block:
    items = tuple(
        Item("{before} → {after}", {"before": r.before, "after": r.after})
        for r in renames
        if not r.cosmetic
    )
    return Block("sections_renamed", "Sections renamed", items, heading="Sections", verb="renamed")


def _changed(changes: tuple[RecordChange, ...]) -> Block:
    labels = _code_labels([(c.section, c.code, c.after.message) for c in changes])
    items = tuple(
        Item(
            "{section} {code} {message}",
            {"section": c.section, "code": str(c.code), "label": label, "message": c.after.message},
            "~",
            tuple(
                {"field": f, "before": _field_text(c.before, f), "after": _field_text(c.after, f)}
                for f in c.fields
            ),
        )
        for c, label in zip(changes, labels, strict=True)
    )
    return Block("changed", "Changed", items, heading="Changed", columns=_CHANGE_COLUMNS)


# A changed record is one row per changed field; its code is labelled when it repeats.
_CHANGE_COLUMNS: _Columns = (
    ("section", "section"),
    ("code", "label"),
    ("field", "field"),
    ("before", "before"),
    ("after", "after"),
)


def _moved(moves: tuple[RecordMove, ...]) -> Block:
    items = tuple(
        Item(
            "{code} {message}: {from} → {to}",
            {
                "code": str(m.code),
                "message": m.after.message,
                "from": m.from_section,
                "to": m.to_section,
            },
            ">",
        )
        for m in moves
    )
    columns = (("code", "code"), ("message", "message"), ("from", "from"), ("to", "to"))
    return Block("moved", "Moved", items, heading="Moved", columns=columns)


_HEADER = "{section} ({column}): {before} → {after}"


def _header_fields(h: HeaderRename) -> dict[str, str]:
    return {"section": h.section, "column": h.column, "before": h.before, "after": h.after}


def _renamed_headers(renames: tuple[HeaderRename, ...]) -> Block:
    items = tuple(Item(_HEADER, _header_fields(h)) for h in renames if not h.cosmetic)
    return Block("headers_renamed", "Column headers renamed", items, heading="Column headers")


def _folded_sections(renames: tuple[SectionRename, ...]) -> list[Item]:
    return [
        Item("section {before} → {after}", {"before": r.before, "after": r.after})
        for r in renames
        if r.cosmetic
    ]


def _folded_headers(renames: tuple[HeaderRename, ...]) -> list[Item]:
    return [Item("header " + _HEADER, _header_fields(h)) for h in renames if h.cosmetic]


def _folded_records(changes: tuple[RecordChange, ...]) -> list[Item]:
    """The codes of the cosmetic changes, one line per section."""
    labels = _code_labels([(c.section, c.code, c.after.message) for c in changes])
    by_section: dict[str, list[str]] = {}
    for change, label in zip(changes, labels, strict=True):
        by_section.setdefault(change.section, []).append(label)
    return [
        Item("{section}: {codes}", {"section": section, "codes": _codes(codes)})
        for section, codes in by_section.items()
    ]


def _fold(diff: CatalogueDiff) -> Block:
    """Every cosmetic change, in one block that comes last."""
    items = tuple(item for part in _PARTS if part.fold for item in part.fold(part.select(diff)))
    what = "(whitespace or punctuation only): " + _plural(len(diff.cosmetic), "record", "records")
    return Block(
        "cosmetic", f"Cosmetic {what}", items, heading=f"Cosmetic changes {what}", folded=True
    )


def _code_labels(rows: list[tuple[str, int, str]]) -> list[str]:
    """Each (section, code, message) as its code; a code listed more than once in one section
    also gets its message, ``403 (invalid AppKey)``, so the rows can be told apart."""
    repeated = Counter((section, code) for section, code, _ in rows)
    return [
        f"{code} ({message})" if repeated[(section, code)] > 1 else str(code)
        for section, code, message in rows
    ]


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:_FOLD_CODES])
    return shown + (f", … ({len(codes)} in all)" if len(codes) > _FOLD_CODES else "")


def _field_text(record: Record, name: str) -> str:
    if name == "links":
        return "; ".join(f"{link.text} <{link.href}>" for link in record.links) or "(none)"
    if name == "extra":
        return "; ".join(f"{column}: {value}" for column, value in record.extra.items()) or "(none)"
    return str(getattr(record, name))


def _columns(key: str, verb: str) -> Callable[[tuple[ColumnChange, ...]], Block]:
    def block(columns: tuple[ColumnChange, ...]) -> Block:
        items = tuple(
            Item("{section}: {column}", {"section": c.section, "column": c.column}) for c in columns
        )
        return Block(key, f"Columns {verb}", items, heading="Columns", verb=verb)

    return block


# In the order of the text and Markdown reports; ``place`` orders the summary and the JSON.
_PARTS: tuple[_Part, ...] = (
    _Part(
        key="sections_renamed",
        doc="Sections matched by their rows whose title changed (cosmetic ones included)",
        entries=tuple[SectionRename, ...],
        select=lambda d: d.sections_renamed,
        label=("section renamed", "sections renamed"),
        place=(1, 2),
        block=_renamed_sections,
        fold=_folded_sections,
    ),
    _Part(
        key="sections_added",
        doc="Sections new on the page (on a first run, every section)",
        entries=tuple[Section, ...],
        select=lambda d: d.sections_added,
        label=("section added", "sections added"),
        place=(1, 0),
        block=_sections("sections_added", "added", "+"),
    ),
    _Part(
        key="sections_removed",
        doc="Sections gone from the page",
        entries=tuple[Section, ...],
        select=lambda d: d.sections_removed,
        label=("section removed", "sections removed"),
        place=(1, 1),
        block=_sections("sections_removed", "removed", "-"),
    ),
    _Part(
        key="added",
        doc="Records new on the page (on a first run, every record)",
        entries=tuple[Record, ...],
        select=lambda d: d.added,
        label=("added", "added"),
        place=(0, 0),
        block=_records("added", "Added", "+"),
    ),
    _Part(
        key="removed",
        doc="Records gone from the page",
        entries=tuple[Record, ...],
        select=lambda d: d.removed,
        label=("removed", "removed"),
        place=(0, 1),
        block=_records("removed", "Removed", "-"),
    ),
    _Part(
        key="changed",
        doc="Records whose wording changed in substance; each has cosmetic: false",
        entries=tuple[RecordChange, ...],
        select=lambda d: d.substantive,
        label=("changed", "changed"),
        place=(0, 2),
        block=_changed,
    ),
    _Part(
        key="moved",
        doc="Records that left one section for another",
        entries=tuple[RecordMove, ...],
        select=lambda d: d.moved,
        label=("moved", "moved"),
        place=(0, 3),
        block=_moved,
    ),
    _Part(
        key="headers_renamed",
        doc="Column headers that changed (cosmetic ones included)",
        entries=tuple[HeaderRename, ...],
        select=lambda d: d.headers_renamed,
        label=("column header renamed", "column headers renamed"),
        place=(1, 3),
        block=_renamed_headers,
        fold=_folded_headers,
    ),
    _Part(
        key="columns_added",
        doc="Columns beyond code, message and description new in a section (values in changed)",
        entries=tuple[ColumnChange, ...],
        select=lambda d: d.columns_added,
        label=("column added", "columns added"),
        place=(1, 4),
        block=_columns("columns_added", "added"),
    ),
    _Part(
        key="columns_removed",
        doc="Columns beyond code, message and description gone from a section",
        entries=tuple[ColumnChange, ...],
        select=lambda d: d.columns_removed,
        label=("column removed", "columns removed"),
        place=(1, 5),
        block=_columns("columns_removed", "removed"),
    ),
    _Part(
        key="cosmetic",
        doc="Records whose whitespace or punctuation only changed; each has cosmetic: true",
        entries=tuple[RecordChange, ...],
        select=lambda d: d.cosmetic,
        label=("cosmetic", "cosmetic"),
        place=(0, 4),
        fold=_folded_records,
    ),
)


# The summary line, the counts and the JSON lists go by ``place``.
_BY_PLACE = sorted(_PARTS, key=lambda part: part.place)


# -- text ----------------------------------------------------------------------------------------

_ANSI = {"bold": "1", "green": "32", "red": "31", "yellow": "33"}
_MARK_COLOURS = {"+": "green", "-": "red", "~": "yellow"}


def render_text(report: Report | CatalogueDiff, *, color: bool = False) -> str:
    """The report for a terminal; ``color`` adds ANSI colours (the caller knows if it is a TTY)."""
    report = _as_report(report)
    style: Callable[[str, str | None], str] = _ansi if color else (lambda text, _: text)
    lines = [style(report.headline, "bold"), *report.notes]
    for block in report.ordered_blocks:
        lines += ["", style(block.title, "bold")]
        for item in block.items:
            sign = f"{item.mark} " if item.mark else ""
            lines.append(style(f"  {sign}{item.text.format(**item.fields)}", _colour(item)))
            for change in item.changes:
                name = change["field"]
                lines.append(f"      {name}: {change['before']}")
                lines.append(f"      {' ' * len(name)}→ {change['after']}")
    return "\n".join(lines) + "\n"


def _colour(item: Item) -> str | None:
    return _MARK_COLOURS.get(item.mark)


def _ansi(text: str, name: str | None) -> str:
    return f"\x1b[{_ANSI[name]}m{text}\x1b[0m" if name else text


# -- Markdown ------------------------------------------------------------------------------------

# Only what changes meaning in the middle of a line; reports never start a line with page text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: str) -> str:
    """Text safe inside Markdown and HTML: no markup, links, tables or tags survive."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("\r", " ").replace("\n", " ")


def render_markdown(
    report: Report | CatalogueDiff, *, title: str = "NIM error codes", details: bool = True
) -> str:
    """The report in Markdown. ``details=False`` folds the cosmetic changes under a plain
    heading instead of an HTML ``<details>`` block, for chat services that show no HTML."""
    report = _as_report(report)
    lines = [f"### {md_escape(title)}: {md_escape(report.headline)}"]
    for note in report.notes:
        lines += ["", md_escape(note)]
    heading = None
    for block in report.ordered_blocks:
        rows = _md_rows(block)
        if block.folded:
            summary = md_escape(block.heading or block.title)
            if details:
                lines += ["", f"<details><summary>{summary}</summary>", "", *rows, "", "</details>"]
            else:
                lines += ["", f"#### {summary}", "", *rows]
        else:
            if block.heading != heading:
                lines += ["", f"#### {md_escape(block.heading or block.title)}", ""]
                lines += _md_table_head(block)
            lines += rows
        heading = block.heading
    return "\n".join(lines) + "\n"


def _md_table_head(block: Block) -> list[str]:
    if not block.columns:
        return []
    head = "| " + " | ".join(name for name, _ in block.columns) + " |"
    return [head, "|" + " --- |" * len(block.columns)]


def _md_rows(block: Block) -> list[str]:
    rows: list[str] = []
    for item in block.items:
        fields = {name: md_escape(value) for name, value in item.fields.items()}
        if not block.columns:
            verb = f"{block.verb}: " if block.verb else ""
            rows.append(f"- {verb}{item.text.format(**fields)}")
            continue
        for change in item.changes or ({},):
            cells = {**fields, **{name: md_escape(value) for name, value in change.items()}}
            rows.append("| " + " | ".join(cells[key] for _, key in block.columns) + " |")
    return rows


# -- JSON ----------------------------------------------------------------------------------------


class ExtraBlock(FrozenModel):
    """A block added to the report by another stage (e.g. the SDK audit's findings)."""

    key: str
    title: str
    lines: tuple[str, ...]


def _model(name: str, doc: str, fields: dict[str, Any]) -> type[FrozenModel]:
    return create_model(name, __base__=FrozenModel, __doc__=doc, **fields)


_Counts = _model(
    "Counts",
    "How many entries each list of the report has: always the list's length.",
    {p.key: (int, Field(ge=0)) for p in _BY_PLACE},
)
_JsonReport = _model(
    "Report",
    "What changed on the NIM error-code page: the JSON of every nim-scrape report.",
    {
        "created": (bool, Field(description="A first run: added lists every record")),
        "counts": (_Counts, ...),
        "updated_before": (datetime | None, Field(description="The previous page's 更新时间")),
        "updated_after": (datetime | None, Field(description="The page's 更新时间")),
        **{p.key: (p.entries, Field(description=p.doc)) for p in _BY_PLACE},
        "extra": (tuple[ExtraBlock, ...], Field(description="Blocks added by other stages")),
    },
)


def _json_report(report: Report) -> FrozenModel:
    lists = {p.key: p.select(report.diff) for p in _BY_PLACE}
    extra = tuple(
        ExtraBlock(
            key=b.key, title=b.title, lines=tuple(i.text.format(**i.fields) for i in b.items)
        )
        for b in report.extra
    )
    return _JsonReport.model_validate(
        {
            "created": report.created,
            "counts": {key: len(entries) for key, entries in lists.items()},
            "updated_before": report.diff.updated_before,
            "updated_after": report.diff.updated_after,
            **lists,
            "extra": extra,
        }
    )


def render_json(report: Report | CatalogueDiff) -> str:
    """``created`` and ``counts`` first, then every list; the layout ``report_schema`` gives."""
    return _json_report(_as_report(report)).model_dump_json(indent=2) + "\n"


def report_schema() -> str:
    """The JSON Schema of ``render_json``'s output, generated from its models."""
    schema = _JsonReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/nim-scrape/nim-scrape/output/report.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


# -- any format ----------------------------------------------------------------------------------


def _as_report(report: Report | CatalogueDiff) -> Report:
    return report if isinstance(report, Report) else build_report(report)


def render(report: Report | CatalogueDiff, fmt: str, *, color: bool = False) -> str:
    """The report in ``fmt``: ``text`` (coloured if ``color``), ``markdown`` or ``json``."""
    if fmt == "text":
        return render_text(report, color=color)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "json":
        return render_json(report)
    raise ValueError(f"unknown report format {fmt!r}: text, markdown or json")


def render_first_run(catalogue: Catalogue, fmt: str, *, color: bool = False) -> str:
    """The report of a run with no catalogue before it: ``build_report(None, catalogue)``."""
    return render(build_report(None, catalogue), fmt, color=color)
