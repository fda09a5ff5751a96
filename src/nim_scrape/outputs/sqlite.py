"""SQLite with full-text search, built with sqlite-utils (the ``sqlite`` extra), laid out for
Datasette: tables ``records``, ``sections``, ``catalogue`` and optionally ``history``, and beside
the database the Datasette metadata that describes them (``outputs.datasette``)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nim_scrape.catalogue.models import Catalogue, Section
from nim_scrape.errors import OutputError, UsageError
from nim_scrape.outputs.datasette import metadata_path, write_metadata
from nim_scrape.outputs.rows import meanings_by_code, record_row, section_urls

if TYPE_CHECKING:
    from nim_scrape.outputs.formats import ExportOptions
    from nim_scrape.outputs.history import History, HistoryEvent

__all__ = ["FTS_COLUMNS", "FTS_TOKENIZER", "write_sqlite"]

logger = logging.getLogger(__name__)

# The FTS5 tokenizer of ``records_fts``. Chinese is written without spaces, so the default
# unicode61 tokenizer makes a whole clause one token and 开通 would not find 未开通; trigram indexes
# every run of three characters, so any substring of three characters or more matches, English
# and Chinese alike, case ignored (SQLite 3.34+). Shorter queries (two-character Chinese words)
# need ``LIKE '%开通%'``, which the trigram index also serves.
FTS_TOKENIZER = "trigram"
FTS_COLUMNS = ("message", "description")


def write_sqlite(catalogue: Catalogue, output: Path, *, history: History | None = None) -> None:
    """Tables ``records`` and ``sections`` (and ``catalogue``, one row of the page's fields),
    full-text search over message and description in ``records_fts`` (the table name
    sqlite-utils and Datasette look for), and with ``history`` a table ``history``.

    The file is built under a temporary name beside ``output`` and renamed over it, so an
    export replaces the whole file and a reader never sees it half-built.
    """
    try:
        import sqlite_utils
    except ImportError as exc:
        raise UsageError(
            "the SQLite export needs sqlite-utils, which is not installed",
            hint="pip install 'nim-scrape[sqlite]'",
        ) from exc
    with _replacing(output) as path:
        db = sqlite_utils.Database(path)
        try:
            _fill(db, catalogue, history)
        except sqlite3.Error as exc:  # a full disk, or an SQLite without the trigram tokenizer
            raise OutputError(f"cannot write {output}: SQLite says {exc}") from exc
        finally:
            db.close()


def _fill(db: Any, catalogue: Catalogue, history: History | None) -> None:
    urls = section_urls(catalogue)
    meanings = meanings_by_code(catalogue.records)
    db.table("catalogue").insert(
        {
            "page_url": catalogue.page_url,
            "page_title": catalogue.page_title,
            "updated_at": catalogue.updated_at.isoformat() if catalogue.updated_at else None,
            "content_hash": catalogue.content_hash,
            "schema_version": catalogue.schema_version,
        }
    )
    db.table("sections").insert_all(
        (_section_row(position, section) for position, section in enumerate(catalogue.sections)),
        pk="title",
    )
    records = db.table("records")
    records.insert_all(
        (
            {
                "id": position,
                **_sql_row(record_row(record, urls.get(record.section, ""))),
                "meanings": meanings[record.code],
            }
            for position, record in enumerate(catalogue.records, start=1)
        ),
        pk="id",
        foreign_keys=[("section", "sections", "title")],
        columns={"links": str, "placeholders": str},
    )
    records.create_index(["code"])
    records.enable_fts(list(FTS_COLUMNS), tokenize=FTS_TOKENIZER, create_triggers=True)
    if history is not None:
        db.table("history").insert_all(
            (_history_row(event) for event in history.events),
            pk="id",
            columns={"before_message": str, "after_message": str, "from_section": str},
        )
        db.table("history").create_index(["code"])


def _section_row(position: int, section: Section) -> dict[str, Any]:
    return {
        "title": section.title,
        "position": position,
        "anchor": section.anchor,
        "url": section.url,
        "headers": json.dumps(section.headers, ensure_ascii=False),
        "record_count": section.record_count,
    }


def _sql_row(row: dict[str, Any]) -> dict[str, Any]:
    # Lists as JSON text, which Datasette shows and SQLite's json functions read.
    return {
        key: json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
        for key, value in row.items()
    }


def _history_row(event: HistoryEvent) -> dict[str, Any]:
    before, after = event.before, event.after
    return {
        "kind": event.kind,
        "code": event.code,
        "section": event.section,
        "from_section": event.from_section,
        "updated_at": event.updated_at.isoformat() if event.updated_at else None,
        "commit": event.commit,
        "committed_at": event.committed_at.isoformat(),
        "fields": " ".join(event.fields),
        "cosmetic": event.cosmetic,
        "before_message": before.message if before else None,
        "before_description": before.description if before else None,
        "after_message": after.message if after else None,
        "after_description": after.description if after else None,
    }


@contextlib.contextmanager
def _replacing(output: Path) -> Iterator[str]:
    """A temporary path beside ``output``, renamed over it when the block succeeds."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from exc
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; an export is meant to be shared
        os.replace(tmp, output)
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    logger.info("wrote %s", output)


def write(catalogue: Catalogue, options: ExportOptions, output: Path) -> tuple[Path, Path]:
    """The export format's entry point (see ``formats``): the database, then its Datasette
    metadata (``options.metadata``, or beside the database)."""
    write_sqlite(catalogue, output, history=options.history)
    metadata = options.metadata or metadata_path(output)
    write_metadata(catalogue, output, metadata, with_history=options.history is not None)
    return output, metadata
