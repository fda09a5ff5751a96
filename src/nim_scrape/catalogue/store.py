"""The catalogue on disk: its JSON layout, reading it back strictly, and the output folder.

Every file is written to a temporary file beside it and renamed into place, so a run killed at
any moment leaves either the old file or the new one, never half of one. The JSON layout (the
page's fields indented, then one record per line) is written and read here only, so the fast
comparison of two files (``compare_files``) can rely on it without the differ knowing files.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from nim_scrape._gc import paused
from nim_scrape.catalogue.models import RECORDS, Catalogue
from nim_scrape.errors import CatalogueError, LockBusy, OutputError

if TYPE_CHECKING:
    pass

__all__ = [
    "OutputFolder",
    "atomic_write",
    "catalogue_json",
    "load_catalogue",
    "read_catalogue",
    "read_catalogue_bytes",
    "read_text",
]

logger = logging.getLogger(__name__)

_INDENT = "    "
_BETWEEN_RECORDS = '},{"section":'
_BETWEEN_RECORDS_ON_LINES = "},\n" + _INDENT + '{"section":'
RECORDS_START = b',\n  "records": [\n'
RECORDS_END = b"\n  ]\n}\n"


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
        # saves the repeated scans of them, half the time of a large file (make bench).
        with paused():
            catalogue = Catalogue.model_validate_json(text)
    except ValidationError as exc:
        raise CatalogueError(f"{name} is not a nim-scrape catalogue: {first_problem(exc)}") from exc
    problem = catalogue.inconsistency()
    if problem:
        raise CatalogueError(f"{name} is not a valid nim-scrape catalogue: {problem}")
    return catalogue


UTF8_BOM = b"\xef\xbb\xbf"


def _without_bom(text: str | bytes) -> str | bytes:
    """A catalogue saved by an editor that writes a byte order mark is still a catalogue."""
    if isinstance(text, bytes):
        return text.removeprefix(UTF8_BOM)
    return text.removeprefix("\ufeff")


def first_problem(exc: ValidationError) -> str:
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
