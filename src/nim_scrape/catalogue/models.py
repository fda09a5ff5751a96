"""The typed values that cross stages: a record per row, a section per table, the catalogue."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from nim_scrape.about import DEFAULT_PAGE_URL

__all__ = [
    "BEIJING",
    "KNOWN_SCHEMA_VERSIONS",
    "MAX_CODE",
    "SCHEMA_VERSION",
    "Catalogue",
    "FrozenModel",
    "Link",
    "Record",
    "Section",
    "inconsistency",
]

# Bumped whenever a field is renamed or removed, so consumers can tell catalogue layouts apart.
SCHEMA_VERSION = 1
KNOWN_SCHEMA_VERSIONS = (1,)
# Codes are 32-bit signed integers in every SDK.
MAX_CODE = 2**31

# The page states its 更新时间 in Beijing time, without a zone.
BEIJING = timezone(timedelta(hours=8))


def _empty(value: object) -> bool:
    return not value


class FrozenModel(BaseModel):
    """The base of every value nim-scrape passes between stages: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Link(FrozenModel):
    """A link found in a description: its text and absolute address."""

    text: str
    href: str


class Record(FrozenModel):
    """One row of one section's table."""

    section: str = Field(description="The section title as on the page, e.g. 通用错误码")
    code: int = Field(description="The error code")
    message: str = Field(description="The English column (desc or message), whitespace-normalised")
    description: str = Field(description="The 说明 column as plain text, whitespace-normalised")
    section_anchor: str = Field(description="The section's anchor on the page, without '#'")
    links: tuple[Link, ...] = Field(default=(), description="Links inside the description")
    placeholders: tuple[str, ...] = Field(
        default=(), description="Placeholders such as %s and {name} in message or description"
    )
    # New fields are left out of the JSON while empty, so a page without them gives the same
    # catalogue bytes (and content hash) as before they existed.
    code_note: str = Field(
        default="",
        exclude_if=_empty,
        description="A note written beside the code in its cell, e.g. 废弃 in 101301（废弃）",
    )
    extra: dict[str, str] = Field(
        default_factory=dict,
        exclude_if=_empty,
        description="Columns beyond code, message and description: header text to cell text",
    )


class Section(FrozenModel):
    """One section of the page: a heading and its table."""

    title: str
    anchor: str = Field(description="The anchor other pages link to, without '#'")
    url: str = Field(description="The page URL with the section's anchor")
    headers: tuple[str, ...] = Field(
        min_length=3,
        description="The column headers as on the page: code, message, description, then the "
        "columns beyond these in page order (the keys of each record's extra)",
    )
    record_count: int = Field(ge=0)
    named: bool = Field(
        default=True,
        exclude_if=bool,  # left out while True, the usual case: catalogues stay as they were
        description="False when the page gives the table no section name: the title is then a "
        "placeholder (table 1, table 2, ...) and the anchor is empty",
    )


class Catalogue(FrozenModel):
    """Every record of the page, in page order, with what is known of the page itself.

    A record's position is its place in ``records``: not stored in each record, so that a row
    added at the top of the page is one changed line in the committed file, not hundreds.
    """

    schema_version: int = SCHEMA_VERSION
    page_url: str = DEFAULT_PAGE_URL
    page_title: str = ""
    source_shape: str = Field(
        default="html",
        description="How the page served the article: html, nuxt-state, next-data, "
        "initial-state, json-state, markdown, or rendered (after its scripts ran)",
    )
    updated_at: datetime | None = Field(
        default=None, description="The page's 更新时间, as an ISO date-time with +08:00"
    )
    content_hash: str = Field(
        default="",
        description="sha256 of the sections and records: equal hashes mean equal content",
    )
    sections: tuple[Section, ...] = ()
    records: tuple[Record, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        sections: tuple[Section, ...],
        records: tuple[Record, ...],
        page_url: str = DEFAULT_PAGE_URL,
        page_title: str = "",
        updated_at: datetime | None = None,
    ) -> Catalogue:
        """A catalogue whose ``content_hash`` is computed from its sections and records."""
        digest = hashlib.sha256(SECTIONS.dump_json(sections))
        digest.update(RECORDS.dump_json(records))
        return cls(
            page_url=page_url,
            page_title=page_title,
            updated_at=updated_at,
            content_hash=f"sha256:{digest.hexdigest()}",
            sections=sections,
            records=records,
        )

    def inconsistency(self) -> str | None:
        """The first thing that makes this catalogue not one nim-scrape wrote, or None."""
        titles = [record.section for record in self.records]
        codes = [record.code for record in self.records]
        return inconsistency(self.schema_version, self.sections, titles, codes)

    def lookup(self, code: int) -> list[Record]:
        """Every record with ``code``, in page order (a code may stand in several sections)."""
        return [record for record in self.records if record.code == code]


def inconsistency(
    schema_version: int,
    sections: Sequence[Section],
    titles: Sequence[str],
    codes: Sequence[int],
) -> str | None:
    """The first thing that makes a catalogue not one nim-scrape wrote, or None.

    The models check each value; this checks how they fit together, so a damaged or hand-edited
    file is refused instead of misleading a diff or a lookup. ``titles`` and ``codes`` are each
    record's section and code, so a reader can check a file without building every record.
    """
    if schema_version not in KNOWN_SCHEMA_VERSIONS:
        known = ", ".join(map(str, KNOWN_SCHEMA_VERSIONS))
        return f"schema_version {schema_version} is not one this nim-scrape reads ({known})"
    listed = {section.title: section.record_count for section in sections}
    if len(listed) != len(sections):
        return "two sections have the same title"
    # Counted in C first; the slow loop below only runs to name the record at fault.
    counts = Counter(titles)
    codes_ok = all(type(code) is int for code in codes) and (
        not codes or (min(codes) >= 0 and max(codes) < MAX_CODE)
    )
    if counts.keys() <= listed.keys() and codes_ok:
        for title, expected in listed.items():
            if counts[title] != expected:
                found = counts[title]
                return (
                    f"the section {title!r} says it has {expected} records, the file holds {found}"
                )
        return None
    for index, (title, code) in enumerate(zip(titles, codes, strict=True)):
        if title not in listed:
            return f"record {index} names the section {title!r}, which is not among its sections"
        if type(code) is not int or not 0 <= code < MAX_CODE:
            return (
                f"record {index} has the code {code!r}, not a whole number from 0 to {MAX_CODE - 1}"
            )
    raise AssertionError("unreachable: a problem was found above")  # pragma: no cover


# Serialised in Rust: hashing a catalogue of 300,000 records must not cost seconds.
SECTIONS = TypeAdapter(tuple[Section, ...])
RECORDS = TypeAdapter(tuple[Record, ...])
