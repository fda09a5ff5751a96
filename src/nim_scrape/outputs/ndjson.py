"""NDJSON: one record per line, as JSON, for log pipelines and ``jq``."""

from __future__ import annotations

import json

from nim_scrape.catalogue.models import Catalogue
from nim_scrape.outputs.rows import record_row, section_urls

__all__ = ["catalogue_ndjson", "render"]


def catalogue_ndjson(catalogue: Catalogue) -> str:
    """One record per line, as JSON, in page order, with its section's URL."""
    urls = section_urls(catalogue)
    return "".join(
        json.dumps(record_row(record, urls.get(record.section, "")), ensure_ascii=False) + "\n"
        for record in catalogue.records
    )


def render(catalogue: Catalogue, options: object = None) -> str:
    """The export format's entry point (see ``formats``)."""
    return catalogue_ndjson(catalogue)
