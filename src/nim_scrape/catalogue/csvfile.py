"""The catalogue in other shapes than its JSON file: CSV for spreadsheets, and its JSON Schema.

Pure: values in, text out. The same catalogue always gives the same bytes, so a scheduled run
over an unchanged page commits nothing.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from nim_scrape.catalogue.models import Catalogue, Record

__all__ = ["CSV_FIELDS", "catalogue_csv", "catalogue_schema"]

CSV_FIELDS = (
    "section",
    "code",
    "message",
    "description",
    "section_anchor",
    "section_url",
    "links",
    "placeholders",
    "code_note",
    "extra",
)

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
        record.code_note,
        "; ".join(f"{column}: {value}" for column, value in record.extra.items()),
    ]


def _safe(value: str | int) -> str | int:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
