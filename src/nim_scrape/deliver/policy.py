"""When to tell the team, as pure rules over the run state: what a run sends, and what it notes.

- A failure is told the first time only; a run that fails again says nothing more.
- The first run that works after a failure tells the recovery.
- A change is told once: a change found again (its pull request not merged yet, say) is
  reported again by the run, but the team is not told twice of a catalogue it was told of.
- New SDK audit findings are told with the change.

No I/O here: the refresh job reads the state, asks these functions, sends, and saves the state
they return. Each rule is then one function to read and to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nim_scrape.catalogue.state import RunState

__all__ = ["Outcome", "ToSend", "after_delivery", "after_failure", "tell_failure", "to_send"]


@dataclass(frozen=True)
class Outcome:
    """What a successful run found, as far as telling it goes."""

    changed: bool
    content_hash: str
    audit_changed: bool = False


@dataclass(frozen=True)
class ToSend:
    """What a successful run sends: the recovery notice (the failure's start), the change."""

    recovery_since: str | None
    change: bool

    def __bool__(self) -> bool:
        return self.recovery_since is not None or self.change


def to_send(outcome: Outcome, state: RunState) -> ToSend:
    """What a run that worked sends, given the state before it."""
    told = outcome.content_hash == state.delivered_content_hash
    return ToSend(
        recovery_since=state.failing_since,
        change=(outcome.changed and not told) or outcome.audit_changed,
    )


def tell_failure(state: RunState) -> bool:
    """Whether a failing run notifies: only when this failure has not been told yet."""
    return not (state.failing_since and state.failure_notified)


def after_failure(
    state: RunState, *, error: str, when: datetime, notified: bool, notifying: bool
) -> RunState:
    """The state after a failed run: failing since the first failure, told if it was sent (or if
    there is nobody to tell)."""
    return state.model_copy(
        update={
            "failing_since": state.failing_since or when.isoformat(timespec="seconds"),
            "failure": error,
            "failure_notified": notified or not notifying,
        }
    )


def after_delivery(state: RunState, content_hash: str) -> RunState:
    """The state once a run's change was shown and sent: no failure, this catalogue told."""
    return state.model_copy(
        update={
            "failing_since": None,
            "failure": None,
            "failure_notified": None,
            "delivered_content_hash": content_hash,
        }
    )
