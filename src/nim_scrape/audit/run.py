"""The audit as a job: read the SDK sources, audit the catalogue, compare with the audit saved
in the output folder, and save ``sdk_audit.json`` and ``SDK-AUDIT.md`` (only when they changed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nim_scrape.audit.check import audit, compare_audits
from nim_scrape.audit.findings import AUDIT_JSON, AUDIT_MARKDOWN, Audit, AuditChanges, load_audit
from nim_scrape.audit.report import render_markdown
from nim_scrape.audit.sdk import Sdk, read_sdk
from nim_scrape.catalogue.models import Catalogue
from nim_scrape.catalogue.store import atomic_write

if TYPE_CHECKING:
    import httpx

__all__ = ["AuditResult", "read_sdks", "run_audit", "save_audit"]


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
