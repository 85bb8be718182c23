"""The webhook inbox's and idempotency keys' states move through their tables."""

from datetime import UTC, datetime, timedelta

import pytest

from application.records import IdempotencyRecord, IdempotencyState, InboxMessage, InboxState
from domain.errors import InvalidTransition

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)


def message(state: InboxState = InboxState.RECEIVED) -> InboxMessage:
    return InboxMessage(1, NOW, "{}", "application/json", None, "imp_1", "m1", "paid", state=state)


def test_a_failed_processing_is_retried_at_its_backoff():
    row = message()
    row.failed(NOW, "lookup timed out", NOW + timedelta(minutes=1))
    assert (row.state, row.attempts, row.next_attempt_at) == (
        InboxState.FAILED,
        1,
        NOW + timedelta(minutes=1),
    )


def test_a_processed_webhook_is_processed_again_only_when_an_operator_asks():
    row = message(InboxState.PROCESSED)
    with pytest.raises(InvalidTransition):
        row.unmatched(NOW, "again")
    row.reprocess("operator:1", NOW)
    assert (row.state, row.reprocessed_by) == (InboxState.RECEIVED, "operator:1")


def test_a_key_with_a_stored_answer_is_never_reclaimed():
    key = IdempotencyRecord("user:1 POST /api/orders", "k", "f", NOW)
    key.answered(201, b"{}", "application/json")
    with pytest.raises(InvalidTransition):
        key.reclaim("other body", NOW)
    assert key.state is IdempotencyState.DONE


def test_a_released_key_runs_again_with_its_new_body():
    key = IdempotencyRecord("user:1 POST /api/orders", "k", "f", NOW)
    key.release()
    key.reclaim("g", NOW + timedelta(seconds=5))
    assert (key.state, key.fingerprint, key.status_code) == (
        IdempotencyState.IN_PROGRESS,
        "g",
        None,
    )
