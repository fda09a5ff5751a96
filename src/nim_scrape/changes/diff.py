"""What changed between two catalogues, as values: the semantic differ.

Pure and linear in the number of records. ``compare(previous, current)`` always returns every
list, empty when nothing of that kind changed (as csv-diff does).

Identity, as README "What counts as a change" has it: sections are matched by the rows they
share (so a renamed section is a rename, not a removal plus an addition); records by code within
matched sections, a code that repeats inside one section by its message, then by the closest
wording. A changed code is a removal plus an addition. A change of whitespace or punctuation
only is cosmetic."""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import filterfalse
from typing import TypeVar

from nim_scrape.catalogue.models import Catalogue, FrozenModel, Record, Section
from nim_scrape.catalogue.text import cosmetic_key

__all__ = [
    "COMPARED_FIELDS",
    "CatalogueDiff",
    "ColumnChange",
    "HeaderRename",
    "RecordChange",
    "RecordMove",
    "SectionRename",
    "Side",
    "compare",
    "compare_sides",
    "differing",
    "record_key",
]

COMPARED_FIELDS = ("message", "description", "links", "code_note", "extra")
_COLUMNS = ("code", "message", "description")
# A pair of sections sharing less than this share of their rows is not the same section.
_MIN_SECTION_OVERLAP = 0.3


class RecordChange(FrozenModel):
    """A record whose wording changed; ``cosmetic`` when only whitespace or punctuation did."""

    section: str
    code: int
    fields: tuple[str, ...]
    cosmetic: bool
    before: Record
    after: Record


class RecordMove(FrozenModel):
    """A record that left one section for another (same code and message)."""

    code: int
    from_section: str
    to_section: str
    fields: tuple[str, ...]
    before: Record
    after: Record


class SectionRename(FrozenModel):
    """A section matched by its rows whose title changed."""

    before: str
    after: str
    cosmetic: bool


class HeaderRename(FrozenModel):
    """A column whose header changed, in a matched section."""

    section: str
    column: str
    before: str
    after: str
    cosmetic: bool


class ColumnChange(FrozenModel):
    """A column (beyond code, message and description) new or gone in a matched section; the
    values it brings or takes are in the records' ``extra`` changes."""

    section: str
    column: str


class CatalogueDiff(FrozenModel):
    """Every change between two catalogues. Lists are empty, never missing."""

    updated_before: datetime | None = None
    updated_after: datetime | None = None
    added: tuple[Record, ...] = ()
    removed: tuple[Record, ...] = ()
    changed: tuple[RecordChange, ...] = ()
    moved: tuple[RecordMove, ...] = ()
    sections_renamed: tuple[SectionRename, ...] = ()
    sections_added: tuple[Section, ...] = ()
    sections_removed: tuple[Section, ...] = ()
    headers_renamed: tuple[HeaderRename, ...] = ()
    columns_added: tuple[ColumnChange, ...] = ()
    columns_removed: tuple[ColumnChange, ...] = ()

    @property
    def substantive(self) -> tuple[RecordChange, ...]:
        return tuple(c for c in self.changed if not c.cosmetic)

    @property
    def cosmetic(self) -> tuple[RecordChange, ...]:
        return tuple(c for c in self.changed if c.cosmetic)

    @property
    def has_changes(self) -> bool:
        return any(self.counts().values())

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.substantive),
            "cosmetic": len(self.cosmetic),
            "moved": len(self.moved),
            "sections_renamed": len(self.sections_renamed),
            "sections_added": len(self.sections_added),
            "sections_removed": len(self.sections_removed),
            "headers_renamed": len(self.headers_renamed),
            "columns_added": len(self.columns_added),
            "columns_removed": len(self.columns_removed),
        }


def compare(previous: Catalogue, current: Catalogue) -> CatalogueDiff:
    """The changes that turn ``previous`` into ``current``."""
    old_keys = [record_key(r) for r in previous.records]
    new_keys = [record_key(r) for r in current.records]
    old_rest, new_rest = differing(old_keys, new_keys)
    return compare_sides(
        Side(previous, {i: previous.records[i] for i in old_rest}, _sizes(previous, old_keys)),
        Side(current, {i: current.records[i] for i in new_rest}, _sizes(current, new_keys)),
    )


@dataclass(frozen=True)
class Side:
    """One catalogue as the differ needs it.

    ``catalogue`` gives the page's fields and sections (its records are not read); ``rest`` the
    records that are not the same on both sides, by their index in page order; ``sizes`` how
    many records each section has. A reader of catalogue files can build it without parsing
    the records both files share (``store.compare_files``).
    """

    catalogue: Catalogue
    rest: dict[int, Record]
    sizes: Counter[str]


RecordKey = tuple[str, int, str, str, tuple[tuple[str, str], ...], str, tuple[tuple[str, str], ...]]
_Key = TypeVar("_Key", bound=Hashable)


def record_key(record: Record) -> RecordKey:
    """Everything the differ compares of a record, as a plain tuple: equal keys, same record."""
    # Links as plain tuples: a tuple's hash is not cached, and a model's is slow to compute.
    links = tuple((link.text, link.href) for link in record.links) if record.links else ()
    extra = tuple(record.extra.items()) if record.extra else ()
    return (
        record.section,
        record.code,
        record.message,
        record.description,
        links,
        record.code_note,
        extra,
    )


def differing(old: Sequence[_Key], new: Sequence[_Key]) -> tuple[list[int], list[int]]:
    """The indices of the keys of each side that do not stand unchanged on the other.

    A key found n times on one side and m times on the other is the same record min(n, m)
    times; the first ones in page order are set aside. This is set arithmetic, linear in the
    number of records: on a large catalogue with a few changes it is most of the work.
    """
    # Each key's place, in C: without repeats, the keys on one side only are a difference of
    # the two dicts' key views, and only those few are looked at in Python.
    old_at = dict(zip(old, range(len(old)), strict=True))
    new_at = dict(zip(new, range(len(new)), strict=True))
    if len(old_at) == len(old) and len(new_at) == len(new):  # the common case: no repeats
        return (
            sorted(map(old_at.__getitem__, filterfalse(new_at.__contains__, old_at))),
            sorted(map(new_at.__getitem__, filterfalse(old_at.__contains__, new_at))),
        )
    old_counts, new_counts = Counter(old), Counter(new)
    same = {key: min(n, new_counts[key]) for key, n in old_counts.items() if key in new_counts}
    return _left_over(old, same), _left_over(new, same)


def _left_over(keys: Sequence[_Key], same: dict[_Key, int]) -> list[int]:
    left = dict(same)
    out: list[int] = []
    for index, key in enumerate(keys):
        if left.get(key):
            left[key] -= 1
        else:
            out.append(index)
    return out


def _sizes(catalogue: Catalogue, keys: list[RecordKey]) -> Counter[str]:
    """Records per section, every listed section included (an emptied one counts 0)."""
    sizes = Counter(dict.fromkeys((s.title for s in catalogue.sections), 0))
    sizes.update(key[0] for key in keys)
    return sizes


# -- the steps of a comparison -------------------------------------------------------------------

# A record and its place in the page: the place orders the report, in page order.
_Row = tuple[int, Record]


@dataclass
class _Changes:
    """What the steps find, before it is put in page order."""

    added: list[_Row] = field(default_factory=list)
    removed: list[_Row] = field(default_factory=list)
    changed: list[tuple[int, RecordChange]] = field(default_factory=list)
    renames: list[SectionRename] = field(default_factory=list)
    headers: list[HeaderRename] = field(default_factory=list)
    columns_added: list[ColumnChange] = field(default_factory=list)
    columns_removed: list[ColumnChange] = field(default_factory=list)


def compare_sides(old: Side, new: Side) -> CatalogueDiff:
    """The changes from ``old`` to ``new``: sections paired first, then records within them."""
    old_rows = _by_section(old.rest)
    new_rows = _by_section(new.rest)
    old_sections = _sections(old.catalogue, old.rest, old.sizes)
    new_sections = _sections(new.catalogue, new.rest, new.sizes)
    pairs = _match_sections(old_rows, new_rows, old.sizes, new.sizes)
    new_order = {title: index for index, title in enumerate(new.sizes)}
    pairs.sort(key=lambda pair: new_order[pair[1]])  # so renames come in page order
    found = _Changes()
    for old_title, new_title in pairs:
        before, after = old_sections[old_title], new_sections[new_title]
        # Most sections of a large catalogue are unchanged: nothing to look at in them.
        if before.title != after.title or before.headers != after.headers:
            _compare_section(before, after, found)
        olds, news = old_rows.get(old_title), new_rows.get(new_title)
        if olds or news:
            _compare_records(olds or [], news or [], found)
    paired_old = {old_title for old_title, _ in pairs}
    paired_new = {new_title for _, new_title in pairs}
    for title, rows in old_rows.items():
        if title not in paired_old:
            found.removed += rows
    for title, rows in new_rows.items():
        if title not in paired_new:
            found.added += rows
    moved, found.removed, found.added = _find_moves(found.removed, found.added)
    return CatalogueDiff(
        updated_before=old.catalogue.updated_at,
        updated_after=new.catalogue.updated_at,
        added=_in_page_order(found.added),
        removed=_in_page_order(found.removed),
        changed=_in_page_order(found.changed),
        moved=_in_page_order(moved),
        sections_renamed=tuple(found.renames),
        sections_added=tuple(new_sections[t] for t in new.sizes if t not in paired_new),
        sections_removed=tuple(old_sections[t] for t in old.sizes if t not in paired_old),
        headers_renamed=tuple(found.headers),
        columns_added=tuple(found.columns_added),
        columns_removed=tuple(found.columns_removed),
    )


_T = TypeVar("_T")


def _in_page_order(rows: list[tuple[int, _T]]) -> tuple[_T, ...]:
    return tuple(item for _, item in sorted(rows, key=lambda row: row[0]))


def _compare_section(old: Section, new: Section, found: _Changes) -> None:
    if old.title != new.title:
        found.renames.append(
            SectionRename(
                before=old.title,
                after=new.title,
                cosmetic=cosmetic_key(old.title) == cosmetic_key(new.title),
            )
        )
    found.headers += _header_renames(old, new)
    old_extra, new_extra = old.headers[len(_COLUMNS) :], new.headers[len(_COLUMNS) :]
    found.columns_added += [
        ColumnChange(section=new.title, column=c) for c in new_extra if c not in old_extra
    ]
    found.columns_removed += [
        ColumnChange(section=new.title, column=c) for c in old_extra if c not in new_extra
    ]


def _compare_records(olds: list[_Row], news: list[_Row], found: _Changes) -> None:
    for (_, before), (at, after) in _match_records(olds, news, found.removed, found.added):
        fields = _changed_fields(before, after)
        if fields:
            change = RecordChange(
                section=after.section,
                code=after.code,
                fields=fields,
                cosmetic=_is_cosmetic(before, after, fields),
                before=before,
                after=after,
            )
            found.changed.append((at, change))


# -- sections ------------------------------------------------------------------------------------


def _by_section(rest: dict[int, Record]) -> dict[str, list[_Row]]:
    return _group(rest.items(), lambda row: row[1].section)


def _group(rows: Iterable[_Row], key: Callable[[_Row], _Key]) -> dict[_Key, list[_Row]]:
    """``rows`` by ``key``, each list and the keys in the order first seen."""
    grouped: dict[_Key, list[_Row]] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def _sections(
    catalogue: Catalogue, rest: dict[int, Record], sizes: Counter[str]
) -> dict[str, Section]:
    known = {s.title: s for s in catalogue.sections}
    missing = [title for title in sizes if title not in known]
    if not missing:
        return known
    # A catalogue built by hand may list records only: make up the sections, from the first
    # record of each (one pass, whatever the number of sections).
    first: dict[str, Record] = {}
    for record in (*rest.values(), *catalogue.records):
        first.setdefault(record.section, record)
    for title in missing:
        anchor = first[title].section_anchor
        known[title] = Section(
            title=title,
            anchor=anchor,
            url=f"{catalogue.page_url}#{anchor}",
            headers=("code", "desc", "说明"),
            record_count=sizes[title],
        )
    return known


def _row_key(record: Record) -> tuple[int, str]:
    return record.code, cosmetic_key(record.message)


def _match_sections(
    old_rows: dict[str, list[_Row]],
    new_rows: dict[str, list[_Row]],
    old_sizes: Counter[str],
    new_sizes: Counter[str],
) -> list[tuple[str, str]]:
    """Pairs (old title, new title) of the same section, matched by the rows they share.

    ``old_rows`` and ``new_rows`` hold the records that differ; the others were set aside as the
    same on both sides, each under the same title on both. A section that kept its title and
    shares rows with its old self is that section. The rest are matched greedily on the share
    of rows in common (at least ``_MIN_SECTION_OVERLAP``), ties broken by the titles themselves,
    so the result does not depend on the order the sections come in. Last, a section whose
    title is unchanged is matched even with no row in common.
    """
    shared = _rows_in_common(old_rows, new_rows)
    # Most sections of a large catalogue kept their title and some rows set aside as the same:
    # paired at once, each title in one such pair at most; only the rest need ranking.
    pairs = [
        (title, title)
        for title in new_sizes
        if title in old_sizes
        and (old_sizes[title] > len(old_rows.get(title, ())) or shared.get((title, title)))
    ]
    taken_old = {old_title for old_title, _ in pairs}
    taken_new = set(taken_old)
    candidates: list[tuple[int, float, str, str]] = []
    for (old_title, new_title), common in shared.items():
        if old_title in taken_old or new_title in taken_new:
            continue
        union = old_sizes[old_title] + new_sizes[new_title] - common
        score = common / union if union else 1.0
        if score >= _MIN_SECTION_OVERLAP:
            candidates.append((1, -score, old_title, new_title))
    for title in new_sizes:
        if title in old_sizes and title not in taken_new:  # nothing in common, same title
            union = old_sizes[title] + new_sizes[title]
            candidates.append((2, -0.0 if union else -1.0, title, title))
    for _, _, old_title, new_title in sorted(candidates):
        if old_title not in taken_old and new_title not in taken_new:
            pairs.append((old_title, new_title))
            taken_old.add(old_title)
            taken_new.add(new_title)
    return pairs


def _rows_in_common(
    old_rows: dict[str, list[_Row]], new_rows: dict[str, list[_Row]]
) -> dict[tuple[str, str], int]:
    """For each (old title, new title), how many of the rows that differ the two sections have
    in common (by code and message)."""
    where: dict[tuple[int, str], list[str]] = defaultdict(list)
    old_keys = {title: Counter(_row_key(r) for _, r in rows) for title, rows in old_rows.items()}
    for title, keys in old_keys.items():
        for key in keys:
            where[key].append(title)
    shared: Counter[tuple[str, str]] = Counter()
    for new_title, rows in new_rows.items():
        for key, count in Counter(_row_key(r) for _, r in rows).items():
            for old_title in where.get(key, ()):
                shared[(old_title, new_title)] += min(count, old_keys[old_title][key])
    return dict(shared)


def _header_renames(old: Section, new: Section) -> list[HeaderRename]:
    return [
        HeaderRename(
            section=new.title,
            column=column,
            before=before,
            after=after,
            cosmetic=cosmetic_key(before) == cosmetic_key(after),
        )
        for column, before, after in zip(_COLUMNS, old.headers, new.headers, strict=False)
        if before != after
    ]


# -- records ------------------------------------------------------------------------------------


def _match_records(
    old: list[_Row], new: list[_Row], removed: list[_Row], added: list[_Row]
) -> list[tuple[_Row, _Row]]:
    """Pairs of the same record in one matched section; the unpaired go to removed/added."""
    old_by_code = _group(old, _code)
    new_by_code = _group(new, _code)
    pairs: list[tuple[_Row, _Row]] = []
    for code, olds in old_by_code.items():
        news = new_by_code.get(code, [])
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0]))
            continue
        matched, lone_old, lone_new = _pair_repeated(olds, news)
        pairs += matched
        removed += lone_old
        added += lone_new
    for code, news in new_by_code.items():
        if code not in old_by_code:
            added += news
    return pairs


def _code(row: _Row) -> int:
    return row[1].code


def _pair_repeated(
    olds: list[_Row], news: list[_Row]
) -> tuple[list[tuple[_Row, _Row]], list[_Row], list[_Row]]:
    """Pair a code that repeats: same message, then same message but for punctuation, then the
    closest wording. Every step is deterministic: ties go to the earlier row."""
    olds, news = list(olds), list(news)
    pairs: list[tuple[_Row, _Row]] = []
    for key in (_message, _message_words):
        waiting = _group(news, key)
        left: list[_Row] = []
        for row in olds:
            same = waiting.get(key(row))
            if same:
                partner = same.pop(0)
                pairs.append((row, partner))
                news.remove(partner)
            else:
                left.append(row)
        olds = left
    closest = sorted(
        (-_similarity(a[1], b[1]), i, j) for i, a in enumerate(olds) for j, b in enumerate(news)
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    for _, i, j in closest:
        if i not in used_old and j not in used_new:
            pairs.append((olds[i], news[j]))
            used_old.add(i)
            used_new.add(j)
    return (
        pairs,
        [row for i, row in enumerate(olds) if i not in used_old],
        [row for j, row in enumerate(news) if j not in used_new],
    )


def _message(row: _Row) -> str:
    return row[1].message


def _message_words(row: _Row) -> str:
    return cosmetic_key(row[1].message)


def _similarity(a: Record, b: Record) -> float:
    return difflib.SequenceMatcher(
        None, f"{a.message}\n{a.description}", f"{b.message}\n{b.description}"
    ).ratio()


def _changed_fields(before: Record, after: Record) -> tuple[str, ...]:
    return tuple(f for f in COMPARED_FIELDS if getattr(before, f) != getattr(after, f))


def _is_cosmetic(before: Record, after: Record, fields: tuple[str, ...]) -> bool:
    for field_name in fields:
        if field_name == "links":
            old = [(cosmetic_key(link.text), link.href) for link in before.links]
            new = [(cosmetic_key(link.text), link.href) for link in after.links]
            if old != new:
                return False
        elif field_name == "extra":
            old_values = {k: cosmetic_key(v) for k, v in before.extra.items()}
            if old_values != {k: cosmetic_key(v) for k, v in after.extra.items()}:
                return False
        elif cosmetic_key(getattr(before, field_name)) != cosmetic_key(getattr(after, field_name)):
            return False
    return True


def _find_moves(
    removed: list[_Row], added: list[_Row]
) -> tuple[list[tuple[int, RecordMove]], list[_Row], list[_Row]]:
    """Records that left one section and arrived in another with the same code and message;
    and the removed and added records that are not part of a move."""
    arrivals: dict[tuple[int, str], list[_Row]] = {}
    # Canonical order, not page order: which of two equal candidates moves must not depend on
    # the order the sections come in.
    for row in sorted(added, key=_canonical):
        arrivals.setdefault(_row_key(row[1]), []).append(row)
    moves: list[tuple[int, RecordMove]] = []
    stayed_removed: list[_Row] = []
    moved_in: set[int] = set()
    for row in sorted(removed, key=_canonical):
        before = row[1]
        candidates = arrivals.get(_row_key(before), [])
        partner = next((c for c in candidates if c[1].section != before.section), None)
        if partner is None:
            stayed_removed.append(row)
            continue
        candidates.remove(partner)
        at, after = partner
        moved_in.add(at)
        move = RecordMove(
            code=before.code,
            from_section=before.section,
            to_section=after.section,
            fields=_changed_fields(before, after),
            before=before,
            after=after,
        )
        moves.append((at, move))
    return moves, stayed_removed, [row for row in added if row[0] not in moved_in]


def _canonical(row: _Row) -> tuple[str, int, str, str]:
    record = row[1]
    return record.section, record.code, record.message, record.description
