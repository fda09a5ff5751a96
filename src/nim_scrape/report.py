"""Change reports: text for the terminal, Markdown for pull requests and chat, JSON for machines.

Pure: a ``CatalogueDiff`` in, text out. Every report leads with the counts, then the substantive
changes, then the cosmetic ones folded together (#3). Nothing from the page reaches a report
unescaped: Markdown and HTML are escaped, control characters were stripped by the parser (#4).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from .diff import CatalogueDiff, RecordChange
from .models import Catalogue, Record

__all__ = [
    "FORMATS",
    "first_run_line",
    "md_escape",
    "render",
    "render_first_run",
    "render_json",
    "render_markdown",
    "render_text",
    "summary_line",
]

FORMATS = ("text", "markdown", "json")
# How many codes of one section the folded cosmetic summary names before "…".
_FOLD_CODES = 12


def render(diff: CatalogueDiff, fmt: str, *, color: bool = False) -> str:
    if fmt == "markdown":
        return render_markdown(diff)
    if fmt == "json":
        return render_json(diff)
    return render_text(diff, color=color)


def summary_line(diff: CatalogueDiff) -> str:
    """The counts in one line, e.g. ``20 added, 2 changed, 248 cosmetic; 22 sections renamed``."""
    if not diff.has_changes:
        return "no changes"
    counts = diff.counts()
    groups = (
        ", ".join(f"{counts[key]} {label}" for key, label in group if counts[key])
        for group in _SUMMARY
    )
    return "; ".join(group for group in groups if group)


# The summary's wording and order: record counts first, then section-level ones.
_SUMMARY = (
    (
        ("added", "added"),
        ("removed", "removed"),
        ("changed", "changed"),
        ("moved", "moved"),
        ("cosmetic", "cosmetic"),
    ),
    (
        ("sections_added", "sections added"),
        ("sections_removed", "sections removed"),
        ("sections_renamed", "sections renamed"),
        ("headers_renamed", "column headers renamed"),
    ),
)


def _when(diff: CatalogueDiff) -> str | None:
    before, after = diff.updated_before, diff.updated_after
    if before == after:
        return None
    old = before.isoformat() if before else "?"
    new = after.isoformat() if after else "?"
    return f"page 更新时间 {old} → {new}"


def _record_line(record: Record) -> str:
    return f"{record.section} {record.code} {record.message}: {record.description}"


def _fold_cosmetic(changes: tuple[RecordChange, ...]) -> dict[str, list[int]]:
    """The codes of the cosmetic changes, by section."""
    by_section: dict[str, list[int]] = {}
    for change in changes:
        by_section.setdefault(change.section, []).append(change.code)
    return by_section


def _codes(codes: list[int]) -> str:
    shown = ", ".join(map(str, codes[:_FOLD_CODES]))
    return shown + (f", … ({len(codes)} in all)" if len(codes) > _FOLD_CODES else "")


# -- text ----------------------------------------------------------------------------------------


def render_text(diff: CatalogueDiff, *, color: bool = False) -> str:
    style: Callable[[str, str], str] = _ansi if color else (lambda text, _: text)
    lines = [style(summary_line(diff), "bold")]
    if when := _when(diff):
        lines.append(when)
    if not diff.has_changes:
        return "\n".join(lines) + "\n"

    def block(title: str, items: list[str]) -> None:
        if items:
            lines.append("")
            lines.append(style(title, "bold"))
            lines.extend(items)

    block(
        "Sections renamed",
        [f"  {r.before} → {r.after}" for r in diff.sections_renamed if not r.cosmetic],
    )
    block(
        "Sections added",
        [f"  + {s.title} ({s.record_count} records)" for s in diff.sections_added],
    )
    block(
        "Sections removed",
        [f"  - {s.title} ({s.record_count} records)" for s in diff.sections_removed],
    )
    block("Added", [style(f"  + {_record_line(r)}", "green") for r in diff.added])
    block("Removed", [style(f"  - {_record_line(r)}", "red") for r in diff.removed])
    changed: list[str] = []
    for change in diff.substantive:
        changed.append(
            style(f"  ~ {change.section} {change.code} {change.after.message}", "yellow")
        )
        for field in change.fields:
            before, after = _field_text(change.before, field), _field_text(change.after, field)
            changed.append(f"      {field}: {before}")
            changed.append(f"      {' ' * len(field)}→ {after}")
    block("Changed", changed)
    block(
        "Moved",
        [f"  > {m.code} {m.after.message}: {m.from_section} → {m.to_section}" for m in diff.moved],
    )
    block(
        "Column headers renamed",
        [
            f"  {h.section} ({h.column}): {h.before} → {h.after}"
            for h in diff.headers_renamed
            if not h.cosmetic
        ],
    )
    cosmetic = [
        f"  {section}: {_codes(codes)}" for section, codes in _fold_cosmetic(diff.cosmetic).items()
    ]
    cosmetic += [f"  section {r.before} → {r.after}" for r in diff.sections_renamed if r.cosmetic]
    cosmetic += [
        f"  header {h.section} ({h.column}): {h.before} → {h.after}"
        for h in diff.headers_renamed
        if h.cosmetic
    ]
    block(f"Cosmetic (whitespace or punctuation only): {len(diff.cosmetic)} records", cosmetic)
    return "\n".join(lines) + "\n"


_ANSI = {"bold": "1", "green": "32", "red": "31", "yellow": "33"}


def _ansi(text: str, name: str) -> str:
    return f"\x1b[{_ANSI[name]}m{text}\x1b[0m"


def _field_text(record: Record, field: str) -> str:
    if field == "links":
        return "; ".join(f"{link.text} <{link.href}>" for link in record.links) or "(none)"
    return str(getattr(record, field))


# -- Markdown ------------------------------------------------------------------------------------

# Only what changes meaning in the middle of a line; reports never start a line with page text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: str) -> str:
    """Text safe inside Markdown and HTML: no markup, links, tables or tags survive."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("\r", " ").replace("\n", " ")


def render_markdown(
    diff: CatalogueDiff, *, title: str = "NIM error codes", details: bool = True
) -> str:
    """The report in Markdown. ``details=False`` folds the cosmetic changes under a plain
    heading instead of an HTML ``<details>`` block, for chat services that show no HTML."""
    e = md_escape
    lines = [f"### {e(title)}: {e(summary_line(diff))}"]
    if when := _when(diff):
        lines += ["", e(when)]
    if not diff.has_changes:
        return "\n".join(lines) + "\n"

    def section(heading: str, rows: list[str], table_head: str | None = None) -> None:
        if not rows:
            return
        lines.extend(["", f"#### {heading}", ""])
        if table_head:
            columns = table_head.count("|") - 1
            lines.append(table_head)
            lines.append("|" + " --- |" * columns)
        lines.extend(rows)

    section(
        "Sections",
        [
            f"- renamed: {e(r.before)} → {e(r.after)}"
            for r in diff.sections_renamed
            if not r.cosmetic
        ]
        + [f"- added: {e(s.title)} ({s.record_count} records)" for s in diff.sections_added]
        + [f"- removed: {e(s.title)} ({s.record_count} records)" for s in diff.sections_removed],
    )

    def row(record: Record) -> str:
        cells = (e(record.section), str(record.code), e(record.message), e(record.description))
        return "| " + " | ".join(cells) + " |"

    section("Added", [row(r) for r in diff.added], "| section | code | message | 说明 |")
    section("Removed", [row(r) for r in diff.removed], "| section | code | message | 说明 |")
    section(
        "Changed",
        [
            f"| {e(c.section)} | {c.code} | {field} | {e(_field_text(c.before, field))} "
            f"| {e(_field_text(c.after, field))} |"
            for c in diff.substantive
            for field in c.fields
        ],
        "| section | code | field | before | after |",
    )
    section(
        "Moved",
        [
            f"| {m.code} | {e(m.after.message)} | {e(m.from_section)} | {e(m.to_section)} |"
            for m in diff.moved
        ],
        "| code | message | from | to |",
    )
    section(
        "Column headers",
        [
            f"- {e(h.section)} ({h.column}): {e(h.before)} → {e(h.after)}"
            for h in diff.headers_renamed
            if not h.cosmetic
        ],
    )
    folded = [
        f"- {e(section)}: {_codes(codes)}"
        for section, codes in _fold_cosmetic(diff.cosmetic).items()
    ]
    folded += [
        f"- section {e(r.before)} → {e(r.after)}" for r in diff.sections_renamed if r.cosmetic
    ]
    folded += [
        f"- header {e(h.section)} ({h.column}): {e(h.before)} → {e(h.after)}"
        for h in diff.headers_renamed
        if h.cosmetic
    ]
    summary = f"Cosmetic changes (whitespace or punctuation only): {len(diff.cosmetic)} records"
    if folded and details:
        lines += ["", f"<details><summary>{summary}</summary>", "", *folded, "", "</details>"]
    elif folded:
        lines += ["", f"#### {summary}", "", *folded]
    return "\n".join(lines) + "\n"


# -- JSON ----------------------------------------------------------------------------------------


def render_json(diff: CatalogueDiff) -> str:
    """``counts`` first, then every list of the diff; serialised by pydantic in Rust."""
    counts = json.dumps(diff.counts(), indent=2).replace("\n", "\n  ")
    body = diff.model_dump_json(indent=2)
    return '{\n  "counts": ' + counts + ",\n" + body[2:] + "\n"


def first_run_line(catalogue: Catalogue) -> str:
    """What a run with no catalogue before it has to say, in one line."""
    return f"new catalogue: {len(catalogue.records)} records in {len(catalogue.sections)} sections"


def render_first_run(catalogue: Catalogue, fmt: str) -> str:
    """The report of a run with no catalogue before it."""
    line = first_run_line(catalogue)
    if fmt == "json":
        return json.dumps({"created": True, "records": len(catalogue.records)}) + "\n"
    if fmt == "markdown":
        return f"### NIM error codes: {md_escape(line)}\n"
    return line + "\n"
