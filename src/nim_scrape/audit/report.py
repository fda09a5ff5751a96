"""SDK audit reports: text for the terminal, Markdown for CI summaries and chat, JSON.

Pure, in the style of the change report (``report.py``): the counts first, then each list,
grouped by SDK and by the page's section, with links to the sections. Page and SDK text is
escaped with ``report.md_escape`` wherever it reaches Markdown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from nim_scrape.audit.findings import FINDING_KINDS, Audit, AuditChanges
from nim_scrape.changes.report import md_escape

__all__ = ["render", "render_changes", "render_json", "render_markdown", "render_text"]

TITLES = {
    "documented_not_in_sdk": "Documented, not in the SDK",
    "in_sdk_not_documented": "In the SDK, not documented",
    "meaning_differs": "The SDK's text differs from the page's",
    "doc_conflicts": "One code, different meanings on the page",
    "sdk_conflicts": "One code under two names in one SDK",
}
# How a count reads in the summary line.
_LABELS = {
    "documented_not_in_sdk": "documented but not in the SDK",
    "in_sdk_not_documented": "in the SDK but not documented",
    "meaning_differs": "meaning differs",
    "doc_conflicts": "conflicting on the page",
    "sdk_conflicts": "declared twice in an SDK",
}
_NO_SECTION = "(no section of the page)"


def render(result: Audit, fmt: str) -> str:
    """The audit in ``fmt``: ``text``, ``markdown`` or ``json``; ``ValueError`` for any other
    (as the change report does: a misspelt format is a bug to hear about, not plain text)."""
    if fmt == "text":
        return render_text(result)
    if fmt == "markdown":
        return render_markdown(result)
    if fmt == "json":
        return render_json(result)
    raise ValueError(f"unknown audit format {fmt!r}: text, markdown or json")


def summary_line(counts: dict[str, int]) -> str:
    """The counts in one line, e.g. ``28 documented but not in the SDK, 23 in the SDK but …``."""
    parts = [f"{counts.get(kind, 0)} {_LABELS[kind]}" for kind in FINDING_KINDS]
    return ", ".join(parts)


def _per_sdk(result: Audit) -> dict[str, dict[str, int]]:
    counts = {s.label: dict.fromkeys(FINDING_KINDS, 0) for s in result.sdks}
    for kind in FINDING_KINDS:
        for finding in result.findings(kind):
            label = getattr(finding, "sdk", None)
            if label in counts:
                counts[label][kind] += 1
    return counts


def _against(result: Audit) -> str:
    when = result.catalogue.updated_at.isoformat() if result.catalogue.updated_at else "?"
    sdks = ", ".join(f"{s.label} ({s.codes} codes)" for s in result.sdks)
    return f"the page of {when} ({result.catalogue.codes} codes) against {sdks}"


def _grouped(
    items: Iterable[Any], key: Callable[[Any], tuple[str, str]]
) -> dict[tuple[str, str], list[Any]]:
    groups: dict[tuple[str, str], list[Any]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _section_of(finding: Any) -> tuple[str, str]:
    """The section a finding is filed under, and its URL."""
    sections = getattr(finding, "sections", ())
    if sections:
        return sections[0].section, sections[0].url
    near = getattr(finding, "near_section", None)
    return (f"near {near}", "") if near else (_NO_SECTION, "")


def _page_messages(finding: Any) -> str:
    seen: dict[str, None] = {}
    for row in finding.sections:
        seen.setdefault(f"{row.message} ({row.section})", None)
    return "; ".join(seen)


def _others(labels: Sequence[str], word: str) -> str:
    return f" ({word} {', '.join(labels)})" if labels else ""


# -- text ----------------------------------------------------------------------------------------


def _text_line(kind: str, f: Any) -> str:
    if kind == "documented_not_in_sdk":
        also = ", ".join(r.section for r in f.sections[1:])
        where = f" (also in {also})" if also else ""
        return f"{f.code} {f.sections[0].message}{where}{_others(f.present_in, 'declared by')}"
    if kind == "in_sdk_not_documented":
        return (
            f"{f.code} {f.name}: {f.sdk_message or f.sdk_message_zh}{_others(f.also_in, 'also in')}"
        )
    if kind == "meaning_differs":
        return f"{f.code} {f.name}: SDK {f.sdk_message!r}, page {_page_messages(f)}"
    if kind == "doc_conflicts":
        sdks = "; ".join(f"{n.sdk}: {n.message or n.name}" for n in f.sdks)
        return f"{f.code} {_page_messages(f)}" + (f"; SDK says {sdks}" if sdks else "")
    names = ", ".join(f"{n.name} ({n.message})" for n in f.names)
    return f"{f.code} {names}"


def render_text(result: Audit) -> str:
    lines = [f"SDK audit: {summary_line(result.counts)}", _against(result)]
    for label, counts in _per_sdk(result).items():
        lines.append(f"  {label}: {summary_line(counts)}")
    lines += _text_lists({kind: result.findings(kind) for kind in FINDING_KINDS})
    return "\n".join(lines) + "\n"


def _text_lists(findings: Mapping[str, Sequence[Any]]) -> list[str]:
    lines: list[str] = []
    for kind in FINDING_KINDS:
        items = findings.get(kind, ())
        if not items:
            continue
        lines += ["", f"{TITLES[kind]} ({len(items)})"]
        for (sdk, section), group in _grouped(
            items, lambda f: (getattr(f, "sdk", ""), _section_of(f)[0])
        ).items():
            url = _section_of(group[0])[1]
            lines.append(f"  {sdk}, {section}" if sdk else f"  {section}")
            lines[-1] += f" <{url}>" if url else ""
            lines += [f"    {_text_line(kind, f)}" for f in group]
    return lines


# -- Markdown ------------------------------------------------------------------------------------


def _md_section(title: str, url: str) -> str:
    # A URL is escaped too: only the page's own links reach here, but nothing may break out.
    if not url:
        return md_escape(title)
    return f"[{md_escape(title)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"


_TABLES: dict[str, tuple[str, Callable[[Any], list[str]]]] = {
    "documented_not_in_sdk": (
        "| code | page message | also in | declared by |",
        lambda f: [
            str(f.code),
            md_escape(f.sections[0].message),
            md_escape(", ".join(r.section for r in f.sections[1:])),
            md_escape(", ".join(f.present_in)),
        ],
    ),
    "in_sdk_not_documented": (
        "| code | SDK name | SDK text | also in |",
        lambda f: [
            str(f.code),
            f"`{md_escape(f.name)}`",
            md_escape(" / ".join(t for t in (f.sdk_message_zh, f.sdk_message) if t)),
            md_escape(", ".join(f.also_in)),
        ],
    ),
    "meaning_differs": (
        "| code | SDK name | SDK text | page |",
        lambda f: [
            str(f.code),
            f"`{md_escape(f.name)}`",
            md_escape(f.sdk_message),
            md_escape(_page_messages(f)),
        ],
    ),
    "doc_conflicts": (
        "| code | page | SDKs |",
        lambda f: [
            str(f.code),
            md_escape(_page_messages(f)),
            md_escape("; ".join(f"{n.sdk}: {n.message or n.name}" for n in f.sdks)),
        ],
    ),
    "sdk_conflicts": (
        "| code | names |",
        lambda f: [
            str(f.code),
            md_escape(", ".join(f"{n.name} ({n.message})" for n in f.names)),
        ],
    ),
}


def render_markdown(result: Audit, *, title: str = "NIM error codes against the SDKs") -> str:
    """The audit in Markdown: what ``SDK-AUDIT.md`` holds and a CI step summary shows."""
    e = md_escape
    lines = [f"### {e(title)}", "", e(_against(result)), ""]
    lines += ["| SDK | " + " | ".join(_LABELS[k] for k in FINDING_KINDS) + " |"]
    lines += ["| --- |" + " --- |" * len(FINDING_KINDS)]
    for label, counts in _per_sdk(result).items():
        lines.append(f"| {e(label)} | " + " | ".join(str(counts[k]) for k in FINDING_KINDS) + " |")
    lines.append("| all | " + " | ".join(str(result.counts[k]) for k in FINDING_KINDS) + " |")
    lines += _md_lists({kind: result.findings(kind) for kind in FINDING_KINDS})
    return "\n".join(lines) + "\n"


def _md_lists(findings: Mapping[str, Sequence[Any]], *, prefix: str = "") -> list[str]:
    lines: list[str] = []
    for kind in FINDING_KINDS:
        items = findings.get(kind, ())
        if not items:
            continue
        head, cells = _TABLES[kind]
        lines += ["", f"#### {prefix}{TITLES[kind]} ({len(items)})"]
        by_sdk = _grouped(items, lambda f: (getattr(f, "sdk", ""), ""))
        for (sdk, _), group in by_sdk.items():
            if sdk:
                lines += ["", f"##### {md_escape(sdk)}"]
            for (section, url), rows in _grouped(group, _section_of).items():
                lines += ["", f"**{_md_section(section, url)}**", "", head]
                lines.append("|" + " --- |" * (head.count("|") - 1))
                lines += ["| " + " | ".join(cells(f)) + " |" for f in rows]
    return lines


# -- JSON ----------------------------------------------------------------------------------------


def render_json(result: Audit) -> str:
    """The audit as saved in ``sdk_audit.json``: counts first, then the five lists."""
    return result.to_json()


# -- what is new ---------------------------------------------------------------------------------


def render_changes(changes: AuditChanges, fmt: str = "markdown") -> str:
    """Only the findings that are new since the saved audit, for a notification; '' when none.

    Findings that are gone are counted in one line, not listed.
    """
    new = {k: tuple(v) for k, v in changes.new.items() if v}
    gone = sum(len(v) for v in changes.resolved.values())
    if not new and not gone:
        return ""
    counts = {k: len(new.get(k, ())) for k in FINDING_KINDS}
    head = f"SDK audit, new since the last one: {summary_line(counts)}"
    tail = f"{gone} earlier findings resolved" if gone else ""
    if fmt == "json":
        data = {
            "counts": counts,
            "resolved": gone,
            **{k: [f.model_dump(mode="json") for f in new.get(k, ())] for k in FINDING_KINDS},
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        lines = [f"### {md_escape(head)}"]
        if tail:
            lines += ["", md_escape(tail)]
        lines += _md_lists(new)
        return "\n".join(lines) + "\n"
    return "\n".join([head, *([tail] if tail else []), *_text_lists(new)]) + "\n"
