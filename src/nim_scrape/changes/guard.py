"""The plausibility guard: a new catalogue that looks broken rather than changed is not written.

Pure: the previous catalogue, the change set and the page size in; a ``GuardRefused`` out when
the page lost much of the old one (sections, records, bytes), when its wording was blanked or
replaced by placeholders, or when it is an older edition than the catalogue's (a stale mirror or
cache). A human may override it after looking at the page; the library names no option for
that (the command line adds its own).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from nim_scrape.errors import GuardRefused

if TYPE_CHECKING:
    from nim_scrape.catalogue.models import Catalogue, Record
    from nim_scrape.changes.diff import CatalogueDiff

__all__ = ["Thresholds", "check"]

_LOOK = "a human should look at the page, and override when sure"
_OVERRIDE = "override after checking the page"
# Whole cells that stand for wording nobody wrote yet (compared case-insensitively).
_PLACEHOLDERS = frozenset({"todo", "tbd", "待补充", "暂无", "-", "—", "–", "n/a"})
_WORDED = ("message", "description")
_NAMED = 5  # records named in a refusal before "…"


@dataclass(frozen=True)
class Thresholds:
    """How much may go in one run before the guard refuses. Renamed sections never count.

    Shares and ratios are between 0 and 1; NaN and infinity are refused (``ValueError``), since
    any comparison with NaN is false and would switch the guard off unnoticed.
    """

    max_sections_removed: int = 2
    max_records_removed_share: float = 0.2
    min_size_ratio: float = 0.5
    max_blanked_share: float = 0.1

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{field.name} must be a finite number, not {value!r}")
            high = math.inf if field.name == "max_sections_removed" else 1.0
            if not 0 <= value <= high:
                bounds = "at least 0" if high == math.inf else "between 0 and 1"
                raise ValueError(f"{field.name} must be {bounds}, not {value!r}")


def _is_blank(text: str) -> bool:
    """True for a blank cell or one that only holds a placeholder such as TODO or 暂无."""
    return not text.strip() or text.strip().casefold() in _PLACEHOLDERS


def check(
    previous: Catalogue,
    changes: CatalogueDiff,
    *,
    thresholds: Thresholds = Thresholds(),
    size_before: int | None = None,
    size_after: int | None = None,
) -> None:
    """Raise ``GuardRefused`` naming what looks broken, if anything passes a threshold."""
    problems: list[str] = []
    gone = changes.sections_removed
    if len(gone) > thresholds.max_sections_removed:
        names = ", ".join(s.title for s in gone[:4]) + (", …" if len(gone) > 4 else "")
        problems.append(f"{len(gone)} of {len(previous.sections)} sections gone ({names})")
    total = len(previous.records)
    lost = len(changes.removed)
    if total and lost / total > thresholds.max_records_removed_share:
        problems.append(
            f"{lost} of {total} records gone ({lost / total:.0%}, more than "
            f"{thresholds.max_records_removed_share:.0%})"
        )
    blanked = _blanked(changes)
    if total and len(blanked) / total > thresholds.max_blanked_share:
        problems.append(_describe_blanked(blanked, total, thresholds.max_blanked_share))
    before, after = changes.updated_before, changes.updated_after
    if before is not None and after is not None and after < before:
        problems.append(
            f"the page's 更新时间 {after.isoformat()} is older than the catalogue's "
            f"{before.isoformat()} (a stale mirror or cache?)"
        )
    if (
        size_before
        and size_after is not None
        and size_after < size_before * thresholds.min_size_ratio
    ):
        problems.append(
            f"the page is {size_after:,} bytes, {size_after / size_before:.0%} of the "
            f"{size_before:,} it was"
        )
    if problems:
        raise GuardRefused(
            f"refusing to replace the catalogue: {'; '.join(problems)}; {_LOOK}", hint=_OVERRIDE
        )


def _blanked(changes: CatalogueDiff) -> list[tuple[Record, tuple[str, ...]]]:
    """Changed records whose message or description had wording and now has none."""
    out = []
    for change in changes.changed:
        lost = tuple(
            name
            for name in _WORDED
            if not _is_blank(getattr(change.before, name))
            and _is_blank(getattr(change.after, name))
        )
        if lost:
            out.append((change.after, lost))
    return out


def _describe_blanked(
    blanked: list[tuple[Record, tuple[str, ...]]], total: int, share: float
) -> str:
    counts = {name: sum(name in lost for _, lost in blanked) for name in _WORDED}
    which = " and ".join(f"{n} {name}s" for name, n in counts.items() if n)
    named = ", ".join(
        f"{record.code} in {record.section} ({_shown(record, lost)})"
        for record, lost in blanked[:_NAMED]
    )
    more = ", …" if len(blanked) > _NAMED else ""
    return (
        f"{len(blanked)} of {total} records lost their wording ({len(blanked) / total:.0%}, more "
        f"than {share:.0%}): {which} blank or a placeholder, e.g. {named}{more}"
    )


def _shown(record: Record, lost: tuple[str, ...]) -> str:
    values = ((name, str(getattr(record, name))) for name in lost)
    return ", ".join(f"{name} {v!r}" if v.strip() else f"{name} blank" for name, v in values)
