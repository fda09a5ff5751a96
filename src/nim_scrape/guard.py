"""The plausibility guard: a new catalogue that lost much of the old one is not written.

Pure: the previous catalogue, the change set and the page size in; a ``GuardRefused`` out when
the page looks broken rather than changed. ``--force`` skips it after a human has looked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import GuardRefused

if TYPE_CHECKING:
    from .diff import CatalogueDiff
    from .models import Catalogue

__all__ = ["Thresholds", "check"]

_OVERRIDE = "if the page really changed this much, rerun with --force"


@dataclass(frozen=True)
class Thresholds:
    """How much may go in one run before the guard refuses. Renamed sections never count."""

    max_sections_removed: int = 2
    max_records_removed_share: float = 0.2
    min_size_ratio: float = 0.5


def check(
    previous: Catalogue,
    changes: CatalogueDiff,
    *,
    thresholds: Thresholds = Thresholds(),
    size_before: int | None = None,
    size_after: int | None = None,
) -> None:
    """Raise ``GuardRefused`` naming what dropped, if the drop passes a threshold."""
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
            "refusing to replace the catalogue: " + "; ".join(problems), hint=_OVERRIDE
        )
