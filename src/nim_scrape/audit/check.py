"""The page against the SDKs' own error codes: findings, and how they change over time (#12).

``audit(catalogue, sdks)`` is pure: the catalogue and what each SDK declares in, an ``Audit`` out,
whose five lists are always present (empty, never missing):

- ``documented_not_in_sdk``: a code the page documents that an SDK does not declare;
- ``in_sdk_not_documented``: a code an SDK declares that the page does not document;
- ``meaning_differs``: the SDK's English text matches none of the page's messages for the code
  (whitespace, punctuation, letter width and case aside);
- ``doc_conflicts``: the page gives one code different meanings in different sections (what
  each SDK calls it is shown beside); a code whose SDK text matches one of those meanings is
  reported here, not under ``meaning_differs``;
- ``sdk_conflicts``: one SDK declares one code under two names.

``run_audit`` reads the sources, compares with the audit saved in the output folder, and saves
``sdk_audit.json`` and ``SDK-AUDIT.md`` (only when they changed).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from nim_scrape.audit.sdk import Sdk, SdkCode, read_sdk
from nim_scrape.catalogue.models import Catalogue, Record
from nim_scrape.catalogue.store import atomic_write
from nim_scrape.catalogue.text import cosmetic_key

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AUDIT_JSON",
    "AUDIT_MARKDOWN",
    "FINDING_KINDS",
    "Audit",
    "AuditChanges",
    "AuditResult",
    "audit",
    "compare_audits",
    "load_audit",
    "read_sdks",
    "run_audit",
    "save_audit",
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


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PageRow(_Frozen):
    """One row of the page that documents a code."""

    section: str
    url: str
    message: str
    description: str


class SdkName(_Frozen):
    """What one SDK calls a code."""

    sdk: str
    name: str
    message: str
    file: str


class DocumentedNotInSdk(_Frozen):
    code: int
    sdk: str
    sections: tuple[PageRow, ...]
    present_in: tuple[str, ...] = ()  # the other SDKs of the audit that do declare it


class InSdkNotDocumented(_Frozen):
    code: int
    sdk: str
    name: str
    sdk_message: str
    sdk_message_zh: str = ""
    file: str
    also_in: tuple[str, ...] = ()  # the other SDKs of the audit that declare it too
    near_section: str | None = None  # the section that holds most codes of its thousand


class MeaningDiffers(_Frozen):
    code: int
    sdk: str
    name: str
    sdk_message: str
    sdk_message_zh: str = ""
    file: str
    sections: tuple[PageRow, ...]


class DocConflict(_Frozen):
    code: int
    sections: tuple[PageRow, ...]
    sdks: tuple[SdkName, ...] = ()  # what each SDK of the audit calls it


class SdkConflict(_Frozen):
    code: int
    sdk: str
    names: tuple[SdkName, ...]


class SdkInfo(_Frozen):
    label: str
    package: str
    version: str | None
    source: str
    files: tuple[str, ...]
    codes: int


class CatalogueInfo(_Frozen):
    page_url: str
    updated_at: datetime | None
    content_hash: str
    codes: int


class Audit(_Frozen):
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

    def findings(self, kind: str) -> tuple[_Frozen, ...]:
        return tuple(getattr(self, kind))

    def to_json(self) -> str:
        """The saved form: stable, so an unchanged audit is a byte-identical file."""
        return self.model_dump_json(indent=2) + "\n"


# -- the findings --------------------------------------------------------------------------------


def _meaning(text: str) -> str:
    return cosmetic_key(text).casefold()


# What one SDK declares, by code: every declaration of a code, in the SDK's order.
_Declared = dict[int, list[SdkCode]]
# The other SDKs of the audit, each with what it declares.
_Others = list[tuple[str, _Declared]]


def audit(catalogue: Catalogue, sdks: Sequence[Sdk]) -> Audit:
    """Every finding of ``catalogue`` against ``sdks``, in SDK order, then page or code order."""
    page = _page_rows(catalogue)
    declared = [_by_code(sdk) for sdk in sdks]
    near = _near_sections(catalogue.records)
    missing: list[DocumentedNotInSdk] = []
    extra: list[InSdkNotDocumented] = []
    differs: list[MeaningDiffers] = []
    twice: list[SdkConflict] = []
    for sdk, codes in zip(sdks, declared, strict=True):
        others = [(o.label, c) for o, c in zip(sdks, declared, strict=True) if o is not sdk]
        missing += _documented_not_in_sdk(sdk, codes, page, others)
        extra += _in_sdk_not_documented(sdk, codes, page, others, near)
        differs += _meaning_differs(sdk, codes, page)
        twice += _sdk_conflicts(sdk, codes)
    lists = {
        "documented_not_in_sdk": tuple(missing),
        "in_sdk_not_documented": tuple(extra),
        "meaning_differs": tuple(differs),
        "doc_conflicts": tuple(_doc_conflicts(page, sdks, declared)),
        "sdk_conflicts": tuple(twice),
    }
    return Audit(
        catalogue=CatalogueInfo(
            page_url=catalogue.page_url,
            updated_at=catalogue.updated_at,
            content_hash=catalogue.content_hash,
            codes=len(page),
        ),
        sdks=tuple(_info(sdk) for sdk in sdks),
        counts={kind: len(items) for kind, items in lists.items()},
        **lists,
    )


def _page_rows(catalogue: Catalogue) -> dict[int, list[PageRow]]:
    """Each code the page documents, with every row that documents it, in page order."""
    urls = {section.title: section.url for section in catalogue.sections}
    page: dict[int, list[PageRow]] = {}
    for record in catalogue.records:
        page.setdefault(record.code, []).append(_row(record, urls))
    return page


def _documented_not_in_sdk(
    sdk: Sdk, codes: _Declared, page: dict[int, list[PageRow]], others: _Others
) -> list[DocumentedNotInSdk]:
    return [
        DocumentedNotInSdk(
            code=code,
            sdk=sdk.label,
            sections=tuple(rows),
            present_in=tuple(label for label, c in others if code in c),
        )
        for code, rows in page.items()
        if code not in codes
    ]


def _in_sdk_not_documented(
    sdk: Sdk,
    codes: _Declared,
    page: dict[int, list[PageRow]],
    others: _Others,
    near: dict[int, str],
) -> list[InSdkNotDocumented]:
    return [
        InSdkNotDocumented(
            **_as_declared(sdk, codes[code][0]),
            also_in=tuple(label for label, c in others if code in c),
            near_section=near.get(code // 1000) if code >= 1000 else None,
        )
        for code in sorted(codes)
        if code not in page
    ]


def _meaning_differs(
    sdk: Sdk, codes: _Declared, page: dict[int, list[PageRow]]
) -> list[MeaningDiffers]:
    """Codes whose SDK text (the first declaration's) matches none of the page's messages."""
    return [
        MeaningDiffers(**_as_declared(sdk, codes[code][0]), sections=tuple(page[code]))
        for code in sorted(codes)
        if code in page and _differs(codes[code][0].message, page[code])
    ]


def _differs(sdk_message: str, rows: list[PageRow]) -> bool:
    """The SDK has a text for the code, and it is none of the page's (cosmetics aside)."""
    return bool(sdk_message) and not any(
        _meaning(row.message) == _meaning(sdk_message) for row in rows
    )


def _as_declared(sdk: Sdk, declared: SdkCode) -> dict[str, Any]:
    """The fields that a finding about a code the SDK declares gives first, the same way in
    each kind of finding: the code, the SDK, and what the SDK calls it where."""
    return {
        "code": declared.code,
        "sdk": sdk.label,
        "name": declared.name,
        "sdk_message": declared.message,
        "sdk_message_zh": declared.message_zh,
        "file": declared.file,
    }


def _sdk_conflicts(sdk: Sdk, codes: _Declared) -> list[SdkConflict]:
    """Codes the SDK declares under two names or more (one finding a code, names in order)."""
    conflicts: list[SdkConflict] = []
    for code in sorted(codes):
        names = {c.name: c for c in codes[code]}
        if len(names) > 1:
            named = tuple(_named(sdk, c) for c in names.values())
            conflicts.append(SdkConflict(code=code, sdk=sdk.label, names=named))
    return conflicts


def _doc_conflicts(
    page: dict[int, list[PageRow]], sdks: Sequence[Sdk], declared: list[_Declared]
) -> list[DocConflict]:
    """Codes the page gives meanings that share nothing, with what each SDK calls them."""
    return [
        DocConflict(
            code=code,
            sections=tuple(rows),
            sdks=tuple(
                _named(sdk, c[code][0]) for sdk, c in zip(sdks, declared, strict=True) if code in c
            ),
        )
        for code, rows in page.items()
        if _conflicting(rows)
    ]


def _row(record: Record, urls: dict[str, str]) -> PageRow:
    return PageRow(
        section=record.section,
        url=urls.get(record.section, ""),
        message=record.message,
        description=record.description,
    )


def _by_code(sdk: Sdk) -> _Declared:
    codes: _Declared = {}
    for code in sdk.codes:
        codes.setdefault(code.code, []).append(code)
    return codes


def _named(sdk: Sdk, code: SdkCode) -> SdkName:
    return SdkName(sdk=sdk.label, name=code.name, message=code.message, file=code.file)


def _info(sdk: Sdk) -> SdkInfo:
    return SdkInfo(
        label=sdk.label,
        package=sdk.package,
        version=sdk.version,
        source=sdk.source,
        files=sdk.files,
        codes=len({c.code for c in sdk.codes}),
    )


def _conflicting(rows: list[PageRow]) -> bool:
    """Two sections give the code meanings that share nothing (a section may list several)."""
    meanings: dict[str, set[str]] = {}
    for row in rows:
        meanings.setdefault(row.section, set()).add(_meaning(row.message))
    sets = list(meanings.values())
    return any(a.isdisjoint(b) for i, a in enumerate(sets) for b in sets[i + 1 :])


def _near_sections(records: Iterable[Record]) -> dict[int, str]:
    """For each thousand (107xxx), the section that documents most of its codes."""
    counts: dict[int, Counter[str]] = {}
    for record in records:
        if record.code >= 1000:
            counts.setdefault(record.code // 1000, Counter())[record.section] += 1
    return {prefix: c.most_common(1)[0][0] for prefix, c in counts.items()}


# -- over time -----------------------------------------------------------------------------------


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


def compare_audits(previous: Audit | None, current: Audit) -> AuditChanges:
    """The findings of ``current`` not in ``previous``, and those of ``previous`` now gone."""
    if previous is None:
        return AuditChanges(
            new={kind: current.findings(kind) for kind in FINDING_KINDS}, first=True
        )
    old_packages = {s.label: s.package for s in previous.sdks}
    new_packages = {s.label: s.package for s in current.sdks}
    new: dict[str, tuple[Any, ...]] = {}
    resolved: dict[str, tuple[Any, ...]] = {}
    for kind in FINDING_KINDS:
        before = [_normal(f, old_packages) for f in previous.findings(kind)]
        after = [_normal(f, new_packages) for f in current.findings(kind)]
        before_set = {json.dumps(f, sort_keys=True) for f in before}
        after_keys = {_key(f) for f in after}
        new[kind] = tuple(
            f
            for f, n in zip(current.findings(kind), after, strict=True)
            if json.dumps(n, sort_keys=True) not in before_set
        )
        resolved[kind] = tuple(
            f
            for f, n in zip(previous.findings(kind), before, strict=True)
            if _key(n) not in after_keys
        )
    return AuditChanges(new=new, resolved=resolved)


def _normal(finding: BaseModel, packages: dict[str, str]) -> Any:
    """A finding as compared over time: SDK labels as packages, without line numbers."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items() if k != "file"}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            return packages.get(value, value)
        return value

    return walk(finding.model_dump(mode="json"))


def _key(finding: dict[str, Any]) -> tuple[Any, ...]:
    return (finding.get("sdk"), finding["code"])


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


# -- the job -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditResult:
    audit: Audit
    previous: Audit | None
    changes: AuditChanges
    written: tuple[Path, ...] = ()

    @property
    def changed(self) -> bool:
        """True when the findings differ from the saved audit's (what ``--exit-code`` tells)."""
        return self.changes.changed


def read_sdks(
    sources: Sequence[str],
    *,
    client: httpx.Client | None = None,
    cache_dir: Path | None = None,
    registry: str | None = None,
) -> list[Sdk]:
    """Each source's SDK, labels made unique (the same package given twice is told apart)."""
    sdks: list[Sdk] = []
    seen: Counter[str] = Counter()
    for source in sources:
        sdk = read_sdk(source, client=client, cache_dir=cache_dir, registry=registry)
        seen[sdk.label] += 1
        if seen[sdk.label] > 1:
            sdk = sdk.model_copy(update={"label": f"{sdk.label} ({seen[sdk.label]})"})
        sdks.append(sdk)
    return sdks


def run_audit(
    catalogue: Catalogue,
    sources: Sequence[str],
    *,
    out: Path | None,
    client: httpx.Client | None = None,
    cache_dir: Path | None = None,
    registry: str | None = None,
) -> AuditResult:
    """Audit ``catalogue`` against ``sources``; with ``out``, compare with the audit saved there
    and save this one (each file written only when its content changed).

    Every source is read before anything is written: a source that cannot be used leaves the
    saved audit as it was.
    """
    sdks = read_sdks(sources, client=client, cache_dir=cache_dir, registry=registry)
    return save_audit(catalogue, sdks, out=out)


def save_audit(catalogue: Catalogue, sdks: Sequence[Sdk], *, out: Path | None) -> AuditResult:
    """Audit ``catalogue`` against SDKs already read; with ``out``, compare with the audit saved
    there and save this one (each file written only when its content changed)."""
    from nim_scrape.audit.report import render_markdown

    result = audit(catalogue, sdks)
    if out is None:
        return AuditResult(audit=result, previous=None, changes=compare_audits(None, result))
    previous = load_audit(out / AUDIT_JSON)
    changes = compare_audits(previous, result)
    written = tuple(
        path
        for path, text in (
            (out / AUDIT_JSON, result.to_json()),
            (out / AUDIT_MARKDOWN, render_markdown(result)),
        )
        if atomic_write(path, text.encode("utf-8"))
    )
    return AuditResult(audit=result, previous=previous, changes=changes, written=written)
