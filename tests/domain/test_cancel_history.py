"""Booking iamport's cancel_history: which entry is which cancel of ours, and the console's."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.cancel_history import CONSOLE_CANCEL_REASON, book_refunds
from domain.cancellation import Cancellation
from domain.facts import Refunded
from domain.money import Amount
from domain.payment import Payment, SettledFacts
from domain.status import OrderType

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    amount: int
    cancelled_at: datetime | None
    cancellation_id: str | None


def paid_payment(total: int = 10_000) -> Payment:
    payment = Payment(1, 1, 7, OrderType.ONE_TIME, "o1a1", Amount(total), "nice", "후원", NOW)
    payment.approve(SettledFacts("imp_1"), NOW, "test")
    return payment


def refund(cancel_id: int, amount: int) -> Cancellation:
    return Cancellation(
        cancel_id, 1, amount, 0, 0, 10_000, "환불", "user:7", NOW + timedelta(seconds=cancel_id)
    )


def test_refunds_of_one_amount_each_take_their_own_history_entry():
    payment = paid_payment()
    ours = [refund(1, 1_000), refund(2, 1_000)]
    history = [Entry(1_000, NOW + timedelta(minutes=1), "c1"), Entry(1_000, NOW, "c2")]
    booked = book_refunds(payment, ours, Refunded(2_000, history), None, NOW, "test")
    assert sorted(c.cancellation_id for c in booked.settled) == ["c1", "c2"]


def test_what_iamport_cancelled_beyond_our_refunds_is_booked_as_a_console_cancel():
    payment = paid_payment()
    ours = [refund(1, 1_000)]
    history = [Entry(1_000, NOW, "c1"), Entry(3_000, NOW, "c2")]
    book_refunds(payment, ours, Refunded(4_000, history), None, NOW, "test")
    assert (payment.cancelled_amount, payment.cancel_reason) == (4_000, CONSOLE_CANCEL_REASON)


def test_a_refund_iamport_does_not_show_yet_is_left_to_its_resolver():
    payment = paid_payment()
    ours = [refund(1, 1_000)]
    booked = book_refunds(payment, ours, Refunded(0, []), None, NOW, "test")
    assert (booked.settled, booked.grew, ours[0].in_flight) == ([], False, True)
