"""The search page: one self-contained ``index.html`` of the catalogue.

The rows are written into the page as HTML, every value from the catalogue escaped with
``html.escape``; the inline script only hides and shows them. So no catalogue text ever sits
inside a ``<script>`` (where ``</script>`` in the data would end it), and the page reads fine
with scripts off. A Content-Security-Policy allows only this page's own style and script (by
their hashes): nothing is fetched from elsewhere, and markup smuggled into the data could not
run even if escaping failed.

``render_site`` is pure; ``write_site`` writes the file atomically. The template is package data,
``site_template.html``, with ``@@NAME@@`` markers filled here.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nim_scrape.about import __version__
from nim_scrape.catalogue.models import Catalogue, Link, Record, Section
from nim_scrape.catalogue.store import atomic_write
from nim_scrape.outputs.history import History
from nim_scrape.outputs.rows import meanings_by_code

__all__ = [
    "RECENT_EDITIONS",
    "Badge",
    "recent_badges",
    "render_pages_site",
    "render_site",
    "write_site",
]

logger = logging.getLogger(__name__)

# Rows added or changed by this many of the latest editions carry a badge.
RECENT_EDITIONS = 3
_SAFE_SCHEMES = ("https://", "http://")


@dataclass(frozen=True)
class Badge:
    """What a recent edition did to a row (``new``, ``changed`` or ``moved``), and its date."""

    kind: str
    date: str


def recent_badges(
    history: History, *, editions: int = RECENT_EDITIONS
) -> dict[tuple[int, str, str], Badge]:
    """The badges of the rows that the latest ``editions`` editions added, changed or moved,
    keyed by the row's code, message and description as they are now.

    The edition that created the catalogue badges nothing (every row would be new), nor does a
    cosmetic change (a final 。 added to 248 rows is not news). Keyed by content rather than by
    section so a row whose section was renamed since still finds its badge.
    """
    latest = [edition for edition in history.editions if not edition.created][-editions:]
    commits = {edition.commit for edition in latest}
    badges: dict[tuple[int, str, str], Badge] = {}
    for event in history.events:  # oldest first: a later event replaces an earlier badge
        if event.commit not in commits or event.after is None or event.cosmetic:
            continue
        kind = "new" if event.kind == "added" else event.kind
        when = event.updated_at or event.committed_at
        badges[_content(event.after)] = Badge(kind, when.date().isoformat())
    return badges


def render_site(catalogue: Catalogue, *, history: History | None = None) -> str:
    """The whole page, as text."""
    badges = recent_badges(history) if history else {}
    fills = {
        "META": _meta(catalogue, history),
        "SECTION_OPTIONS": "\n".join(_option(s) for s in catalogue.sections),
        "RECENT_CONTROL": _recent_control(list(badges.values())),
        "COUNT": f"{len(catalogue.records)} records",
        "ROWS": _rows(catalogue, badges),
        "FOOTER": _footer(catalogue),
    }
    return _fill(fills)


def render_pages_site(
    pages: Sequence[tuple[str, Catalogue]], *, histories: Mapping[str, History] | None = None
) -> str:
    """One page for the catalogues of several pages of a job: each row names its page, and the
    section filter offers each page whole (its own option) as well as each of its sections."""
    badges: dict[str, dict[tuple[int, str, str], Badge]] = {
        name: recent_badges(history) for name, history in (histories or {}).items()
    }
    rows, options, meta = [], [], []
    for name, catalogue in pages:
        rows.append(_rows(catalogue, badges.get(name, {}), page=name))
        sections = "\n".join(_option(s, page=name) for s in catalogue.sections)
        whole = f'<option value="{_e(name)}">{_e(name)}: all ({len(catalogue.records)})</option>'
        options.append(f'<optgroup label="{_e(name)}">\n{whole}\n{sections}\n</optgroup>')
        meta.append(f"{_e(name)}: {_meta(catalogue, (histories or {}).get(name))}")
    every = [badge for page in badges.values() for badge in page.values()]
    fills = {
        "META": "<br>".join(meta),
        "SECTION_OPTIONS": "\n".join(options),
        "RECENT_CONTROL": _recent_control(every),
        "COUNT": f"{sum(len(c.records) for _, c in pages)} records",
        "ROWS": "\n".join(rows),
        "FOOTER": f"Made by nim-scrape {_e(__version__)} from {len(pages)} pages: "
        + ", ".join(_e(name) for name, _ in pages)
        + ".",
    }
    return _fill(fills)


def _fill(fills: dict[str, str]) -> str:
    page = _template()
    fills = {"CSP": _csp(page), "VERSION": html.escape(__version__), **fills}
    # One pass over the template: a marker inside the data is data, never filled in again.
    return re.sub(r"@@([A-Z_]+)@@", lambda m: fills.get(m.group(1), m.group(0)), page)


def _rows(
    catalogue: Catalogue, badges: Mapping[tuple[int, str, str], Badge], *, page: str | None = None
) -> str:
    urls = {section.title: section.url for section in catalogue.sections}
    meanings = meanings_by_code(catalogue.records)
    sections: dict[int, set[str]] = {}
    for record in catalogue.records:
        sections.setdefault(record.code, set()).add(record.section)
    return "\n".join(
        _row(
            record,
            urls.get(record.section, ""),
            _Repeats(meanings[record.code], len(sections[record.code])),
            badges,
            page=page,
        )
        for record in catalogue.records
    )


def write_site(catalogue: Catalogue, out: Path, *, history: History | None = None) -> Path:
    """Write ``index.html`` into the folder ``out``; its path. ``OutputError`` if it cannot."""
    path = out / "index.html"
    atomic_write(path, render_site(catalogue, history=history).encode())
    return path


# -- pieces --------------------------------------------------------------------------------------


def _template() -> str:
    return resources.files("nim_scrape.outputs").joinpath("site_template.html").read_text("utf-8")


def _csp(template: str) -> str:
    """Only the template's own style and script may run, allowed by their hashes; no fetches.

    Hashed in the template, before any data is filled in: the blocks hold no markers.
    """

    def hashes(tag: str) -> str:
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", template, flags=re.DOTALL)
        return " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
            for b in blocks
        )

    return (
        f"default-src 'none'; style-src {hashes('style')}; script-src {hashes('script')}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _content(record: Record) -> tuple[int, str, str]:
    return record.code, record.message, record.description


def _href(url: str) -> str | None:
    # Only web addresses become links: a javascript: URL in the data must not be clickable.
    return url if url.lower().startswith(_SAFE_SCHEMES) else None


@dataclass(frozen=True)
class _Repeats:
    """How many different meanings a row's code has, and in how many sections it is."""

    meanings: int
    sections: int


def _row(
    record: Record,
    section_url: str,
    repeats: _Repeats,
    badges: Mapping[tuple[int, str, str], Badge],
    *,
    page: str | None = None,
) -> str:
    tags = []
    badge = badges.get(_content(record))
    if badge:
        tags.append(
            f'<span class="badge {badge.kind}" title="{badge.kind} in the edition of {badge.date}">'
            f"{badge.kind} {badge.date}</span>"
        )
    # Only a code that means different things is worth a warning; one repeated with the same
    # meaning (cosmetic differences aside) in several sections only says where else it is.
    if repeats.meanings > 1:
        tags.append(
            f'<a class="flag" href="?q={record.code}" '
            f'title="code {record.code} has {repeats.meanings} meanings: show them all">'
            f"{repeats.meanings} meanings</a>"
        )
    elif repeats.sections > 1:
        tags.append(
            f'<a class="flag same" href="?q={record.code}" '
            f'title="code {record.code} means the same in {repeats.sections} sections: '
            f'show them all">in {repeats.sections} sections</a>'
        )
    code = f'<span class="t">{record.code}</span>'
    if tags:
        code += f'<span class="tags">{"".join(tags)}</span>'
    href = _href(section_url)
    # On a site of several pages a row's section is named with its page, so the filter and the
    # search tell 403 of one page from 403 of another.
    label = f"{page} · {record.section}" if page else record.section
    title = f'<span class="t">{_e(label)}</span>'
    section = f'<a href="{_e(href)}">{title}</a>' if href else title
    recent = ' data-recent=""' if badge else ""
    on_page = f' data-page="{_e(page)}"' if page else ""
    return (
        f'<tr data-section="{_e(label)}"{on_page}{recent}>'
        f'<td class="code">{code}</td>'
        f'<td data-label="Message"><span class="t">{_e(record.message)}</span></td>'
        f'<td data-label="说明"><span class="t">{_description(record)}</span></td>'
        f'<td class="sec" data-label="Section">{section}</td></tr>'
    )


def _description(record: Record) -> str:
    """The 说明 text, escaped, with the links the page had in it made links again."""
    text, out, at = record.description, [], 0
    for link in record.links:
        href = _href(link.href)
        found = text.find(link.text, at) if link.text and href else -1
        if found < 0:
            continue
        out.append(_e(text[at:found]))
        out.append(_link(link, href or ""))
        at = found + len(link.text)
    out.append(_e(text[at:]))
    return "".join(out)


def _link(link: Link, href: str) -> str:
    return f'<a href="{_e(href)}" rel="noopener noreferrer">{_e(link.text)}</a>'


def _option(section: Section, *, page: str | None = None) -> str:
    value = _e(f"{page} · {section.title}" if page else section.title)
    return f'<option value="{value}">{_e(section.title)} ({section.record_count})</option>'


def _recent_control(badges: Sequence[Badge]) -> str:
    if not badges:
        return ""
    return (
        '<label class="check" for="recent"><input type="checkbox" id="recent" name="recent">'
        f"Only the {len(badges)} added or changed lately</label>"
    )


def _meta(catalogue: Catalogue, history: History | None) -> str:
    parts = [
        f"{len(catalogue.records)} records in {len(catalogue.sections)} sections",
    ]
    if catalogue.updated_at:
        parts.append(f"page 更新时间 {catalogue.updated_at.isoformat(sep=' ')}")
    changes = [edition for edition in history.editions if not edition.created] if history else []
    if changes:
        last = changes[-1]
        when = (last.updated_at or last.committed_at).date().isoformat()
        parts.append(f"latest change {when}: {_e(last.summary)}")
    page = _href(catalogue.page_url)
    source = f'<a href="{_e(page)}">the vendor\'s page</a>' if page else _e(catalogue.page_url)
    return " · ".join(parts) + f" · from {source}"


def _footer(catalogue: Catalogue) -> str:
    title = _e(catalogue.page_title or "the error-code page")
    return (
        f"Made by nim-scrape {_e(__version__)} from {title}. "
        f"Content hash <code>{_e(catalogue.content_hash)}</code>."
    )
