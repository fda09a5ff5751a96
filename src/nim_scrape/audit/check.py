"""The page against the SDKs' own error codes: findings, and how they change over time.

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

``compare_audits`` says what is new or resolved since the audit saved before; ``run`` reads,
audits and saves.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from nim_scrape.audit.findings import (
    FINDING_KINDS,
    Audit,
    AuditChanges,
    CatalogueInfo,
    DocConflict,
    DocumentedNotInSdk,
    InSdkNotDocumented,
    MeaningDiffers,
    PageRow,
    SdkConflict,
    SdkInfo,
    SdkName,
)
from nim_scrape.audit.sdk import Sdk, SdkCode
from nim_scrape.catalogue.models import Catalogue, Record
from nim_scrape.catalogue.text import cosmetic_key

__all__ = ["audit", "compare_audits"]


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
