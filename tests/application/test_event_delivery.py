"""EventDelivery: its attempts move it through the delivery table (ADR 0019's schedule)."""

from datetime import UTC, datetime, timedelta

import pytest

from application.outbox import (
    DELIVERY_SCHEDULE,
    DeliveryState,
    EventDelivery,
    SendResult,
)
from domain.errors import InvalidTransition

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)
OK = SendResult(200, None, 5)
DOWN = SendResult(503, "unavailable", 5)


def delivery() -> EventDelivery:
    return EventDelivery(1, "evt_1", "main", NOW, next_attempt_at=NOW)


def test_a_failed_attempt_waits_its_step_and_the_last_one_gives_up():
    d = delivery()
    assert d.attempted(DOWN, NOW) is DeliveryState.PENDING
    assert d.next_attempt_at == NOW + DELIVERY_SCHEDULE[0]
    for _ in DELIVERY_SCHEDULE:
        d.attempted(DOWN, NOW)
    assert (d.state, d.attempts, d.next_attempt_at) == (
        DeliveryState.DEAD,
        len(DELIVERY_SCHEDULE) + 1,
        None,
    )


@pytest.mark.parametrize("result", [OK, DOWN])
def test_a_delivered_delivery_takes_no_further_attempt(result):
    d = delivery()
    d.attempted(OK, NOW)
    with pytest.raises(InvalidTransition) as caught:
        d.attempted(result, NOW + timedelta(seconds=1))
    assert str(caught.value).startswith("delivery in state DELIVERED cannot take event")
    assert (d.state, d.attempts, d.last_attempt_at) == (DeliveryState.DELIVERED, 1, NOW)


def test_a_dead_delivery_is_attempted_again_only_after_an_operator_resends_it():
    d = delivery()
    for _ in range(len(DELIVERY_SCHEDULE) + 1):
        d.attempted(DOWN, NOW)
    with pytest.raises(InvalidTransition):
        d.attempted(OK, NOW)
    later = NOW + timedelta(days=2)
    d.resend(later, "operator:1")
    assert (d.state, d.attempts, d.next_attempt_at) == (DeliveryState.PENDING, 0, later)
    assert d.attempted(OK, later) is DeliveryState.DELIVERED
