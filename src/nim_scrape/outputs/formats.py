"""One registry of export formats, keyed by name or by the output file's suffix.

A format is one module in this room with a ``render(catalogue, options) -> str`` (a text file,
written atomically here) or a ``write(catalogue, options, output)`` returning the files it wrote
(files only the format can build, such as SQLite and its Datasette metadata). ``FORMATS`` names
each with its suffixes and a line for ``--help``; the module is imported only when its format is
used, so the command line stays quick to start and a format's dependency (sqlite-utils) is
needed only by those who use it. A new format is a module and a line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nim_scrape.catalogue.store import atomic_write
from nim_scrape.errors import UsageError

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue
    from nim_scrape.outputs.history import History

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "ExportOptions",
    "Format",
    "check_output",
    "export_catalogue",
    "export_files",
    "format_for",
]


@dataclass(frozen=True)
class ExportOptions:
    """What an export may be asked beyond the catalogue; each format reads what it needs."""

    history: History | None = None
    # Where the SQLite export's Datasette metadata goes; None: beside the database.
    metadata: Path | None = None


@dataclass(frozen=True)
class Format:
    """An export format: its name, the suffixes that choose it, its module, a line of help."""

    name: str
    suffixes: tuple[str, ...]
    module: str
    summary: str
    holds_history: bool = False
    writes_metadata: bool = False

    def export(self, catalogue: Catalogue, output: Path, options: ExportOptions) -> Path:
        """Write ``catalogue`` to ``output`` in this format, atomically."""
        return self.export_files(catalogue, output, options)[0]

    def export_files(
        self, catalogue: Catalogue, output: Path, options: ExportOptions
    ) -> tuple[Path, ...]:
        """Write ``catalogue`` to ``output`` (and what goes with it); every file written, each
        atomically, ``output`` first."""
        module = importlib.import_module(f"nim_scrape.outputs.{self.module}")
        if hasattr(module, "write"):
            return tuple(module.write(catalogue, options, output))
        atomic_write(output, module.render(catalogue, options).encode("utf-8"))
        return (output,)


FORMATS: tuple[Format, ...] = (
    Format(
        "sqlite",
        (".db", ".sqlite"),
        "sqlite",
        "SQLite: tables records and sections, full-text search in records_fts, and beside it "
        "its Datasette metadata; needs nim-scrape[sqlite]",
        holds_history=True,
        writes_metadata=True,
    ),
    Format("ndjson", (".ndjson",), "ndjson", "one record per line"),
    Format("typescript", (".ts",), "typescript", "a typed TypeScript module: each code's records"),
)
SUFFIXES = tuple(suffix for fmt in FORMATS for suffix in fmt.suffixes)


def format_for(output: Path | str) -> Format:
    """The format named by ``output``: a format's name, or a file whose suffix one claims.

    ``UsageError`` naming the supported suffixes when it names none.
    """
    name = Path(output).name.lower()
    for fmt in FORMATS:
        if name == fmt.name or name.endswith(fmt.suffixes):
            return fmt
    raise UsageError(
        f"cannot export to {output}: unknown suffix {Path(output).suffix or '(none)'!r}",
        hint=f"name a file ending in one of {', '.join(SUFFIXES)}",
    )


def check_output(output: Path, *, history: bool = False, metadata: Path | None = None) -> Format:
    """The format ``output`` names; ``UsageError`` when it names none, when ``history`` is
    asked of a format that cannot hold it, or a ``metadata`` file of a format that writes none
    (or in the place of ``output``). Called before anything is read or written."""
    fmt = format_for(output)
    if metadata is not None and not fmt.writes_metadata:
        raise UsageError(
            f"cannot write Datasette metadata for {output}: only the SQLite export has it"
        )
    if metadata is not None and metadata.resolve() == output.resolve():
        raise UsageError(f"the metadata file cannot be the database itself: {output}")
    if history and not fmt.holds_history:
        holding = [s for f in FORMATS if f.holds_history for s in f.suffixes]
        raise UsageError(
            f"cannot export the history to {output}: only SQLite ({', '.join(holding)}) holds it"
        )
    return fmt


def export_catalogue(catalogue: Catalogue, output: Path, *, history: History | None = None) -> Path:
    """Write ``catalogue`` to ``output`` in the format its name chooses (see ``FORMATS``).

    ``UsageError`` for a name no format claims (nothing is written), or for ``history`` with a
    format that cannot hold it; ``OutputError`` when the file cannot be written.
    """
    return export_files(catalogue, output, history=history)[0]


def export_files(
    catalogue: Catalogue,
    output: Path,
    *,
    history: History | None = None,
    metadata: Path | None = None,
) -> tuple[Path, ...]:
    """As ``export_catalogue``; every file written, ``output`` first (the SQLite export writes
    its Datasette metadata too, to ``metadata`` or beside the database)."""
    fmt = check_output(output, history=history is not None, metadata=metadata)
    return fmt.export_files(catalogue, output, ExportOptions(history=history, metadata=metadata))
