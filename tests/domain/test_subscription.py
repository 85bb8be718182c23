"""The monthly schedule: billing days, Seoul time, dunning."""

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import InvalidValue
from domain.seoul import seoul_date, seoul_moment
from domain.subscription import DunningPolicy, Subscription, billing_date

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        (2026, 2, 31, date(2026, 2, 28)),
        (2028, 2, 31, date(2028, 2, 29)),
        (2026, 2, 29, date(2026, 2, 28)),
        (2026, 4, 31, date(2026, 4, 30)),
        (2026, 1, 31, date(2026, 1, 31)),
        (2026, 3, 15, date(2026, 3, 15)),
    ],
)
def test_billing_day_29_to_31_falls_back_to_the_months_last_day(year, month, day, expected):
    assert billing_date(year, month, day) == expected


def test_the_next_cycle_is_due_at_the_charge_hour_in_seoul():
    sub = Subscription(billing_day=31, card_id=1, charge_hour=10)
    paid_at = datetime(2026, 1, 31, 1, tzinfo=UTC)  # 10:00 KST
    assert sub.due_after(paid_at) == datetime(2026, 2, 28, 1, tzinfo=UTC)


def test_a_payment_late_in_the_seoul_evening_belongs_to_the_next_seoul_day():
    assert seoul_date(datetime(2026, 1, 31, 15, 10, tzinfo=UTC)) == date(2026, 2, 1)


def test_seoul_moment_is_nine_hours_ahead_of_utc():
    assert seoul_moment(date(2026, 3, 1), 10) == datetime(2026, 3, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("day", [0, 32, -1])
def test_billing_day_must_be_a_day_of_the_month(day):
    with pytest.raises(InvalidValue):
        Subscription(billing_day=day, card_id=1)


def test_dunning_retries_after_1_3_7_days_then_gives_up():
    policy = DunningPolicy()
    assert [policy.retry_at(n, NOW) for n in (1, 2, 3, 4)] == [
        NOW + timedelta(days=1),
        NOW + timedelta(days=3),
        NOW + timedelta(days=7),
        None,
    ]
