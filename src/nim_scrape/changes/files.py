"""Two catalogue files compared without building the records they share.

``compare_files`` is ``diff.compare`` for files: records that are the same in both are set aside
as keys (lines of bytes in ``catalogue_json``'s layout, canonical JSON otherwise) and only the
rest become ``Record`` values. Every file is still checked whole before anything is compared.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic_core
from pydantic import ValidationError

from nim_scrape._gc import paused
from nim_scrape.catalogue.models import Catalogue, Record, inconsistency
from nim_scrape.catalogue.store import (
    RECORDS_END,
    RECORDS_START,
    UTF8_BOM,
    first_problem,
    load_catalogue,
)
from nim_scrape.changes.diff import CatalogueDiff, Side, compare_sides, differing
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
    few changes that is most of the work. In the layout ``catalogue_json`` writes, records
    are compared as lines of bytes; a file laid out otherwise (``json.dump`` of it, say) is read
    as JSON values and its records compared as such.
    """
    # Both files' values stay alive to the end: a paused collector saves scanning them over and
    # over while the records that differ are built (half the time on a large file, make bench).
    with paused():
        old = _FileRecords.read(previous, names[0])
        new = _FileRecords.read(current, names[1])
        old_rest, new_rest = differing(old.keys, new.keys)
        return compare_sides(old.side(old_rest), new.side(new_rest))


@dataclass(frozen=True)
class _FileRecords:
    """A catalogue file's own fields, validated, and its records as keys, built on demand:
    equal keys are equal records."""

    name: str
    head: Catalogue
    keys: list[Any]
    build: Callable[[int], Record]
    problem: str | None

    @classmethod
    def read(cls, data: bytes, name: str) -> _FileRecords:
        data = data.removeprefix(UTF8_BOM)
        try:
            found = _lines(data, name) or _values(data, name)
        except (ValueError, TypeError, KeyError, AttributeError):
            # Not a catalogue at all: the full reading names the first problem exactly.
            load_catalogue(data, name=name)
            raise
        if found.problem:
            raise CatalogueError(f"{name} is not a valid nim-scrape catalogue: {found.problem}")
        return found

    def side(self, rest: list[int]) -> Side:
        built: dict[int, Record] = {}
        for index in rest:
            try:
                built[index] = self.build(index)
            except ValidationError as exc:
                problem = f"records.{index}.{first_problem(exc)}"
                raise CatalogueError(
                    f"{self.name} is not a nim-scrape catalogue: {problem}"
                ) from exc
        sizes = Counter({s.title: s.record_count for s in self.head.sections})
        return Side(self.head, built, sizes)


def _lines(data: bytes, name: str) -> _FileRecords | None:
    """The records as lines of bytes, if ``data`` is laid out as ``catalogue_json`` writes it."""
    start = data.find(RECORDS_START)
    if start < 0 or not data.endswith(RECORDS_END):
        return None
    block = data[start + len(RECORDS_START) : -len(RECORDS_END)]
    lines = block.split(b"\n")
    # Each record's section and code, read off its line in one pass (C speed), to check the
    # whole file without building a record (a record line starts with them: the models' order).
    # (Searched in ``data`` from the newline before the first record: no copy of the block.)
    first = start + len(RECORDS_START) - 1
    starts = _LINE_START.findall(data, first, len(data) - len(RECORDS_END))
    if len(starts) != len(lines):
        return None
    lines[-1] += b","  # so that a record reads the same on the last line as on any other
    head = Catalogue.model_validate_json(data[:start] + b"\n}\n")
    title = functools.lru_cache(maxsize=None)(pydantic_core.from_json)
    titles = [title(section) for section, _ in starts]
    codes = [int(code) for _, code in starts]
    problem = inconsistency(head.schema_version, head.sections, titles, codes)
    build = lambda i: Record.model_validate_json(lines[i].strip().removesuffix(b","))  # noqa: E731
    return _FileRecords(name, head, lines, build, problem)


# A newline, then a record's start: its section (a JSON string, escapes and all) and its code.
_LINE_START = re.compile(rb'\n {4}\{"section":("[^"\\]*(?:\\.[^"\\]*)*"),"code":(-?\d+)[,}]')


def _values(data: bytes, name: str) -> _FileRecords:
    """The records as JSON values, keyed by their canonical JSON, for any other layout."""
    doc = pydantic_core.from_json(data)
    records: list[dict[str, Any]] = doc["records"]
    head = Catalogue.model_validate({**doc, "records": ()})
    keys = [pydantic_core.to_json(record) for record in records]  # in Rust: 3x repr()'s speed
    titles = [record["section"] for record in records]
    codes = [record["code"] for record in records]
    problem = inconsistency(head.schema_version, head.sections, titles, codes)
    return _FileRecords(name, head, keys, lambda i: Record.model_validate(records[i]), problem)
