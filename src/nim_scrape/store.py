"""The catalogue on disk: its JSON layout, reading it back strictly, and the output folder.

Every file is written to a temporary file beside it and renamed into place, so a run killed at
any moment leaves either the old file or the new one, never half of one. The JSON layout (the
page's fields indented, then one record per line) is written and read here only, so the fast
comparison of two files (``compare_files``) can rely on it without the differ knowing files.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic_core
from pydantic import ValidationError

from ._gc import paused
from .errors import CatalogueError, LockBusy, OutputError
from .models import RECORDS, Catalogue, Record, inconsistency

if TYPE_CHECKING:
    from .diff import CatalogueDiff, Side

__all__ = [
    "OutputFolder",
    "atomic_write",
    "catalogue_json",
    "compare_files",
    "load_catalogue",
    "read_catalogue",
    "read_catalogue_bytes",
    "read_text",
]

logger = logging.getLogger(__name__)

_INDENT = "    "
_BETWEEN_RECORDS = '},{"section":'
_BETWEEN_RECORDS_ON_LINES = "},\n" + _INDENT + '{"section":'
_RECORDS_START = b',\n  "records": [\n'
_RECORDS_END = b"\n  ]\n}\n"


# -- the catalogue file --------------------------------------------------------------------------


def catalogue_json(catalogue: Catalogue) -> str:
    """The catalogue file: the page's fields indented, then one record per line.

    One record per line makes a change to a record one changed line in ``git diff`` and in a
    pull request.
    """
    head = catalogue.model_dump_json(indent=2, exclude={"records"})
    if not catalogue.records:
        return head[:-2] + ',\n  "records": []\n}\n'
    # A record starts with {"section": and a quote inside a value is escaped, so this boundary
    # only ever falls between two records.
    records = RECORDS.dump_json(catalogue.records).decode()[1:-1]
    lines = records.replace(_BETWEEN_RECORDS, _BETWEEN_RECORDS_ON_LINES)
    return head[:-2] + f',\n  "records": [\n{_INDENT}{lines}\n  ]\n}}\n'


def load_catalogue(text: str | bytes, *, name: str = "catalogue") -> Catalogue:
    """A catalogue from its JSON text, checked whole; ``CatalogueError`` names the first problem."""
    text = _without_bom(text)
    try:
        # Validating 300,000 records makes millions of objects, all kept: a paused collector
        # saves the repeated scans of them, half the time of a large file (make bench, #11).
        with paused():
            catalogue = Catalogue.model_validate_json(text)
    except ValidationError as exc:
        raise CatalogueError(f"{name} is not a nim-scrape catalogue: {_first(exc)}") from exc
    problem = catalogue.inconsistency()
    if problem:
        raise CatalogueError(f"{name} is not a valid nim-scrape catalogue: {problem}")
    return catalogue


_UTF8_BOM = b"\xef\xbb\xbf"


def _without_bom(text: str | bytes) -> str | bytes:
    """A catalogue saved by an editor that writes a byte order mark is still a catalogue."""
    if isinstance(text, bytes):
        return text.removeprefix(_UTF8_BOM)
    return text.removeprefix("\ufeff")


def _first(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the top level"
    return f"{where}: {first['msg']}"


def read_catalogue_bytes(path: Path) -> bytes:
    """The bytes of the catalogue file at ``path``; ``CatalogueError`` if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"cannot read the catalogue {path}: {exc.strerror or exc}") from exc


def read_catalogue(path: Path) -> Catalogue:
    """The catalogue in the JSON file at ``path``; ``CatalogueError`` if it cannot be used."""
    return load_catalogue(read_catalogue_bytes(path), name=str(path))


def compare_files(
    previous: bytes,
    current: bytes,
    *,
    names: tuple[str, str] = ("the previous catalogue", "the current catalogue"),
) -> CatalogueDiff:
    """``diff.compare`` of two catalogue files, building only the records that differ.

    A record that is the same in both files is set aside unbuilt: on a large catalogue with a
    few changes that is most of the work (#6). In the layout ``catalogue_json`` writes, records
    are compared as lines of bytes; a file laid out otherwise (``json.dump`` of it, say) is read
    as JSON values and its records compared as such (#9).
    """
    from .diff import compare_sides, differing  # the differ loads only to compare (#6)

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
        data = data.removeprefix(_UTF8_BOM)
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
        from .diff import Side

        built: dict[int, Record] = {}
        for index in rest:
            try:
                built[index] = self.build(index)
            except ValidationError as exc:
                problem = f"records.{index}.{_first(exc)}"
                raise CatalogueError(
                    f"{self.name} is not a nim-scrape catalogue: {problem}"
                ) from exc
        sizes = Counter({s.title: s.record_count for s in self.head.sections})
        return Side(self.head, built, sizes)


def _lines(data: bytes, name: str) -> _FileRecords | None:
    """The records as lines of bytes, if ``data`` is laid out as ``catalogue_json`` writes it."""
    start = data.find(_RECORDS_START)
    if start < 0 or not data.endswith(_RECORDS_END):
        return None
    block = data[start + len(_RECORDS_START) : -len(_RECORDS_END)]
    lines = block.split(b"\n")
    # Each record's section and code, read off its line in one pass (C speed), to check the
    # whole file without building a record (a record line starts with them: the models' order).
    # (Searched in ``data`` from the newline before the first record: no copy of the block.)
    first = start + len(_RECORDS_START) - 1
    starts = _LINE_START.findall(data, first, len(data) - len(_RECORDS_END))
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


# -- files ---------------------------------------------------------------------------------------


def atomic_write(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` atomically; False (and nothing touched) if already equal.

    ``OutputError`` when the file cannot be written (full disk, permissions, a folder in the
    way); the old file is then left as it was.
    """
    try:
        return _replace(path, data)
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror or exc}", hint=_OUTPUT_HINTS.get(exc.errno or 0)
        ) from exc


# mkstemp's names: the file's own name, then eight random letters, digits or underscores.
_OURS = (
    "nim_error_codes.json",
    "nim_error_codes.csv",
    "nim_error_codes.schema.json",
    "report.schema.json",
    "CHANGELOG.md",
    "sdk_audit.json",
    "SDK-AUDIT.md",
    "state.json",
    "delivered.json",
    ".gitignore",
)
_TEMPORARY = re.compile(rf"\.(?:{'|'.join(map(re.escape, _OURS))})\.[a-z0-9_]{{8}}\.tmp")

_OUTPUT_HINTS = {
    errno.ENOSPC: "free some disk space; the catalogue was left as it was",
    errno.EACCES: "check the folder's permissions; the catalogue was left as it was",
    errno.EROFS: "the file system is read-only; the catalogue was left as it was",
}


def _replace(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, mode)  # mkstemp makes 0600; a catalogue is meant to be read by others
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    logger.info("wrote %s (%d bytes)", path, len(data))
    return True


def read_text(path: Path) -> str | None:
    """The text of ``path``, or None when there is no such file yet."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise OutputError(
            f"cannot read {path}: it is not UTF-8 text (byte {exc.start})",
            hint="move it aside, or save it as UTF-8",
        ) from exc
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@dataclass(frozen=True)
class OutputFolder:
    """Where the catalogue lives, and the names of the files in it.

    Run metadata (state, lock, pending delivery, the last failure) lives in the hidden folder
    ``.nim-scrape/``, which ignores itself for git: it is never part of the committed catalogue.
    """

    root: Path

    @property
    def json_path(self) -> Path:
        return self.root / "nim_error_codes.json"

    @property
    def csv_path(self) -> Path:
        return self.root / "nim_error_codes.csv"

    @property
    def schema_path(self) -> Path:
        return self.root / "nim_error_codes.schema.json"

    @property
    def report_schema_path(self) -> Path:
        return self.root / "report.schema.json"

    @property
    def changelog_path(self) -> Path:
        return self.root / "CHANGELOG.md"

    @property
    def run_dir(self) -> Path:
        return self.root / ".nim-scrape"

    @property
    def state_path(self) -> Path:
        return self.run_dir / "state.json"

    @property
    def pending_path(self) -> Path:
        """The catalogue as last delivered, kept while a change is not yet delivered."""
        return self.run_dir / "delivered.json"

    @property
    def failure_dir(self) -> Path:
        return self.run_dir / "last-failure"

    def prepare(self) -> None:
        """Create the folder and its hidden run folder; ``OutputError`` when it cannot be."""
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"cannot use {self.root} as the output folder: {exc.strerror or exc}",
                hint="pass --out a folder you can write to",
            ) from exc
        ignore = self.run_dir / ".gitignore"
        if not ignore.exists():
            atomic_write(ignore, b"# run metadata of nim-scrape, not part of the catalogue\n*\n")

    @contextlib.contextmanager
    def locked(
        self, *, timeout: float = 60.0, waiting: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        """Hold the folder's lock, so two runs on one folder never interleave their writes."""
        from filelock import FileLock, Timeout

        self.prepare()
        path = self.run_dir / "lock"
        lock = FileLock(path, timeout=timeout)
        try:
            with contextlib.suppress(Timeout):
                lock.acquire(timeout=0)
            if not lock.is_locked:
                if waiting:
                    waiting(f"another run holds {path}; waiting up to {timeout:g} s")
                lock.acquire()
        except Timeout:
            raise LockBusy(
                f"another nim-scrape run has held {path} for over {timeout:g} s",
                hint="wait for it to finish; remove the file only if no run is alive",
            ) from None
        except OSError as exc:
            raise OutputError(f"cannot create the lock {path}: {exc.strerror or exc}") from exc
        try:
            yield
        finally:
            lock.release()

    def remove_stale_temporaries(self) -> None:
        """Remove what a run killed mid-write left behind; only call it holding the lock.

        Only ``atomic_write``'s own temporaries (``.NAME.XXXXXXXX.tmp``, files, beside a file
        nim-scrape writes) go: anything else in the folder is the user's.
        """
        for folder in (self.root, self.run_dir):
            for leftover in folder.glob(".*.tmp"):
                if _TEMPORARY.fullmatch(leftover.name) and leftover.is_file():
                    logger.info("removing %s, left by an interrupted run", leftover)
                    leftover.unlink(missing_ok=True)

    def load(self) -> Catalogue | None:
        """The catalogue already in the folder, or None on a first run."""
        if not self.json_path.exists():
            return None
        return read_catalogue(self.json_path)

    def write(self, path: Path, text: str) -> bool:
        return atomic_write(path, text.encode("utf-8"))
