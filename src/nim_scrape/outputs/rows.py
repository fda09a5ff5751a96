"""The rows every tabular export shares: a record with its section's URL, as plain values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nim_scrape.catalogue.models import Catalogue, Record
from nim_scrape.catalogue.text import cosmetic_key

__all__ = ["meaning_key", "meanings_by_code", "record_row", "section_urls"]


def section_urls(catalogue: Catalogue) -> dict[str, str]:
    return {section.title: section.url for section in catalogue.sections}


def record_row(record: Record, section_url: str) -> dict[str, Any]:
    return {
        "section": record.section,
        "code": record.code,
        "message": record.message,
        "description": record.description,
        "section_anchor": record.section_anchor,
        "section_url": section_url,
        "links": [link.model_dump() for link in record.links],
        "placeholders": list(record.placeholders),
    }


def meaning_key(record: Record) -> tuple[str, str]:
    """What a record means: its message and 说明 once cosmetic differences are ignored, so a code
    repeated in two sections with a final 。 more in one still has one meaning."""
    return cosmetic_key(record.message), cosmetic_key(record.description)


def meanings_by_code(records: Iterable[Record]) -> dict[int, int]:
    """How many different meanings each code has (see ``meaning_key``)."""
    keys: dict[int, set[tuple[str, str]]] = {}
    for record in records:
        keys.setdefault(record.code, set()).add(meaning_key(record))
    return {code: len(found) for code, found in keys.items()}
