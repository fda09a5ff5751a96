"""The Datasette metadata file written beside the SQLite export (``catalogue.metadata.json``).

Datasette 0.65, the release on PyPI, reads one file with ``datasette catalogue.db -m FILE``:
titles, the source page and its edition, column descriptions, and the table settings (the
search table of the records table's search box, a sort order, facets) and canned queries. It is
keyed by the database's name, which Datasette takes from the file's name without its suffix.

``datasette_metadata`` is pure; ``write_metadata`` writes the file atomically, the same bytes for
the same catalogue.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nim_scrape.catalogue.models import Catalogue
from nim_scrape.catalogue.store import atomic_write

__all__ = [
    "CHANGES_SINCE",
    "SEVERAL_MEANINGS",
    "datasette_metadata",
    "metadata_path",
    "write_metadata",
]

SEVERAL_MEANINGS = "codes_with_several_meanings"
CHANGES_SINCE = "changes_since"

RECORD_COLUMNS = {
    "id": "The record's place on the page, 1 for the first row",
    "section": "The section (a heading of the page) the row is in; see the sections table",
    "code": "The error code",
    "message": "The English message, as the SDK reports it",
    "description": "说明: what the code means, in Chinese, as the page says it",
    "section_anchor": "The anchor of the section's heading on the page",
    "section_url": "The section on the vendor's page",
    "links": "The links in 说明, as JSON: [{text, href}]",
    "placeholders": "The %s and {name} placeholders in the message or 说明, as JSON",
    "meanings": "How many different meanings this code has across sections (1 for most; "
    "a difference of whitespace or punctuation is no difference)",
}
SECTION_COLUMNS = {
    "title": "The section's heading on the page",
    "position": "Its place on the page, 0 for the first",
    "anchor": "The anchor of its heading",
    "url": "The section on the vendor's page",
    "headers": "The column headers of its table on the page, as JSON",
    "record_count": "How many records it has",
}
CATALOGUE_COLUMNS = {
    "page_url": "The page the catalogue was read from",
    "page_title": "The page's title",
    "updated_at": "The page's 更新时间: the edition the catalogue is of",
    "content_hash": "A hash of the records and sections, the same for the same content",
    "schema_version": "The version of the catalogue's JSON layout",
}
HISTORY_COLUMNS = {
    "id": "The event's place in the history, oldest first",
    "kind": "added, changed, removed or moved",
    "code": "The error code",
    "section": "The section the record is in after the change (before it, when removed)",
    "from_section": "Where a moved record was before",
    "updated_at": "The page's 更新时间 of the edition that made the change",
    "commit": "The git commit of the catalogue file that holds that edition",
    "committed_at": "When that commit was made",
    "fields": "The fields that changed, separated by spaces",
    "cosmetic": "1 when only whitespace or punctuation changed",
    "before_message": "The message before the change",
    "before_description": "说明 before the change",
    "after_message": "The message after the change",
    "after_description": "说明 after the change",
}

_SEVERAL_MEANINGS_SQL = """\
select code, section, message, description, section_url
from records
where meanings > 1
order by code, id"""

# A date compares with the same number of leading characters of the edition's 更新时间, so
# since=2024-03-13 leaves out the edition of that day and since=2024-03 all of March.
_CHANGES_SINCE_SQL = """\
select coalesce(updated_at, committed_at) as edition, kind, code, section, from_section,
  fields, before_message, after_message, before_description, after_description, "commit"
from history
where not cosmetic
  and substr(coalesce(updated_at, committed_at), 1, length(:since)) > :since
order by id"""


def metadata_path(database: Path) -> Path:
    """Where the metadata of ``database`` goes when not told: beside it, named after it
    (``catalogue.db`` → ``catalogue.metadata.json``), so two exports in one folder keep theirs."""
    return database.with_name(f"{database.stem}.metadata.json")


def datasette_metadata(
    catalogue: Catalogue, *, database: str, with_history: bool = False
) -> dict[str, Any]:
    """The metadata of the export of ``catalogue`` served as ``database`` (the file's stem)."""
    edition = catalogue.updated_at.isoformat(sep=" ") if catalogue.updated_at else None
    page = catalogue.page_title or "the NIM error-code page"
    source = f"{page}, 更新时间 {edition}" if edition else page
    counts = f"{len(catalogue.records)} records in {len(catalogue.sections)} sections"
    about = (
        f"The error codes of the NetEase Yunxin IM SDK (NIM): {counts}, "
        f"from the edition of {edition} (the page's 更新时间)."
        if edition
        else f"The error codes of the NetEase Yunxin IM SDK (NIM): {counts}."
    )
    tables: dict[str, Any] = {
        "records": {
            "title": "Error codes",
            "description": "One row per row of the page's tables. A code can be in several "
            "sections, with several meanings. The search box searches message and 说明: "
            "any three or more characters, English or Chinese.",
            "sort": "code",
            "facets": ["section"],
            "fts_table": "records_fts",
            "fts_pk": "id",
            "columns": RECORD_COLUMNS,
        },
        "sections": {
            "title": "Sections",
            "description": "The page's sections, in the page's order.",
            "sort": "position",
            "columns": SECTION_COLUMNS,
        },
        "catalogue": {
            "title": "Edition",
            "description": "The page the catalogue was read from, and its edition.",
            "columns": CATALOGUE_COLUMNS,
        },
    }
    queries: dict[str, Any] = {
        SEVERAL_MEANINGS: {
            "title": "Codes with more than one meaning",
            "description": "The codes that mean different things in different sections: "
            "which one an app sees depends on what it was doing.",
            "sql": _SEVERAL_MEANINGS_SQL,
        },
    }
    if with_history:
        tables["history"] = {
            "title": "History",
            "description": "Each change of each record, edition by edition, from the git "
            "history of the catalogue file.",
            "sort_desc": "id",
            "facets": ["kind", "section"],
            "columns": HISTORY_COLUMNS,
        }
        queries[CHANGES_SINCE] = {
            "title": "Changes since an edition",
            "description": "What the editions after `since` added, changed, removed or moved, "
            "leaving out changes of whitespace or punctuation. `since` is a date (2024-03-13) "
            "or an edition's 更新时间.",
            "sql": _CHANGES_SINCE_SQL,
        }
    else:
        about += (
            " Exported without --history: `nim-scrape export --history` adds each code's "
            "changes and a query of the changes since an edition."
        )
    return {
        "title": "NIM error codes",
        "source": source,
        "source_url": catalogue.page_url,
        "databases": {
            database: {
                "title": "NIM error codes",
                "description": about,
                "source": source,
                "source_url": catalogue.page_url,
                "tables": tables,
                "queries": queries,
            }
        },
    }


def write_metadata(
    catalogue: Catalogue, database: Path, path: Path, *, with_history: bool = False
) -> Path:
    """Write the metadata of the export ``database`` to ``path``, atomically; ``path``."""
    metadata = datasette_metadata(catalogue, database=database.stem, with_history=with_history)
    text = json.dumps(metadata, ensure_ascii=False, indent=2) + "\n"
    atomic_write(path, text.encode("utf-8"))
    return path
