"""Two catalogue files compared without building the records they share.

``compare_files`` is ``diff.compare`` for files. A file laid out as ``catalogue_json`` writes it
(one record per line) or as ``json.dump`` writes it (one line) is cut into its records' bytes
between the separators, so records that are the same in both files are set aside as bytes and
only the rest become ``Record`` values. Each file is still checked whole, cheapest check first
so that an invalid file is refused early: its page fields, then every record's section and code
(counts add up, codes in range) from one scan, then every record's shape and values. That last
check runs once: a record left unbuilt is byte for byte one of the first file's records, and
those are proven well-formed records of the known fields by one regular expression over their
block. A file laid out otherwise is read whole (``load_catalogue``).
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import NoReturn, cast

import pydantic_core
from pydantic import ValidationError

from nim_scrape._gc import paused
from nim_scrape.catalogue.models import (
    KNOWN_SCHEMA_VERSIONS,
    MAX_CODE,
    Catalogue,
    Record,
    inconsistency,
)
from nim_scrape.catalogue.store import (
    RECORDS_END,
    RECORDS_START,
    UTF8_BOM,
    first_problem,
    load_catalogue,
)
from nim_scrape.changes.diff import CatalogueDiff, Side, compare_sides, differing, record_key
from nim_scrape.errors import CatalogueError

__all__ = ["compare_files"]


def compare_files(
    previous: bytes,
    current: bytes,
    *,
    names: tuple[str, str] = ("the previous catalogue", "the current catalogue"),
) -> CatalogueDiff:
    """``diff.compare`` of two catalogue files, building only the records that differ.

    A record that is the same in both files is set aside unbuilt: on a large catalogue with a
    few changes that is most of the work. Both files are checked whole first; the cheap checks
    of both come before the costly one, so either file's damage is found early.
    """
    # Both files' values stay alive to the end: a paused collector saves scanning them over and
    # over while the records that differ are built (half the time on a large file, make bench).
    with paused():
        old = _read(previous.removeprefix(UTF8_BOM), names[0])
        new = _read(current.removeprefix(UTF8_BOM), names[1])
        old.prove()
        old_rest, new_rest = differing(old.keys, new.keys)
        changes = compare_sides(*_alike_set_aside(old.side(old_rest), new.side(new_rest)))
        # Freed while the collector is off: back on, it would scan them all once more.
        del old, new
    return changes


def _alike_set_aside(old: Side, new: Side) -> tuple[Side, Side]:
    """The sides without the records equal as ``compare`` sees them but written differently
    (in two layouts, say): set aside as ``compare`` would set them aside."""
    old_at, new_at = list(old.rest), list(new.rest)
    old_left, new_left = differing(
        [record_key(old.rest[i]) for i in old_at], [record_key(new.rest[i]) for i in new_at]
    )
    return (
        Side(old.catalogue, {old_at[i]: old.rest[old_at[i]] for i in old_left}, old.sizes),
        Side(new.catalogue, {new_at[i]: new.rest[new_at[i]] for i in new_left}, new.sizes),
    )


# -- the two layouts, as regular expressions -----------------------------------------------------

# A JSON string as pydantic reads it: no raw control character, known escapes, no lone
# surrogate (a pair is one character). UTF-8 is checked apart, by the decoder.
_STRING = (
    rb'"(?:[^"\\\x00-\x1f]++|\\["\\/bfnrt]|\\u(?![dD][89a-fA-F])[0-9a-fA-F]{4}'
    rb'|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})*+"'
)
# The section, then the code: the models' field order, so a record starts with them.
_SCAN = rb'\{"section"%(colon)s(%(string)s)%(comma)s"code"%(colon)s'
# Codes from 0 to 2**31 - 1 (catalogue.models.MAX_CODE), proven without reading them.
_CODE_IN_RANGE = (
    rb"(?:0|[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
    rb"|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
    rb"|21474836[0-3][0-9]|214748364[0-7])[,}]"
)


def _record_pattern(colon: bytes, comma: bytes) -> bytes:
    """A record of the known fields, in the models' order, as this layout spaces them."""

    def field(name: bytes, value: bytes) -> bytes:
        return b'"' + name + b'"' + colon + value

    def items(item: bytes) -> bytes:
        return rb"(?:" + item + rb"(?:" + comma + item + rb")*+)?"

    link = rb"\{" + field(b"text", _STRING) + comma + field(b"href", _STRING) + rb"\}"
    pair = _STRING + colon + _STRING
    fields = [
        field(b"section", _STRING),
        field(b"code", rb"-?(?:0|[1-9][0-9]*+)"),
        field(b"message", _STRING),
        field(b"description", _STRING),
        field(b"section_anchor", _STRING),
        field(b"links", rb"\[" + items(link) + rb"\]"),
        field(b"placeholders", rb"\[" + items(_STRING) + rb"\]"),
    ]
    optional = [field(b"code_note", _STRING), field(b"extra", rb"\{" + items(pair) + rb"\}")]
    return (
        rb"\{"
        + comma.join(fields)
        + b"".join(rb"(?:" + comma + f + rb")?" for f in optional)
        + rb"\}"
    )


@dataclass(frozen=True)
class _Layout:
    """How one writer lays out the records: what comes before and after them, and between."""

    before: bytes  # from the comma ending the page's fields to the first record
    after: bytes  # from the end of the last record to the end of the file
    between: bytes  # from the end of a record to the start of the next
    scan: re.Pattern[bytes]  # each record's section (group 1), if its code is in range
    exact: re.Pattern[bytes]  # each record's section and code, whatever the code
    proof: re.Pattern[bytes]  # well-formed records, each followed by `between` or the end

    @classmethod
    def of(cls, before: bytes, after: bytes, between: bytes, colon: bytes, comma: bytes) -> _Layout:
        scan = _SCAN % {b"colon": colon, b"comma": comma, b"string": _STRING}
        record = _record_pattern(colon, comma)
        return cls(
            before=before,
            after=after,
            between=between,
            scan=re.compile(scan + _CODE_IN_RANGE),
            exact=re.compile(scan + rb"(-?[0-9]+)[,}]"),
            proof=re.compile(rb"(?:" + record + rb"(?:" + re.escape(between) + rb"|\Z))*+"),
        )

    @property
    def separator(self) -> bytes:
        """What lies between one record's last byte and the next one's fields."""
        return b"}" + self.between + b'{"section"'


_LAYOUTS = (
    # catalogue_json: the page's fields indented, one record per line.
    _Layout.of(RECORDS_START + b"    ", RECORDS_END, b",\n    ", b":", b","),
    # json.dump(doc, fp) of it, with or without a last newline: one line, ", " and ": ".
    _Layout.of(b', "records": [', b"]}", b", ", b": ", b", "),
    _Layout.of(b', "records": [', b"]}\n", b", ", b": ", b", "),
)


# -- one file ------------------------------------------------------------------------------------


@dataclass
class _FileRecords:
    """A catalogue file's own fields, validated, and its records as keys, built on demand:
    equal keys are equal records. ``layout`` is None for a file read whole."""

    name: str
    data: bytes
    head: Catalogue
    keys: Sequence[Hashable]
    layout: _Layout | None
    block: tuple[int, int]  # where the records are in ``data``

    def build(self, index: int) -> Record:
        if self.layout is None:
            return self.head.records[index]
        return Record.model_validate_json(_OPENING + cast(bytes, self.keys[index]) + b"}")

    def side(self, rest: list[int]) -> Side:
        built: dict[int, Record] = {}
        for index in rest:
            try:
                built[index] = self.build(index)
            except ValidationError as exc:
                self.refuse(index, exc)
        sizes = Counter({s.title: s.record_count for s in self.head.sections})
        return Side(self.head, built, sizes)

    def refuse(self, index: int, exc: ValidationError) -> NoReturn:
        if exc.errors()[0]["type"] == "json_invalid":
            load_catalogue(self.data, name=self.name)  # the place, in the whole file's lines
        problem = f"records.{index}.{first_problem(exc)}"
        raise CatalogueError(f"{self.name} is not a nim-scrape catalogue: {problem}") from exc

    def prove(self) -> None:
        """Every record is a valid ``Record``, or ``CatalogueError`` names the first one that is
        not. One regular expression proves most of them; a record it cannot (keys in another
        order, say) is built to be sure."""
        if self.layout is None:
            return  # read whole: every record was built
        proof, between, separator = self.layout.proof, self.layout.between, self.layout.separator
        at, end = self.block
        index = 0
        while True:
            proven = proof.match(self.data, at, end)
            reached = proven.end() if proven else at
            if reached == end:
                break
            index += self.data.count(separator, at, min(reached + len(_OPENING), end))
            try:
                self.build(index)
            except ValidationError as exc:
                self.refuse(index, exc)
            following = self.data.find(separator, reached, end)
            if following < 0:
                break
            at, index = following + 1 + len(between), index + 1
        self.check_utf8()

    def check_utf8(self) -> None:
        """The records are UTF-8 (the expression reads bytes), checked in pieces to keep
        memory flat."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        view = memoryview(self.data)
        start, end = self.block
        try:
            for at in range(start, end, _PIECE):
                decoder.decode(view[at : min(at + _PIECE, end)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            load_catalogue(self.data, name=self.name)  # names the place as reading it whole does
            raise


_PIECE = 1 << 22


class _NotThisLayout(Exception):
    """The scan could not account for every record: the file is read whole instead."""


def _read(data: bytes, name: str) -> _FileRecords:
    """The file's records as keys, its page fields and its sections and codes checked."""
    for layout in _LAYOUTS:
        try:
            found = _cut(data, name, layout)
        except _NotThisLayout:
            break
        if found:
            return found
    # Another layout, or something the scan could not account for: read it whole, which also
    # names the first problem exactly.
    catalogue = load_catalogue(data, name=name)
    keys = [record_key(record) for record in catalogue.records]
    return _FileRecords(name, data, catalogue, keys, None, (0, 0))


def _cut(data: bytes, name: str, layout: _Layout) -> _FileRecords | None:
    """The records of ``data`` as the bytes between ``layout``'s separators, or None."""
    comma = data.find(layout.before)
    first = comma + len(layout.before)
    end = len(data) - len(layout.after)
    if comma < 0 or not data.endswith(layout.after) or not data.startswith(_OPENING, first):
        return None
    head = _head(data[:comma] + b"}", name)
    if head is None:
        return None
    sections = layout.scan.findall(data, first, end)
    found = _FileRecords(name, data, head, [], layout, (first, end))
    # Checked before the records are cut out, so a damaged file is refused early.
    count = data.count(layout.separator) + 1
    problem = _inconsistency(found, sections) if len(sections) == count else _exact(found, count)
    if problem:
        raise CatalogueError(f"{name} is not a valid nim-scrape catalogue: {problem}")
    del sections
    # Split over the whole file, not a copy of the block: a separator cannot fall in the page's
    # fields, which are valid JSON without a record in them.
    keys = data.split(layout.separator)
    keys[-1] = keys[-1][: len(keys[-1]) - len(layout.after) - 1]  # up to the last record's "}"
    keys[0] = keys[0][first + len(_OPENING) :]
    found.keys = keys
    return found


_OPENING = b'{"section"'


def _head(text: bytes, name: str) -> Catalogue | None:
    """The page's fields and sections, validated; None if they hold records of their own."""
    try:
        head = Catalogue.model_validate_json(text)
    except ValidationError as exc:
        if any(error["type"] == "extra_forbidden" for error in exc.errors()):
            return None  # whole, pydantic names a record's problem before an unknown field
        if exc.errors()[0]["type"] == "json_invalid":
            return None  # its place is named in the whole file's lines and columns
        raise CatalogueError(f"{name} is not a nim-scrape catalogue: {first_problem(exc)}") from exc
    return None if head.records else head


def _inconsistency(found: _FileRecords, sections: list[bytes]) -> str | None:
    """``models.inconsistency`` of the records' sections (their codes are in range), read off
    the scan: counted in C, and only read one by one to name a problem."""
    head = found.head
    decoded: Counter[str] = Counter()
    for title, count in Counter(sections).items():
        decoded[pydantic_core.from_json(title)] += count
    listed = Counter({s.title: s.record_count for s in head.sections})
    if (
        head.schema_version in KNOWN_SCHEMA_VERSIONS
        and len(listed) == len(head.sections)
        and decoded == listed
    ):
        return None
    return _exact(found, len(sections))


def _exact(found: _FileRecords, count: int) -> str | None:
    """``models.inconsistency`` of the records' sections and codes read one by one, stopping
    at the first record at fault (the one ``inconsistency`` names first)."""
    assert found.layout is not None
    head = found.head
    listed = {s.title for s in head.sections}
    problem = inconsistency(head.schema_version, head.sections, [], [])
    if problem and not problem.startswith("the section "):
        return problem  # the file's own fields, checked before any record
    titles: list[str] = []
    codes: list[int] = []
    decoded: dict[bytes, str] = {}
    for raw, code in found.layout.exact.findall(found.data, *found.block):
        title = decoded.get(raw) or decoded.setdefault(raw, pydantic_core.from_json(raw))
        titles.append(title)
        codes.append(int(code))
        if title not in listed or not 0 <= codes[-1] < MAX_CODE:
            return inconsistency(head.schema_version, head.sections, titles, codes)
    if len(codes) != count:
        raise _NotThisLayout  # a record the scan cannot read: pydantic names its problem
    return inconsistency(head.schema_version, head.sections, titles, codes)
