"""Domain units: InvalidTransition, Amount, VAT, billing dates, Seoul time, dunning."""

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import InvalidTransition, InvalidValue
from domain.money import Amount, vat_of
from domain.order import Order
from domain.seoul import seoul_date, seoul_moment
from domain.status import OrderStatus, OrderType
from domain.subscription import DunningPolicy, Subscription, billing_date

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)


def test_an_illegal_move_names_the_entity_the_state_and_the_event():
    order = Order(1, 7, OrderType.ONE_TIME, 1, 1, "후원", Amount(1_000), NOW)
    with pytest.raises(InvalidTransition) as caught:
        order.refunded(NOW, "test")
    assert str(caught.value) == "order in state ORDERED cannot take event REFUNDED"


def test_an_illegal_move_changes_nothing():
    order = Order(1, 7, OrderType.ONE_TIME, 1, 1, "후원", Amount(1_000), NOW)
    with pytest.raises(InvalidTransition):
        order.end_routine(NOW, "test")
    assert (order.status, order.pending_history) == (OrderStatus.ORDERED, [])


@pytest.mark.parametrize(
    ("total", "tax_free", "field"),
    [
        (0, 0, "amount"),
        (-100, 0, "amount"),
        (True, 0, "amount"),
        (1_000.0, 0, "amount"),
        (1_000, -1, "tax_free"),
        (1_000, 1_001, "tax_free"),
        (1_000, 1.5, "tax_free"),
    ],
)
def test_amount_validation_names_the_field(total, tax_free, field):
    with pytest.raises(InvalidValue) as caught:
        Amount(total, tax_free)
    assert caught.value.field == field


def test_a_fully_tax_free_amount_is_valid():
    assert Amount(1_000, 1_000).vat == 0


@pytest.mark.parametrize(
    ("taxable", "vat"),
    [
        (0, 0),
        (11, 1),
        (5, 0),
        (6, 1),
        (1_000, 91),
        (10_000, 909),
        (11_000, 1_000),
        (16, 1),
        (17, 2),
    ],
)
def test_vat_is_one_eleventh_of_the_taxable_part_rounded_half_up(taxable, vat):
    assert vat_of(taxable) == vat


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
