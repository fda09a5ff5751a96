"""Two catalogue files compared without building the records they share.

``compare_files`` is ``diff.compare`` for files. A file laid out as ``catalogue_json`` writes it
(one record per line) or as ``json.dump`` writes it (one line) is cut into its records' bytes
between the separators. A record that is the same in both files is the same bytes in both: it is
set aside by a hash of its bytes, never built, and only the rest become ``Record`` values.

Every record is still checked, and the first problem found refuses its file, the previous
file first:

- its page fields, then its records in windows of a few megabytes: one regular expression proves
  each window to be well-formed records of the known fields (a record it cannot prove is built
  to be sure), whose sections are listed and whose codes are in range. A damaged file is refused
  at the first window at fault, not after reading everything;
- then the current file's page fields, and its records that the previous file does not hold,
  built; the others are, byte for byte, records just proven (their hashes matched, then their
  bytes were compared, a run of records at a time), so its sections' counts follow from the
  previous file's counts and the records built.

Reading a file whole (``load_catalogue``) is the reference, and what names a problem exactly. It is
what happens to a file laid out otherwise, to two files whose records are spelled differently, and
to anything the cutting cannot account for.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import add, itemgetter
from typing import NoReturn

import pydantic_core
from pydantic import ValidationError

import nim_scrape._aside as _aside
from nim_scrape._gc import paused
from nim_scrape.catalogue.models import (
    KNOWN_SCHEMA_VERSIONS,
    MAX_CODE,
    Catalogue,
    Record,
    Section,
    inconsistency,
)
from nim_scrape.catalogue.store import (
    RECORDS_END,
    RECORDS_START,
    UTF8_BOM,
    first_problem,
    load_catalogue,
)
from nim_scrape.changes.diff import (
    CatalogueDiff,
    Side,
    compare,
    compare_sides,
    differing,
    record_key,
)
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
    few changes that is most of the work. Both files are checked whole, the previous one first,
    and a file is refused at its first problem found.
    """
    previous, current = previous.removeprefix(UTF8_BOM), current.removeprefix(UTF8_BOM)
    # Both files' values stay alive to the end: a paused collector saves scanning them over and
    # over while the records that differ are built (half the time on a large file, make bench).
    with paused():
        try:
            changes = _compare_cut(previous, current, names)
        except _ReadWhole:
            changes = None
        if changes is None:
            whole = load_catalogue(previous, name=names[0]), load_catalogue(current, name=names[1])
            changes = compare(*whole)
            # Freed while the collector is off: back on, it would scan them all once more.
            del whole
    return changes


class _ReadWhole(Exception):
    """The cutting cannot account for a file: it is read whole instead, which also names its
    first problem exactly."""


def _compare_cut(previous: bytes, current: bytes, names: tuple[str, str]) -> CatalogueDiff | None:
    """The diff of two files cut into records, or None if they cannot both be cut alike."""
    old = _cut(previous, names[0])
    if old is None:
        return None
    with _Proof.of(old) as proof:
        try:
            new = _cut(current, names[1], old.known_sections())
            if new is None or new.layout.between != old.layout.between:
                return None  # records spelled differently in each: no record's bytes are in both
            new.split(proof.poll)
            proof.poll()
            old_rest, new_rest = _unshared(old, new) or differing(old.pieces(), new.pieces())
            old_side, new_side = old.side(old_rest), new.side(new_rest)
            proof.wait()
        except (CatalogueError, _ReadWhole):
            proof.wait()  # the previous file is read first: its own problem is named first
            raise
    new.check_counts(old, old_side, new_side)
    changes = compare_sides(*_alike_set_aside(old_side, new_side))
    del old, new, old_side, new_side  # freed while the collector is off (see compare_files)
    return changes


class _Proof:
    """The previous file's proof (``_Cut.prove``): in a child process, beside the rest of the
    work, for a large file where one can be used (``_aside``), else here at once. ``wait``
    raises what the proof found."""

    def __init__(self, cut: _Cut, child: _aside.Child | None) -> None:
        self.cut, self.child = cut, child

    @classmethod
    @contextlib.contextmanager
    def of(cls, cut: _Cut) -> Iterator[_Proof]:
        """The proof begun, and the pieces hashed here meanwhile; its child stopped on leaving."""
        child = None
        if cut.end - cut.first >= _ASIDE_BYTES:
            child = _aside.start(functools.partial(cut.prove, keep=False))
        proof = cls(cut, child)
        try:
            if child is None:
                cut.prove()
            else:
                cut.split(proof.poll)  # the pieces' hashes, here, while the child proves them
            yield proof
        finally:
            proof.stop()

    def poll(self) -> None:
        """``wait`` if the child has already ended: a file at fault is refused as soon as the
        child finds it, not once the rest of the work is done."""
        if self.child is not None and self.child.ended():
            self.wait()

    def wait(self) -> None:
        if self.child is None:
            return
        try:
            problem = self.child.wait()
        except _aside.Lost:
            self.child = None
            self.cut.prove(keep=False)  # never read a lost proof as a passed one
            return
        if problem is not None:
            raise problem

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()


# A proof in a child process pays from about this many bytes of records (make bench): below,
# starting the child costs more than the proof.
_ASIDE_BYTES = 4 << 20


def _alike_set_aside(old: Side, new: Side) -> tuple[Side, Side]:
    """The sides without the records equal as ``compare`` sees them but written differently
    (keys in another order, say): set aside as ``compare`` would set them aside."""
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
# surrogate (a pair is one character). UTF-8 is checked apart, by the decoder. Written as a
# run of plain bytes, then escapes each followed by such a run: a string without escapes, the
# usual one, is then one step of the engine, not one per run between escapes.
_PLAIN = rb'[^"\\\x00-\x1f]*+'
_ESCAPE = (
    rb'(?:\\["\\/bfnrt]|\\u(?![dD][89a-fA-F])[0-9a-fA-F]{4}'
    rb"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})"
)
_STRING = rb'"' + _PLAIN + rb"(?:" + _ESCAPE + _PLAIN + rb')*+"'
# Codes from 0 to 2**31 - 1 (catalogue.models.MAX_CODE), proven without reading them.
_CODE_IN_RANGE = (
    rb"(?:0|[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
    rb"|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
    rb"|21474836[0-3][0-9]|214748364[0-7])"
)
# What every record starts with: the models' field order puts the section first.
_OPENING = b'{"section"'


def _record_pattern(colon: bytes, comma: bytes) -> bytes:
    """A record of the known fields, in the models' order, as this layout spaces them, its code
    in range. Group 1 is what a split at the separators leaves of it (all but its opening and
    its last brace), group 2 its section as a JSON string."""

    def field(name: bytes, value: bytes) -> bytes:
        return b'"' + name + b'"' + colon + value

    def items(item: bytes) -> bytes:
        return rb"(?:" + item + rb"(?:" + comma + item + rb")*+)?"

    link = rb"\{" + field(b"text", _STRING) + comma + field(b"href", _STRING) + rb"\}"
    pair = _STRING + colon + _STRING
    fields = [
        field(b"code", _CODE_IN_RANGE),
        field(b"message", _STRING),
        field(b"description", _STRING),
        field(b"section_anchor", _STRING),
        field(b"links", rb"\[" + items(link) + rb"\]"),
        field(b"placeholders", rb"\[" + items(_STRING) + rb"\]"),
    ]
    optional = [field(b"code_note", _STRING), field(b"extra", rb"\{" + items(pair) + rb"\}")]
    inner = (
        colon
        + b"("
        + _STRING
        + b")"
        + comma
        + comma.join(fields)
        + b"".join(rb"(?:" + comma + f + rb")?" for f in optional)
    )
    return re.escape(_OPENING) + b"(" + inner + rb")\}"


@dataclass(frozen=True)
class _Layout:
    """How one writer lays out the records: what comes before and after them, and between,
    and how it spaces a record's fields. Its expressions are compiled when a file in it is
    read, not when the module is imported."""

    before: bytes  # from the comma ending the page's fields to the first record
    after: bytes  # from the end of the last record to the end of the file
    between: bytes  # from the end of a record to the start of the next
    colon: bytes
    comma: bytes
    section_separator: bytes  # from a section's last brace to the next one's "title"

    @functools.cached_property
    def record(self) -> re.Pattern[bytes]:
        """One well-formed record (its groups: see ``_record_pattern``)."""
        return re.compile(_record_pattern(self.colon, self.comma))

    @functools.cached_property
    def records(self) -> re.Pattern[bytes]:
        """A well-formed record followed by ``between`` or the end."""
        return re.compile(self.record.pattern + rb"(?:" + re.escape(self.between) + rb"|\Z)")

    @functools.cached_property
    def exact(self) -> re.Pattern[bytes]:
        """A record's section and code, whatever the code."""
        colon, comma = self.colon, self.comma
        opening = re.escape(_OPENING) + colon + b"(" + _STRING + b")" + comma
        return re.compile(opening + b'"code"' + colon + rb"(-?[0-9]+)[,}]")

    @property
    def separator(self) -> bytes:
        """What lies between one record's last byte and the next one's fields."""
        return b"}" + self.between + _OPENING


_LAYOUTS = (
    # catalogue_json: the page's fields indented, one record per line.
    _Layout(
        RECORDS_START + b"    ", RECORDS_END, b",\n    ", b":", b",", b'},\n    {\n      "title"'
    ),
    # json.dump(doc, fp) of it, with or without a last newline: one line, ", " and ": ".
    _Layout(b', "records": [', b"]}", b", ", b": ", b", ", b'}, {"title"'),
    _Layout(b', "records": [', b"]}\n", b", ", b": ", b", ", b'}, {"title"'),
)

# The previous file is proven this many bytes at a time, so that damage is found where it is.
_WINDOW = 1 << 22


# -- one file ------------------------------------------------------------------------------------


@dataclass
class _Cut:
    """A catalogue file's page fields, validated, and its records as the bytes between the
    separators: each record's piece (see ``_record_pattern``) and a hash of it."""

    name: str
    data: bytes
    head: Catalogue
    layout: _Layout
    first: int  # where the first record starts
    end: int  # just after the last record's last brace
    hashes: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    # -- reading

    def prove(self, *, keep: bool = True) -> None:
        """Every record a valid ``Record`` of a listed section with its code in range, or
        ``CatalogueError`` names the first problem; each record's piece hashed if ``keep``
        (a proof in a child process keeps nothing: ``split`` hashes them in the parent)."""
        data, layout, listed = self.data, self.layout, {s.title for s in self.head.sections}
        counts: Counter[str] = Counter()
        decoded: dict[bytes, str] = {}
        overhead, between = len(_OPENING) + 1 + len(layout.between), len(layout.between)
        at, done = self.first, 0
        while at < self.end:
            cut = data.find(layout.separator, at + _WINDOW, self.end)
            stop = self.end if cut < 0 else cut + 1
            self.check_utf8(at, stop)
            found = layout.records.findall(data, at, stop)
            pieces = list(map(itemgetter(0), found))
            # The matches tile the window (none skipped a byte) when their lengths add up to it.
            if sum(map(len, pieces)) + len(pieces) * overhead - between == stop - at:
                window: Counter[str] = Counter()
                for raw, n in Counter(map(itemgetter(1), found)).items():
                    title = decoded.get(raw)
                    if title is None:
                        title = decoded[raw] = pydantic_core.from_json(raw)
                    window[title] += n
            else:
                pieces, window = self.by_record(at, stop, listed, done)
            if not window.keys() <= listed:
                self.refuse_inconsistent()
            counts.update(window)
            if keep:
                self.hashes.extend(map(hash, pieces))
                self.lengths.extend(map(len, pieces))
            done += len(pieces)
            at = stop + between
        sections = self.head.sections
        if len({s.title for s in sections}) != len(sections) or counts != Counter(
            {s.title: s.record_count for s in sections}
        ):
            self.refuse_inconsistent()
        if keep:
            self.place()

    def by_record(
        self, at: int, stop: int, listed: set[str], done: int
    ) -> tuple[list[bytes], Counter[str]]:
        """The pieces and sections of a window the expression could not prove whole (``done``
        records before it): each record proven alone, or built to be sure (keys in another
        order, say)."""
        layout = self.layout
        pieces = self.data[at + len(_OPENING) : stop - 1].split(layout.separator)
        window: Counter[str] = Counter()
        for offset, piece in enumerate(pieces):
            proven = layout.record.fullmatch(_OPENING + piece + b"}")
            if proven:
                window[pydantic_core.from_json(proven[2])] += 1
                continue
            record = self.build_piece(piece, done + offset)
            if record.section not in listed or not 0 <= record.code < MAX_CODE:
                self.refuse_inconsistent()
            window[record.section] += 1
        return pieces, window

    def split(self, between: Callable[[], None]) -> None:
        """Each record's piece hashed, without reading it: only the records the other file
        does not hold are built (``side``), and the rest are its proven records. ``between``
        is called after each window."""
        data, separator = self.data, self.layout.separator
        at = self.first + len(_OPENING)
        while at < self.end:
            cut = data.find(separator, at + _WINDOW, self.end)
            stop = self.end - 1 if cut < 0 else cut
            pieces = data[at:stop].split(separator)
            self.hashes.extend(map(hash, pieces))
            self.lengths.extend(map(len, pieces))
            at = stop + len(separator)
            between()
        self.place()

    def place(self) -> None:
        """Where each piece starts, from the lengths."""
        steps = map(add, self.lengths, repeat(len(self.layout.separator)))
        self.starts = list(accumulate(steps, initial=self.first + len(_OPENING)))
        self.starts.pop()

    def known_sections(self) -> dict[bytes, Section]:
        """Each section by its bytes in this file, for reading another file's sections."""
        found = _section_pieces(self.data[: self.first], self.layout)
        if found is None or len(found[1]) != len(self.head.sections):
            return {}
        return dict(zip(found[1], self.head.sections, strict=True))

    def check_utf8(self, start: int, stop: int) -> None:
        """The records are UTF-8 (the expression reads bytes)."""
        try:
            codecs.utf_8_decode(memoryview(self.data)[start:stop], "strict", True)
        except UnicodeDecodeError:
            raise _ReadWhole from None  # read whole, the place is named in lines and columns

    # -- the records

    def piece(self, index: int) -> bytes:
        start = self.starts[index]
        return self.data[start : start + self.lengths[index]]

    def pieces(self) -> list[bytes]:
        return [self.data[s : s + n] for s, n in zip(self.starts, self.lengths, strict=True)]

    def span(self, index: int, count: int) -> bytes:
        """The pieces from ``index`` on, and the separators between them."""
        last = index + count - 1
        return self.data[self.starts[index] : self.starts[last] + self.lengths[last]]

    def build_piece(self, piece: bytes, index: int) -> Record:
        try:
            return Record.model_validate_json(_OPENING + piece + b"}")
        except ValidationError as exc:
            self.refuse(index, exc)

    def side(self, rest: list[int]) -> Side:
        built = {index: self.build_piece(self.piece(index), index) for index in rest}
        sizes = Counter({s.title: s.record_count for s in self.head.sections})
        return Side(self.head, built, sizes)

    def check_counts(self, old: _Cut, old_side: Side, new_side: Side) -> None:
        """This file's sections hold the records they list, and its codes are in range: read
        off the previous file's counts, which hold for the records both files share."""
        sizes = Counter({s.title: s.record_count for s in old.head.sections})
        sizes.subtract(record.section for record in old_side.rest.values())
        sizes.update(record.section for record in new_side.rest.values())
        head = self.head
        if (
            head.schema_version in KNOWN_SCHEMA_VERSIONS
            and len({s.title for s in head.sections}) == len(head.sections)
            and all(0 <= record.code < MAX_CODE for record in new_side.rest.values())
            and sizes == Counter({s.title: s.record_count for s in head.sections})
        ):
            return
        self.refuse_inconsistent()

    # -- refusing

    def refuse(self, index: int, exc: ValidationError) -> NoReturn:
        if exc.errors()[0]["type"] == "json_invalid":
            raise _ReadWhole from exc  # the place, in the whole file's lines and columns
        problem = f"records.{index}.{first_problem(exc)}"
        raise CatalogueError(f"{self.name} is not a nim-scrape catalogue: {problem}") from exc

    def refuse_inconsistent(self) -> NoReturn:
        """``CatalogueError`` with ``models.inconsistency`` of the records' sections and codes
        read one by one, up to the first record at fault (the one it names first)."""
        problem = _inconsistency(self)
        if problem is None:
            raise _ReadWhole  # something the counts saw and the records do not show: read whole
        raise CatalogueError(f"{self.name} is not a valid nim-scrape catalogue: {problem}")


def _inconsistency(cut: _Cut) -> str | None:
    head, layout, data = cut.head, cut.layout, cut.data
    listed = {s.title for s in head.sections}
    titles: list[str] = []
    codes: list[int] = []
    decoded: dict[bytes, str] = {}
    at = cut.first
    while True:
        found = layout.exact.match(data, at, cut.end)
        if found is None:
            raise _ReadWhole  # a record the expression cannot read: pydantic names its problem
        raw, code = found.groups()
        try:
            title = decoded.get(raw) or decoded.setdefault(raw, pydantic_core.from_json(raw))
        except ValueError:
            raise _ReadWhole from None
        titles.append(title)
        codes.append(int(code))
        if title not in listed or not 0 <= codes[-1] < MAX_CODE:
            break
        following = data.find(layout.separator, found.end(), cut.end)
        if following < 0:
            break
        at = following + 1 + len(layout.between)
    return inconsistency(head.schema_version, head.sections, titles, codes)


def _cut(data: bytes, name: str, known: dict[bytes, Section] | None = None) -> _Cut | None:
    """``data``'s page fields, validated, and where its records are; None for a file laid out
    otherwise. A problem of the page fields alone is refused here, before any record is read.
    A section the same bytes as one of ``known`` is not validated again."""
    for layout in _LAYOUTS:
        comma = data.find(layout.before)
        first = comma + len(layout.before)
        if comma < 0 or not data.endswith(layout.after) or not data.startswith(_OPENING, first):
            continue
        text = data[:comma] + b"}"
        head = (known and _head_reusing(text, layout, known)) or _head(text, name)
        if head is None:
            return None
        problem = inconsistency(head.schema_version, head.sections, [], [])
        if problem and not problem.startswith("the section "):  # not about the records
            raise CatalogueError(f"{name} is not a valid nim-scrape catalogue: {problem}")
        return _Cut(name, data, head, layout, first, len(data) - len(layout.after))
    return None


_SECTIONS = b'"sections": ['


def _section_pieces(text: bytes, layout: _Layout) -> tuple[int, list[bytes]] | None:
    """Where the sections start in the page fields' ``text``, and the bytes of each as a split
    at the separators leaves them (the separator holds a bare quote: never inside a value)."""
    start, end = text.find(_SECTIONS), text.rfind(b"]")
    if start < 0 or end < start:
        return None
    return start, text[start + len(_SECTIONS) : end].split(layout.section_separator)


def _head_reusing(text: bytes, layout: _Layout, known: dict[bytes, Section]) -> Catalogue | None:
    """``_head`` of ``text``, its sections the same bytes as one of ``known`` not validated
    again: on a large catalogue, most sections are unchanged. None for anything else, left to
    ``_head``, which names a problem."""
    found = _section_pieces(text, layout)
    if found is None:
        return None
    start, pieces = found
    opening, last = layout.section_separator[1:], len(pieces) - 1
    opening = opening[opening.index(b"{") :]
    try:
        page = Catalogue.model_validate_json(text[:start] + _SECTIONS + b"]}")
        sections = tuple(
            known.get(piece)
            or Section.model_validate_json(
                (opening if index else b"") + piece + (b"}" if index < last else b"")
            )
            for index, piece in enumerate(pieces)
        )
    except ValidationError:
        return None
    return None if page.records else page.model_copy(update={"sections": sections})


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


# -- the records both files hold ------------------------------------------------------------------


def _unshared(old: _Cut, new: _Cut) -> tuple[list[int], list[int]] | None:
    """The indices of each file's records that the other does not hold, found by their hashes
    and proven by their bytes; None when a hash repeats (a record repeats, or two collide) or
    the records both hold come in another order: the pieces themselves are compared then."""
    old_hashes, new_hashes = old.hashes, new.hashes
    old_set, new_set = set(old_hashes), set(new_hashes)
    if len(old_set) != len(old_hashes) or len(new_set) != len(new_hashes):
        return None
    # Both files in step: a run of records both hold, then records only one holds, and so on.
    runs: list[tuple[int, int, int]] = []
    old_rest: list[int] = []
    new_rest: list[int] = []
    at_old = at_new = 0
    while at_old < len(old_hashes) and at_new < len(new_hashes):
        key = old_hashes[at_old]
        if key == new_hashes[at_new]:
            length = _run(old_hashes, new_hashes, at_old, at_new)
            runs.append((at_old, at_new, length))
            at_old, at_new = at_old + length, at_new + length
        elif key not in new_set:
            old_rest.append(at_old)
            at_old += 1
        elif new_hashes[at_new] not in old_set:
            new_rest.append(at_new)
            at_new += 1
        else:
            return None  # a record both hold stands elsewhere in the other: out of step
    if not new_set.isdisjoint(old_hashes[at_old:]) or not old_set.isdisjoint(new_hashes[at_new:]):
        return None
    old_rest += range(at_old, len(old_hashes))
    new_rest += range(at_new, len(new_hashes))
    # Equal hashes are not yet equal records: the bytes of each run are compared, which also
    # compares the records one by one (the pieces hold no separator, and both use one).
    if not all(old.span(i, n) == new.span(j, n) for i, j, n in runs):
        return None
    return old_rest, new_rest


def _run(old: list[int], new: list[int], at_old: int, at_new: int) -> int:
    """How many hashes are the same from ``at_old`` in ``old`` and ``at_new`` in ``new`` (the
    first are): compared a slice at a time, the slices doubling while they match and halving
    when they do not, so a run of n costs about 2 log n comparisons in C."""
    most = min(len(old) - at_old, len(new) - at_new)
    length, step = 1, 1
    while length < most:
        step = min(step, most - length)
        if (
            old[at_old + length : at_old + length + step]
            == new[at_new + length : at_new + length + step]
        ):
            length += step
            step *= 2
        elif step == 1:
            break
        else:
            step //= 2
    return length
