"""The catalogue as files: JSON, CSV and JSON Schema text, and reading the JSON back.

Pure: values in, text out. The same catalogue always gives the same bytes, so a scheduled run
over an unchanged page commits nothing.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pydantic import ValidationError

from ._gc import paused
from .errors import CatalogueError
from .models import RECORDS, Catalogue, Record

__all__ = [
    "CSV_FIELDS",
    "catalogue_csv",
    "catalogue_json",
    "catalogue_schema",
    "load_catalogue",
    "load_record",
    "split_catalogue_json",
]

CSV_FIELDS = (
    "section",
    "code",
    "message",
    "description",
    "section_anchor",
    "section_url",
    "links",
    "placeholders",
)
_INDENT = "    "
_BETWEEN_RECORDS = '},{"section":'
_BETWEEN_RECORDS_ON_LINES = "},\n" + _INDENT + '{"section":'
_RECORDS_START_BYTES = b',\n  "records": [\n'
_RECORDS_END_BYTES = b"\n  ]\n}\n"

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def catalogue_json(catalogue: Catalogue) -> str:
    """The catalogue file: the page's fields indented, then one record per line.

    One record per line makes a change to a record one changed line in ``git diff`` and in a
    pull request, and lets ``diff_json`` set unchanged records aside without parsing them.
    """
    head = catalogue.model_dump_json(indent=2, exclude={"records"})
    if not catalogue.records:
        return head[:-2] + ',\n  "records": []\n}\n'
    # A record starts with {"section": and a quote inside a value is escaped, so this boundary
    # only ever falls between two records.
    records = RECORDS.dump_json(catalogue.records).decode()[1:-1]
    lines = records.replace(_BETWEEN_RECORDS, _BETWEEN_RECORDS_ON_LINES)
    return head[:-2] + f',\n  "records": [\n{_INDENT}{lines}\n  ]\n}}\n'


def split_catalogue_json(
    data: bytes, *, name: str = "catalogue"
) -> tuple[Catalogue, list[bytes]] | None:
    """The catalogue's own fields, and its records as lines each ending in a comma; None if
    ``data`` is not laid out as ``catalogue_json`` writes it (then read it whole)."""
    start = data.find(_RECORDS_START_BYTES)
    if start < 0 or not data.endswith(_RECORDS_END_BYTES):
        return None
    lines = data[start + len(_RECORDS_START_BYTES) : -len(_RECORDS_END_BYTES)].split(b"\n")
    if not lines[0].startswith(_INDENT.encode() + b'{"section":'):
        return None
    lines[-1] += b","  # so that a record reads the same on the last line as on any other
    return load_catalogue(data[:start] + b"\n}\n", name=name), lines


def load_record(line: bytes) -> Record:
    """One record line of a catalogue file's records block."""
    return Record.model_validate_json(line.strip().removesuffix(b","))


def catalogue_schema() -> str:
    """The JSON Schema of the catalogue file, generated from the models."""
    schema = Catalogue.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/nim-scrape/nim-scrape/output/nim_error_codes.schema.json"
    return _dumps(schema)


def catalogue_csv(catalogue: Catalogue) -> str:
    """One row per record; a UTF-8 BOM and CRLF so Excel and WPS open the Chinese intact."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    base = catalogue.page_url.split("#", 1)[0]
    for record in catalogue.records:
        writer.writerow([_safe(value) for value in _csv_row(record, base)])
    return buffer.getvalue()


def load_catalogue(text: str | bytes, *, name: str = "catalogue") -> Catalogue:
    """A catalogue from its JSON text; ``CatalogueError`` says what is wrong with it."""
    try:
        with paused():
            return Catalogue.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise CatalogueError(
            f"{name} is not a nim-scrape catalogue: {where}: {first['msg']}",
            hint="restore it from version control, or pass --force to replace it",
        ) from exc


def _csv_row(record: Record, base_url: str) -> list[str | int]:
    return [
        record.section,
        record.code,
        record.message,
        record.description,
        record.section_anchor,
        f"{base_url}#{record.section_anchor}",
        "; ".join(f"{link.text} <{link.href}>" for link in record.links),
        " ".join(record.placeholders),
    ]


def _safe(value: str | int) -> str | int:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
