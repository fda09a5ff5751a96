"""The output folder: atomic writes, one run at a time, and the files a run leaves there.

Every file is written to a temporary file beside it and renamed into place, so a run killed at
any moment leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import CatalogueError, GuardRefused
from .export import load_catalogue
from .models import Catalogue

__all__ = ["OutputFolder", "atomic_write", "read_catalogue", "read_catalogue_bytes", "read_text"]

logger = logging.getLogger(__name__)

LOCK_NAME = ".nim-scrape.lock"


def atomic_write(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` atomically; False (and nothing touched) if already equal."""
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


def read_catalogue_bytes(path: Path) -> bytes:
    """The bytes of the catalogue file at ``path``; ``CatalogueError`` if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"cannot read the catalogue {path}: {exc}") from exc


def read_catalogue(path: Path) -> Catalogue:
    """The catalogue in the JSON file at ``path``; ``CatalogueError`` if it cannot be used."""
    return load_catalogue(read_catalogue_bytes(path), name=str(path))


def read_text(path: Path) -> str | None:
    """The text of ``path``, or None when there is no such file yet."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@dataclass(frozen=True)
class OutputFolder:
    """Where the catalogue lives, and the names of the files in it."""

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
    def changelog_path(self) -> Path:
        return self.root / "CHANGELOG.md"

    @property
    def state_path(self) -> Path:
        # Hidden and git-ignored: run metadata, not part of the committed catalogue.
        return self.root / ".nim-scrape-state.json"

    @contextlib.contextmanager
    def locked(self, *, timeout: float = 60.0) -> Iterator[None]:
        """Hold the folder's lock, so two runs on one folder never interleave their writes."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.root / LOCK_NAME, timeout=timeout)
        try:
            with lock:
                yield
        except Timeout:
            raise GuardRefused(
                f"another nim-scrape run holds {self.root / LOCK_NAME}",
                hint="wait for it to finish; remove the file only if no run is alive",
            ) from None

    def remove_stale_temporaries(self) -> None:
        """Remove what a run killed mid-write left behind; only call it holding the lock."""
        for leftover in self.root.glob(".*.tmp"):
            logger.info("removing %s, left by an interrupted run", leftover)
            leftover.unlink(missing_ok=True)

    def load(self) -> Catalogue | None:
        """The catalogue already in the folder, or None on a first run."""
        if not self.json_path.exists():
            return None
        return read_catalogue(self.json_path)

    def write(self, path: Path, text: str) -> bool:
        return atomic_write(path, text.encode("utf-8"))
