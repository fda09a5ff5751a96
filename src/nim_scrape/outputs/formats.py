"""One registry of export formats, keyed by name or by the output file's suffix.

A format is one module in this room with a ``render(catalogue, options) -> str`` (a text file,
written atomically here) or a ``write(catalogue, options, output)`` returning the files it wrote
(files only the format can build, such as SQLite and its Datasette metadata). ``FORMATS`` names
each with its suffixes and a line for ``--help``; the module is imported only when its format is
used, so the command line stays quick to start and a format's dependency (sqlite-utils) is
needed only by those who use it. A new format is a module and a line here.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
    "formats_help",
]


@dataclass(frozen=True)
class ExportOptions:
    """What an export may be asked beyond the catalogue; each format reads what it needs."""

    history: History | None = None
    # The column a single-language resource file (.xml, .po, .arb) takes: en or zh (说明).
    lang: str = "en"
    # Typed code (outputs/code): each code's name in the SDKs (--sdk), a user's Jinja2 template
    # (--template), and the file written (a Go package is named after its folder).
    names: Mapping[int, str] | None = None
    template: Path | None = None
    output: Path | None = None
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
        from nim_scrape.catalogue.store import atomic_write

        module = importlib.import_module(f"nim_scrape.outputs.{self.module}")
        if options.output is None:
            options = dataclasses.replace(options, output=output)
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
    Format(
        "android", (".xml",), "android_strings", "Android string resources (strings.xml), --lang"
    ),
    Format("gettext", (".po",), "gettext_po", "a gettext catalogue, msgid the code's key, --lang"),
    Format("arb", (".arb",), "arb", "Flutter intl (ARB, ICU messages), --lang"),
    Format("xcstrings", (".xcstrings",), "xcstrings", "an Apple String Catalog, en and zh-Hans"),
    # Typed code: a constant per code (the SDK's name with --sdk), every meaning in its doc
    # comment, and a lookup from the code to its records.
    Format("kotlin", (".kt",), "code.kotlin", "Kotlin: an object of constants, records(code)"),
    Format("java", (".java",), "code.java", "Java 11+: a final class of constants, records(code)"),
    Format("swift", (".swift",), "code.swift", "Swift: an enum of the codes, records(for:)"),
    Format("dart", (".dart",), "code.dart", "Dart: a class of constants, records(code)"),
    Format("c", (".h",), "code.c_header", "C and C++: an enum of the codes, with comments"),
    Format(
        "go",
        (".go",),
        "code.golang",
        "Go: typed constants and Lookup(code), package from the folder's name",
    ),
    Format("python", (".py",), "code.python", "Python 3.10+: an IntEnum and lookup(code)"),
)
# With --template, the user's Jinja2 template decides what the file is, whatever its name.
TEMPLATE = Format("template", (), "code.template", "your own Jinja2 template (--template)")
# The page's two languages, for the single-language resource files.
_LANGS = ("en", "zh")
SUFFIXES = tuple(suffix for fmt in FORMATS for suffix in fmt.suffixes)


def formats_help(width: int = 78) -> str:
    """The formats as ``--help`` lists them: each format's suffixes, then its line, wrapped."""
    import textwrap

    lines = []
    for fmt in FORMATS:
        lead = ", ".join(fmt.suffixes).ljust(13)
        wrapped = textwrap.wrap(fmt.summary, width - 14) or [""]
        lines += [f"{lead} {wrapped[0]}", *(f"{'':13} {rest}" for rest in wrapped[1:])]
    return "\n".join(lines)


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


def check_output(
    output: Path, *, history: bool = False, template: bool = False, metadata: Path | None = None
) -> Format:
    """The format ``output`` names (the template format with ``template``); ``UsageError`` when
    it names none, when ``history`` is asked of a format that cannot hold it, or a ``metadata``
    file of a format that writes none (or in the place of ``output``). Called before anything
    is read or written."""
    fmt = TEMPLATE if template else format_for(output)
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


def export_catalogue(
    catalogue: Catalogue,
    output: Path,
    *,
    history: History | None = None,
    lang: str = "en",
    names: Mapping[int, str] | None = None,
    template: Path | None = None,
) -> Path:
    """Write ``catalogue`` to ``output`` in the format its name chooses (see ``FORMATS``), or
    through the Jinja2 ``template``; typed code names each code as ``names`` (from SDKs) does.

    ``UsageError`` for a name no format claims (nothing is written), for ``history`` with a
    format that cannot hold it, or for a ``lang`` the page does not have (en, zh);
    ``OutputError`` when the file cannot be written.
    """
    return export_files(
        catalogue, output, history=history, lang=lang, names=names, template=template
    )[0]


def export_files(
    catalogue: Catalogue,
    output: Path,
    *,
    history: History | None = None,
    lang: str = "en",
    names: Mapping[int, str] | None = None,
    template: Path | None = None,
    metadata: Path | None = None,
) -> tuple[Path, ...]:
    """As ``export_catalogue``; every file written, ``output`` first (the SQLite export writes
    its Datasette metadata too, to ``metadata`` or beside the database)."""
    fmt = check_output(
        output, history=history is not None, template=template is not None, metadata=metadata
    )
    if lang not in _LANGS:
        raise UsageError(f"cannot export in {lang!r}: the page's languages are {', '.join(_LANGS)}")
    options = ExportOptions(
        history=history,
        lang=lang,
        names=names,
        template=template,
        output=output,
        metadata=metadata,
    )
    return fmt.export_files(catalogue, output, options)
