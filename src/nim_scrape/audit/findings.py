"""The audit's typed result: the five kinds of finding, the audit, what changed since the last
one, and the file it is saved in (``sdk_audit.json``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nim_scrape.catalogue.models import FrozenModel

__all__ = [
    "AUDIT_JSON",
    "AUDIT_MARKDOWN",
    "FINDING_KINDS",
    "Audit",
    "AuditChanges",
    "load_audit",
]

logger = logging.getLogger(__name__)

AUDIT_JSON = "sdk_audit.json"
AUDIT_MARKDOWN = "SDK-AUDIT.md"
AUDIT_SCHEMA_VERSION = 1

FINDING_KINDS = (
    "documented_not_in_sdk",
    "in_sdk_not_documented",
    "meaning_differs",
    "doc_conflicts",
    "sdk_conflicts",
)


class PageRow(FrozenModel):
    """One row of the page that documents a code."""

    section: str
    url: str
    message: str
    description: str


class SdkName(FrozenModel):
    """What one SDK calls a code."""

    sdk: str
    name: str
    message: str
    file: str


class DocumentedNotInSdk(FrozenModel):
    code: int
    sdk: str
    sections: tuple[PageRow, ...]
    present_in: tuple[str, ...] = ()  # the other SDKs of the audit that do declare it


class InSdkNotDocumented(FrozenModel):
    code: int
    sdk: str
    name: str
    sdk_message: str
    sdk_message_zh: str = ""
    file: str
    also_in: tuple[str, ...] = ()  # the other SDKs of the audit that declare it too
    near_section: str | None = None  # the section that holds most codes of its thousand


class MeaningDiffers(FrozenModel):
    code: int
    sdk: str
    name: str
    sdk_message: str
    sdk_message_zh: str = ""
    file: str
    sections: tuple[PageRow, ...]


class DocConflict(FrozenModel):
    code: int
    sections: tuple[PageRow, ...]
    sdks: tuple[SdkName, ...] = ()  # what each SDK of the audit calls it


class SdkConflict(FrozenModel):
    code: int
    sdk: str
    names: tuple[SdkName, ...]


class SdkInfo(FrozenModel):
    label: str
    package: str
    version: str | None
    source: str
    files: tuple[str, ...]
    codes: int


class CatalogueInfo(FrozenModel):
    page_url: str
    updated_at: datetime | None
    content_hash: str
    codes: int


class Audit(FrozenModel):
    """A whole audit; ``counts`` are the lengths of the five lists."""

    schema_version: int = AUDIT_SCHEMA_VERSION
    catalogue: CatalogueInfo
    sdks: tuple[SdkInfo, ...]
    counts: dict[str, int]
    documented_not_in_sdk: tuple[DocumentedNotInSdk, ...] = ()
    in_sdk_not_documented: tuple[InSdkNotDocumented, ...] = ()
    meaning_differs: tuple[MeaningDiffers, ...] = ()
    doc_conflicts: tuple[DocConflict, ...] = ()
    sdk_conflicts: tuple[SdkConflict, ...] = ()

    def findings(self, kind: str) -> tuple[FrozenModel, ...]:
        return tuple(getattr(self, kind))

    def to_json(self) -> str:
        """The saved form: stable, so an unchanged audit is a byte-identical file."""
        return self.model_dump_json(indent=2) + "\n"


@dataclass(frozen=True)
class AuditChanges:
    """What is new in an audit against the one saved before: new (or changed) findings, and
    the ones that are gone. SDKs are matched by package, so a new version alone changes nothing."""

    new: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    resolved: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    first: bool = False

    @property
    def changed(self) -> bool:
        return self.first or any(self.new.values()) or any(self.resolved.values())

    def counts(self) -> dict[str, int]:
        return {
            **{f"new_{k}": len(v) for k, v in self.new.items()},
            **{f"resolved_{k}": len(v) for k, v in self.resolved.items()},
        }


def load_audit(path: Path) -> Audit | None:
    """The audit saved at ``path``; None when there is none, or it cannot be read (it is derived
    data: the next save replaces it)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        logger.warning("cannot read the saved audit %s (%s); treating it as absent", path, exc)
        return None
    try:
        return Audit.model_validate_json(data)
    except ValidationError as exc:
        logger.warning("the saved audit %s is not readable (%s); replacing it", path, exc)
        return None
