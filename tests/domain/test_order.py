"""Order: its moves through the state machine, and what an attempt's result means for it."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidTransition
from domain.money import Amount
from domain.order import Buyer, Order
from domain.payment import Payment
from domain.status import OrderStatus, OrderType, PaymentStatus, PayMethod
from domain.subscription import DunningPolicy, Subscription

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)
DUNNING = DunningPolicy()


def monthly(status: OrderStatus = OrderStatus.ROUTINE, cycle: int = 2, attempt: int = 1) -> Order:
    sub = Subscription(billing_day=2, card_id=1, cycle=cycle, attempt=attempt)
    order = Order(1, 7, OrderType.MONTHLY, 1, 1, "정기후원", Amount(10_000), NOW, subscription=sub)
    order.status = status
    return order


def attempt(cycle: int = 2, attempt: int = 1) -> Payment:
    return Payment(
        10,
        1,
        7,
        OrderType.MONTHLY,
        f"o1c{cycle}a{attempt}",
        Amount(10_000),
        "nice",
        "정기후원",
        NOW,
        cycle=cycle,
        attempt=attempt,
    )


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


def test_a_declined_cycle_goes_into_dunning_and_is_retried_a_day_later():
    order = monthly()
    order.attempt_unpaid(attempt(), NOW, "test", {}, DUNNING)
    assert (order.status, order.subscription.next_charge_at) == (
        OrderStatus.ROUTINE_PAST_DUE,
        NOW + timedelta(days=1),
    )


def test_a_decline_after_the_last_dunning_retry_ends_the_sponsorship():
    order = monthly(OrderStatus.ROUTINE_PAST_DUE, attempt=4)
    order.attempt_unpaid(attempt(attempt=4), NOW, "test", {}, DUNNING)
    assert (order.status, order.subscription.next_charge_at) == (OrderStatus.ROUTINE_ENDED, None)


def test_a_new_sponsorships_declined_first_charge_gives_up():
    order = monthly(OrderStatus.ORDERED, cycle=1)
    order.attempt_unpaid(attempt(cycle=1), NOW, "test", {}, DUNNING)
    assert order.status is OrderStatus.FAILED


def test_an_older_attempts_result_leaves_the_order_alone():
    order = monthly(attempt=2)
    order.attempt_unpaid(attempt(attempt=1), NOW, "test", {}, DUNNING)
    assert (order.status, order.pending_history) == (OrderStatus.ROUTINE, [])


def test_a_pg_at_fault_retries_the_cycle_outside_dunning():
    order = monthly()
    order.attempt_failed_by_pg(attempt(), NOW, "test", {}, timedelta(hours=1))
    assert (order.status, order.subscription.next_charge_at) == (
        OrderStatus.ROUTINE,
        NOW + timedelta(hours=1),
    )


def test_a_charge_iamport_never_saw_moves_on_at_once_outside_dunning():
    order = monthly()
    order.attempt_never_sent(attempt(), NOW, "test", {}, DUNNING)
    assert (order.status, order.subscription.next_charge_at) == (OrderStatus.ROUTINE, NOW)


def test_a_paid_dunning_retry_recovers_the_sponsorship():
    order = monthly(OrderStatus.ROUTINE_PAST_DUE, attempt=2)
    note = order.attempt_paid(attempt(attempt=2), NOW, "test", {}, duplicate=False)
    assert (order.status, order.subscription.cycle_paid, note) == (
        OrderStatus.ROUTINE,
        True,
        None,
    )


def test_a_payment_on_an_ended_sponsorship_is_a_note_for_operators():
    order = monthly(OrderStatus.ROUTINE_CANCELLED)
    note = order.attempt_paid(attempt(), NOW, "test", {}, duplicate=False)
    assert note == "payment o1c2a1 paid while its order is ROUTINE_CANCELLED"


@pytest.mark.parametrize(
    ("cycle", "attempt_no", "cycle_paid", "expected"),
    [(1, 1, True, True), (2, 1, True, True), (2, 2, True, False), (2, 1, False, False)],
)
def test_an_attempt_of_a_cycle_another_attempt_paid_is_a_double_charge(
    cycle, attempt_no, cycle_paid, expected
):
    order = monthly(attempt=2)
    order.subscription.cycle_paid = cycle_paid
    assert order.paid_by_another(attempt(cycle, attempt_no)) is expected


@pytest.mark.parametrize(
    ("status", "expected"), [(OrderStatus.PAID, True), (OrderStatus.ORDERED, False)]
)
def test_a_paid_one_time_order_is_paid_by_another_attempt(status, expected):
    order = Order(1, 7, OrderType.ONE_TIME, 1, 1, "후원", Amount(1_000), NOW)
    order.status = status
    assert order.paid_by_another(attempt()) is expected


def test_a_paid_order_starts_no_new_attempt():
    order = Order(1, 7, OrderType.ONE_TIME, 1, 1, "후원", Amount(1_000), NOW)
    order.status = OrderStatus.PAID
    with pytest.raises(InvalidTransition) as caught:
        order.start_attempt(NOW)
    assert str(caught.value) == "order in state PAID cannot take event START_ATTEMPT"


def test_a_past_due_sponsorship_may_change_its_card_but_an_ended_one_may_not():
    order = monthly(OrderStatus.ROUTINE_PAST_DUE)
    order.change_subscription(NOW, card_id=9)
    order.status = OrderStatus.ROUTINE_ENDED
    with pytest.raises(InvalidTransition):
        order.change_subscription(NOW, card_id=10)
    assert order.subscription.card_id == 9


@pytest.mark.parametrize(
    ("payment_status", "duplicate", "expected"),
    [
        (PaymentStatus.CANCELLED, False, OrderStatus.CANCELLED),
        (PaymentStatus.CANCELLED, True, OrderStatus.PAID),  # the other attempt pays it
        (PaymentStatus.PAID, False, OrderStatus.PAID),  # refunded in part
    ],
)
def test_a_payment_refunded_in_full_refunds_its_order_unless_a_double_charge(
    payment_status, duplicate, expected
):
    order = Order(1, 7, OrderType.ONE_TIME, 1, 1, "후원", Amount(1_000), NOW)
    order.status = OrderStatus.PAID
    payment = attempt()
    payment.status = payment_status
    order.attempt_refunded(payment, NOW, "test", {}, duplicate=duplicate)
    assert order.status is expected


def test_a_refunded_cycle_leaves_its_sponsorship_as_it_is():
    order = monthly()
    payment = attempt()
    payment.status = PaymentStatus.CANCELLED
    order.attempt_refunded(payment, NOW, "test", {}, duplicate=False)
    assert (order.status, order.pending_history) == (OrderStatus.ROUTINE, [])


def test_a_placed_card_order_names_its_card_and_starts_unpaid():
    sub = Subscription(billing_day=2, card_id=3)
    order = Order.place(
        1,
        NOW,
        user_seq=7,
        type=OrderType.MONTHLY,
        content_type_code=1,
        content_seq=9,
        name="정기후원",
        amount=Amount(10_000),
        pay_method=PayMethod.CARD,
        buyer=Buyer(name="돌고"),
        card_id=3,
        subscription=sub,
    )
    assert (order.status, order.created_at, order.attempts) == (OrderStatus.ORDERED, NOW, 0)
    assert (order.payment_card_id, order.subscription, order.buyer.name) == (3, sub, "돌고")
    assert order.pending_history == []


def test_a_new_order_is_given_up_only_when_every_attempt_is_known_unpaid():
    order = Order(1, 7, OrderType.ONE_TIME, 1, 1, "후원", Amount(1_000), NOW)
    failed, waiting = attempt(), attempt(attempt=2)
    failed.status, failed.unpaid_proven = PaymentStatus.FAILED, True
    assert order.give_up_if_unpaid([failed, waiting], NOW, "janitor", {}) is False
    assert order.status is OrderStatus.ORDERED
    waiting.status = PaymentStatus.EXPIRED
    assert order.give_up_if_unpaid([failed, waiting], NOW, "janitor", {"reason": "x"}) is True
    assert order.status is OrderStatus.FAILED
    assert order.pending_history[-1].data == {"reason": "x"}


def test_a_paid_order_is_never_given_up():
    order = Order(1, 7, OrderType.ONE_TIME, 1, 1, "후원", Amount(1_000), NOW)
    order.status = OrderStatus.PAID
    assert order.give_up_if_unpaid([], NOW, "janitor", {}) is False
    assert order.pending_history == []
