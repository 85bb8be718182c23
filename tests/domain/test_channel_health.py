"""ChannelHealth: the circuit breaker's moves through its table (spec §4.9)."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.channel_health import (
    BREAKER,
    Admission,
    BreakerEvent,
    BreakerPolicy,
    BreakerState,
    ChannelHealth,
    Forced,
)
from domain.errors import InvalidTransition

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)
POLICY = BreakerPolicy(failure_threshold=2, open_for=timedelta(seconds=60))


def opened() -> ChannelHealth:
    health = ChannelHealth("nice")
    health.failed("refused", NOW, POLICY)
    health.failed("refused", NOW, POLICY)
    return health


def test_failures_in_a_row_open_the_breaker_at_the_threshold():
    health = ChannelHealth("nice")
    health.failed("refused", NOW, POLICY)
    assert health.state is BreakerState.CLOSED
    health.failed("refused", NOW, POLICY)
    assert (health.state, health.opened_at) == (BreakerState.OPEN, NOW)


def test_an_open_breaker_lets_one_probe_through_after_its_time_and_a_success_closes_it():
    health = opened()
    assert health.admit(NOW + timedelta(seconds=59), POLICY) is Admission.REFUSE
    later = NOW + timedelta(seconds=60)
    assert health.admit(later, POLICY) is Admission.PROBE
    assert health.state is BreakerState.HALF_OPEN
    assert health.admit(later, POLICY) is Admission.REFUSE  # one probe at a time
    health.succeeded(later)
    assert (health.state, health.failures, health.opened_at) == (BreakerState.CLOSED, 0, None)


def test_a_failed_probe_opens_the_breaker_again():
    health = opened()
    later = NOW + timedelta(seconds=60)
    health.admit(later, POLICY)
    health.failed("refused again", later, POLICY)
    assert (health.state, health.opened_at, health.probe_until) == (BreakerState.OPEN, later, None)


def test_a_forced_breaker_ignores_outcomes_and_lifting_the_force_closes_it():
    health = opened()
    health.force(Forced.OPEN, "operator:1", "PG maintenance", NOW)
    health.succeeded(NOW)
    assert health.state is BreakerState.OPEN
    health.force(None, "operator:1", None, NOW)
    assert (health.state, health.failures) == (BreakerState.CLOSED, 0)


def test_a_closed_breaker_takes_no_probe_move():
    with pytest.raises(InvalidTransition) as caught:
        BREAKER.next(BreakerState.CLOSED, BreakerEvent.PROBE_ADMITTED)
    assert str(caught.value) == "breaker in state CLOSED cannot take event PROBE_ADMITTED"
