"""The rows every tabular export shares: a record with its section's URL, as plain values."""

from __future__ import annotations

from typing import Any

from nim_scrape.catalogue.models import Catalogue, Record

__all__ = ["record_row", "section_urls"]


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
