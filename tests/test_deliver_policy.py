"""When the team is told: the rules over the run state, one at a time."""

from datetime import datetime, timezone

from nim_scrape.catalogue.state import RunState
from nim_scrape.deliver.policy import (
    Outcome,
    ToSend,
    after_delivery,
    after_failure,
    tell_failure,
    to_send,
)

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


def test_a_new_change_is_sent():
    assert to_send(Outcome(changed=True, content_hash="b"), RunState()) == ToSend(None, True)


def test_a_change_already_told_is_not_sent_again():
    state = RunState(delivered_content_hash="b")
    sending = to_send(Outcome(changed=True, content_hash="b"), state)
    assert sending == ToSend(None, False)
    assert not sending


def test_new_audit_findings_are_sent_even_without_a_page_change():
    state = RunState(delivered_content_hash="b")
    assert to_send(Outcome(False, "b", audit_changed=True), state) == ToSend(None, True)


def test_the_first_run_that_works_after_a_failure_tells_the_recovery():
    state = RunState(failing_since="2026-12-01T06:00:00+00:00", failure_notified=True)
    assert to_send(Outcome(False, "a"), state) == ToSend("2026-12-01T06:00:00+00:00", False)


def test_a_failure_is_told_the_first_time_only():
    assert tell_failure(RunState())
    first = after_failure(RunState(), error="boom", when=NOON, notified=True, notifying=True)
    assert first.failing_since == "2026-12-02T12:00:00+00:00"
    assert not tell_failure(first)
    later = after_failure(
        first, error="boom again", when=NOON.replace(hour=18), notified=False, notifying=True
    )
    assert later.failing_since == "2026-12-02T12:00:00+00:00"  # since the first failure


def test_a_failure_whose_notice_failed_is_told_by_the_next_failing_run():
    state = after_failure(RunState(), error="boom", when=NOON, notified=False, notifying=True)
    assert tell_failure(state)


def test_a_failure_with_nobody_to_tell_counts_as_told():
    state = after_failure(RunState(), error="boom", when=NOON, notified=False, notifying=False)
    assert not tell_failure(state)


def test_a_delivery_ends_the_failure_and_remembers_what_was_told():
    failing = RunState(failing_since="x", failure="boom", failure_notified=True)
    assert after_delivery(failing, "c") == RunState(delivered_content_hash="c")
