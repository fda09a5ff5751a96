"""What changed between two catalogues, as values: the semantic differ.

Pure and linear in the number of records. ``compare(previous, current)`` always returns every
list, empty when nothing of that kind changed (as csv-diff does).

Identity, from SPEC.md: sections are matched by the rows they share (so a renamed section is a
rename, not a removal plus an addition); records by code within matched sections, a code that
repeats inside one section by its message, then by the closest wording. A changed code is a
removal plus an addition. A change of whitespace or punctuation only is cosmetic.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from ._gc import paused
from .export import load_catalogue, load_record, split_catalogue_json
from .models import Catalogue, Record, Section
from .text import cosmetic_key

__all__ = [
    "COMPARED_FIELDS",
    "CatalogueDiff",
    "HeaderRename",
    "RecordChange",
    "RecordMove",
    "SectionRename",
    "compare",
    "compare_json",
]

COMPARED_FIELDS = ("message", "description", "links")
_COLUMNS = ("code", "message", "description")
# A pair of sections sharing less than this share of their rows is not the same section.
_MIN_SECTION_OVERLAP = 0.3


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RecordChange(_Frozen):
    """A record whose wording changed; ``cosmetic`` when only whitespace or punctuation did."""

    section: str
    code: int
    fields: tuple[str, ...]
    cosmetic: bool
    before: Record
    after: Record


class RecordMove(_Frozen):
    """A record that left one section for another (same code and message)."""

    code: int
    from_section: str
    to_section: str
    fields: tuple[str, ...]
    before: Record
    after: Record


class SectionRename(_Frozen):
    """A section matched by its rows whose title changed."""

    before: str
    after: str
    cosmetic: bool


class HeaderRename(_Frozen):
    """A column whose header changed, in a matched section."""

    section: str
    column: str
    before: str
    after: str
    cosmetic: bool


class CatalogueDiff(_Frozen):
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
        }


def compare(previous: Catalogue, current: Catalogue) -> CatalogueDiff:
    """The changes that turn ``previous`` into ``current``."""
    with paused():
        old_keys = [_identity(r) for r in previous.records]
        new_keys = [_identity(r) for r in current.records]
        same = _same(old_keys, new_keys)
        sides = []
        for catalogue, keys in ((previous, old_keys), (current, new_keys)):
            rest = {i: catalogue.records[i] for i in _unmatched(keys, same)}
            sides.append(_Side(catalogue, rest, _sizes(catalogue, keys)))
        return _compare(*sides)


def compare_json(
    previous: str | bytes,
    current: str | bytes,
    *,
    names: tuple[str, str] = ("the previous catalogue", "the current catalogue"),
) -> CatalogueDiff:
    """``compare`` of two catalogue files, reading only the records that differ.

    A record that stands on the same line in both files is the same record, so those lines
    are set aside as bytes, unparsed: on a large catalogue with a few changes that is most of
    the work saved (#6). A file not laid out as ``catalogue_json`` writes it is read whole.
    ``names`` say which file a ``CatalogueError`` is about.
    """
    old_data, new_data = (t.encode() if isinstance(t, str) else t for t in (previous, current))

    def whole() -> CatalogueDiff:
        return compare(
            load_catalogue(old_data, name=names[0]), load_catalogue(new_data, name=names[1])
        )

    old = split_catalogue_json(old_data, name=names[0])
    new = split_catalogue_json(new_data, name=names[1])
    if old is None or new is None:
        return whole()
    (old_head, old_lines), (new_head, new_lines) = old, new
    with paused():
        same = _same(old_lines, new_lines)
        sides = []
        for head, lines in ((old_head, old_lines), (new_head, new_lines)):
            sizes = Counter({s.title: s.record_count for s in head.sections})
            if sizes.total() != len(lines):
                # The sections' counts do not add up: read both files whole, trusting neither.
                return whole()
            rest = {i: load_record(lines[i]) for i in _unmatched(lines, same)}
            sides.append(_Side(head, rest, sizes))
        return _compare(*sides)


@dataclass(frozen=True)
class _Side:
    """One catalogue as the differ needs it: its sections, the records that are not the same
    on both sides, and how many records each section has."""

    catalogue: Catalogue
    rest: dict[int, Record]  # by index in the catalogue's records, which is page order
    sizes: Counter[str]


def _compare(old: _Side, new: _Side) -> CatalogueDiff:
    previous, current = old.catalogue, new.catalogue
    old_sizes, new_sizes = old.sizes, new.sizes
    old_rows = _by_section(old.rest.values())
    new_rows = _by_section(new.rest.values())
    # A record set aside as the same stands under the same title on both sides.
    kept = Counter(
        {
            t: n - len(old_rows.get(t, ()))
            for t, n in old_sizes.items()
            if n > len(old_rows.get(t, ()))
        }
    )
    old_sections = _sections(previous, old.rest.values(), old_sizes)
    new_sections = _sections(current, new.rest.values(), new_sizes)
    pairs = _match_sections(old_rows, new_rows, old_sizes, new_sizes, kept)
    new_order = {title: index for index, title in enumerate(new_sizes)}
    pairs.sort(key=lambda pair: new_order[pair[1]])

    added: list[Record] = []
    removed: list[Record] = []
    changed: list[RecordChange] = []
    renames: list[SectionRename] = []
    headers: list[HeaderRename] = []
    for old_title, new_title in pairs:
        if old_title != new_title:
            renames.append(
                SectionRename(
                    before=old_title,
                    after=new_title,
                    cosmetic=cosmetic_key(old_title) == cosmetic_key(new_title),
                )
            )
        headers += _header_renames(old_sections[old_title], new_sections[new_title])
        olds, news = old_rows.get(old_title, []), new_rows.get(new_title, [])
        for before, after in _match_records(olds, news, removed, added):
            fields = _changed_fields(before, after)
            if fields:
                changed.append(
                    RecordChange(
                        section=after.section,
                        code=after.code,
                        fields=fields,
                        cosmetic=_is_cosmetic(before, after, fields),
                        before=before,
                        after=after,
                    )
                )
    matched_old = {old for old, _ in pairs}
    matched_new = {new for _, new in pairs}
    for title, rows in old_rows.items():
        if title not in matched_old:
            removed += rows
    for title, rows in new_rows.items():
        if title not in matched_new:
            added += rows
    moved = _find_moves(removed, added)
    moved_before = {id(m.before) for m in moved}
    moved_after = {id(m.after) for m in moved}
    old_at = {id(record): index for index, record in old.rest.items()}
    new_at = {id(record): index for index, record in new.rest.items()}
    return CatalogueDiff(
        updated_before=previous.updated_at,
        updated_after=current.updated_at,
        added=tuple(sorted((r for r in added if id(r) not in moved_after), key=_at(new_at))),
        removed=tuple(sorted((r for r in removed if id(r) not in moved_before), key=_at(old_at))),
        changed=tuple(sorted(changed, key=lambda c: new_at[id(c.after)])),
        moved=tuple(sorted(moved, key=lambda m: new_at[id(m.after)])),
        sections_renamed=tuple(renames),
        sections_added=tuple(new_sections[t] for t in new_sizes if t not in matched_new),
        sections_removed=tuple(old_sections[t] for t in old_sizes if t not in matched_old),
        headers_renamed=tuple(headers),
    )


_Identity = tuple[str, int, str, str, tuple[tuple[str, str], ...]]
_Key = TypeVar("_Key", bound=Hashable)


def _identity(record: Record) -> _Identity:
    # Links as plain tuples: a tuple's hash is not cached, and a model's is slow to compute.
    links = tuple((link.text, link.href) for link in record.links) if record.links else ()
    return record.section, record.code, record.message, record.description, links


def _sizes(catalogue: Catalogue, keys: list[_Identity]) -> Counter[str]:
    """Records per section, every listed section included (an emptied one counts 0)."""
    sizes = Counter(dict.fromkeys((s.title for s in catalogue.sections), 0))
    sizes.update(key[0] for key in keys)
    return sizes


def _same(old: list[_Key], new: list[_Key]) -> tuple[dict[_Key, int], bool]:
    """How many times each record stands unchanged on both sides, and whether every record is
    unique on each side (the common case, which needs no counting)."""
    old_set, new_set = set(old), set(new)
    common = old_set & new_set
    if len(old_set) == len(old) and len(new_set) == len(new):
        return dict.fromkeys(common, 1), True
    old_counts, new_counts = Counter(old), Counter(new)
    return {key: min(old_counts[key], new_counts[key]) for key in common}, False


def _unmatched(keys: list[_Key], same: tuple[dict[_Key, int], bool]) -> list[int]:
    """Indices of the keys left once as many as ``same`` counts of each are set aside."""
    counts, unique = same
    if unique:
        return [index for index, key in enumerate(keys) if key not in counts]
    left = dict(counts)
    out: list[int] = []
    for index, key in enumerate(keys):
        count = left.get(key)
        if count:
            left[key] = count - 1
        else:
            out.append(index)
    return out


def _at(order: dict[int, int]) -> Callable[[Record], int]:
    return lambda record: order[id(record)]


# -- sections ------------------------------------------------------------------------------------


def _by_section(records: Iterable[Record]) -> dict[str, list[Record]]:
    return _group(records, lambda record: record.section)


def _group(records: Iterable[Record], key: Callable[[Record], _Key]) -> dict[_Key, list[Record]]:
    """``records`` by ``key``, each list and the keys in the order first seen."""
    grouped: dict[_Key, list[Record]] = {}
    for record in records:
        grouped.setdefault(key(record), []).append(record)
    return grouped


def _sections(
    catalogue: Catalogue, rest: Iterable[Record], sizes: Counter[str]
) -> dict[str, Section]:
    known = {s.title: s for s in catalogue.sections}
    for title, size in sizes.items():
        if title not in known:  # a catalogue built by hand may list records only
            first = next(r for r in (*rest, *catalogue.records) if r.section == title)
            known[title] = Section(
                title=title,
                anchor=first.section_anchor,
                url=f"{catalogue.page_url}#{first.section_anchor}",
                headers=("code", "desc", "说明"),
                record_count=size,
            )
    return known


def _row_key(record: Record) -> tuple[int, str]:
    return record.code, cosmetic_key(record.message)


def _match_sections(
    old_rows: dict[str, list[Record]],
    new_rows: dict[str, list[Record]],
    old_sizes: Counter[str],
    new_sizes: Counter[str],
    kept: Counter[str],
) -> list[tuple[str, str]]:
    """Pairs (old title, new title) of the same section, matched by the rows they share.

    ``old_rows`` and ``new_rows`` hold the records that differ; ``kept`` counts, per title, the
    records that are the same on both sides. A section that kept its title and shares rows with
    its old self is that section. The rest are matched greedily on the share of rows in common
    (at least ``_MIN_SECTION_OVERLAP``), ties broken by the titles themselves, so the result
    does not depend on the order the sections come in. Last, a section whose title is
    unchanged is matched even with no row in common.
    """
    where: dict[tuple[int, str], list[str]] = defaultdict(list)
    old_keys = {title: Counter(map(_row_key, rows)) for title, rows in old_rows.items()}
    for title, keys in old_keys.items():
        for key in keys:
            where[key].append(title)
    shared: Counter[tuple[str, str]] = Counter({(t, t): n for t, n in kept.items()})
    for new_title, rows in new_rows.items():
        for key, count in Counter(map(_row_key, rows)).items():
            for old_title in where.get(key, ()):
                shared[(old_title, new_title)] += min(count, old_keys[old_title][key])
    for title in new_sizes:
        if title in old_sizes:
            shared[(title, title)] += 0
    candidates: list[tuple[int, float, str, str]] = []
    for (old_title, new_title), common in shared.items():
        union = old_sizes[old_title] + new_sizes[new_title] - common
        score = common / union if union else 1.0
        if old_title == new_title:
            rank = 0 if common else 2
        elif score >= _MIN_SECTION_OVERLAP:
            rank = 1
        else:
            continue
        candidates.append((rank, -score, old_title, new_title))
    candidates.sort()
    pairs: list[tuple[str, str]] = []
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    for _, _, old_title, new_title in candidates:
        if old_title not in taken_old and new_title not in taken_new:
            pairs.append((old_title, new_title))
            taken_old.add(old_title)
            taken_new.add(new_title)
    return pairs


def _header_renames(old: Section, new: Section) -> list[HeaderRename]:
    return [
        HeaderRename(
            section=new.title,
            column=column,
            before=before,
            after=after,
            cosmetic=cosmetic_key(before) == cosmetic_key(after),
        )
        for column, before, after in zip(_COLUMNS, old.headers, new.headers, strict=True)
        if before != after
    ]


# -- records -------------------------------------------------------------------------------------


def _match_records(
    old: list[Record], new: list[Record], removed: list[Record], added: list[Record]
) -> list[tuple[Record, Record]]:
    """Pairs of the same record in one matched section; the unpaired go to removed/added."""
    old_by_code = _group(old, _code)
    new_by_code = _group(new, _code)
    pairs: list[tuple[Record, Record]] = []
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


def _code(record: Record) -> int:
    return record.code


def _pair_repeated(
    olds: list[Record], news: list[Record]
) -> tuple[list[tuple[Record, Record]], list[Record], list[Record]]:
    """Pair a code that repeats: same message, then same message but for punctuation, then the
    closest wording. Every step is deterministic: ties go to the earlier row."""
    olds, news = list(olds), list(news)
    pairs: list[tuple[Record, Record]] = []
    for key in (lambda r: r.message, lambda r: cosmetic_key(r.message)):
        waiting = _group(news, key)
        left: list[Record] = []
        for record in olds:
            same = waiting.get(key(record))
            if same:
                partner = same.pop(0)
                pairs.append((record, partner))
                news.remove(partner)
            else:
                left.append(record)
        olds = left
    scored = sorted(
        (
            -_similarity(a, b),
            i,
            j,
        )
        for i, a in enumerate(olds)
        for j, b in enumerate(news)
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    for _, i, j in scored:
        if i not in used_old and j not in used_new:
            pairs.append((olds[i], news[j]))
            used_old.add(i)
            used_new.add(j)
    return (
        pairs,
        [r for i, r in enumerate(olds) if i not in used_old],
        [r for j, r in enumerate(news) if j not in used_new],
    )


def _similarity(a: Record, b: Record) -> float:
    return difflib.SequenceMatcher(
        None, f"{a.message}\n{a.description}", f"{b.message}\n{b.description}"
    ).ratio()


def _changed_fields(before: Record, after: Record) -> tuple[str, ...]:
    return tuple(f for f in COMPARED_FIELDS if getattr(before, f) != getattr(after, f))


def _is_cosmetic(before: Record, after: Record, fields: tuple[str, ...]) -> bool:
    for field in fields:
        if field == "links":
            old = [(cosmetic_key(link.text), link.href) for link in before.links]
            new = [(cosmetic_key(link.text), link.href) for link in after.links]
            if old != new:
                return False
        elif cosmetic_key(getattr(before, field)) != cosmetic_key(getattr(after, field)):
            return False
    return True


def _find_moves(removed: list[Record], added: list[Record]) -> list[RecordMove]:
    """Records that left one section and arrived in another with the same code and message."""
    arrivals: dict[tuple[int, str], list[Record]] = {}
    # Canonical order, not page order: which of two equal candidates moves must not depend on
    # the order the sections come in.
    for record in sorted(added, key=_canonical):
        arrivals.setdefault(_row_key(record), []).append(record)
    moves: list[RecordMove] = []
    for record in sorted(removed, key=_canonical):
        candidates = arrivals.get(_row_key(record))
        if not candidates:
            continue
        partner = next((c for c in candidates if c.section != record.section), None)
        if partner is None:
            continue
        candidates.remove(partner)
        moves.append(
            RecordMove(
                code=record.code,
                from_section=record.section,
                to_section=partner.section,
                fields=_changed_fields(record, partner),
                before=record,
                after=partner,
            )
        )
    return moves


def _canonical(record: Record) -> tuple[str, int, str, str]:
    return record.section, record.code, record.message, record.description
