"""Which entry of iamport's cancel_history is which cancellation of ours.

iamport lists every cancel of a payment (ours, and any made in its console) with its own
`cancellation_id`. One of our cancels is the entry with its id once we know it, before that the
first unclaimed entry of its amount made no earlier than our request. An entry booked as one of
our settled cancels is claimed: a later cancel of the same amount never takes its id too.
What iamport cancelled beyond our own cancels was cancelled in its console, and is booked so.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.cancellation import Cancellation, CancellationKind, manually_refunded
from domain.facts import CancelEntry, Refunded
from domain.payment import Payment
from domain.refund_policy import RefundPolicy

# iamport's cancelled_at and our clock may disagree a little.
CLOCK_SKEW = timedelta(minutes=5)
CONSOLE_CANCEL_REASON = "iamport 콘솔 취소"


def in_flight(cancellations: Sequence[Cancellation]) -> list[Cancellation]:
    """Our cancels sent to iamport whose outcome is not settled, oldest first."""
    mine = [c for c in cancellations if c.kind is CancellationKind.GATEWAY and c.in_flight]
    return sorted(mine, key=lambda c: c.requested_at)


def claimed(cancellations: Sequence[Cancellation], history: Sequence[CancelEntry]) -> set[int]:
    """Indexes of the entries already booked as one of our settled cancellations."""
    taken = {c.cancellation_id for c in cancellations if not c.in_flight and c.cancellation_id}
    return {i for i, entry in enumerate(history) if entry.cancellation_id in taken}


def matching_entry(
    cancellation: Cancellation, history: Sequence[CancelEntry], taken: set[int]
) -> CancelEntry | None:
    """The unclaimed entry that is `cancellation`, which it then claims (added to `taken`)."""
    for i, entry in enumerate(history):
        if i in taken:
            continue
        same_id = (
            cancellation.cancellation_id is not None
            and entry.cancellation_id == cancellation.cancellation_id
        )
        same_amount = entry.amount == cancellation.amount and (
            entry.cancelled_at is None
            or entry.cancelled_at >= cancellation.requested_at - CLOCK_SKEW
        )
        if same_id or (cancellation.cancellation_id is None and same_amount):
            taken.add(i)
            return entry
    return None


@dataclass(frozen=True, slots=True)
class Booked:
    settled: list[Cancellation]  # cancels of ours whose outcome iamport's record settled
    grew: bool  # iamport's cancel_amount was above what we had booked


def book_cancels_of_unbooked_try(
    cancellations: Sequence[Cancellation],
    cancels: Refunded,
    confirmed: Cancellation | None,
    at: datetime,
    cause: str,
) -> list[Cancellation]:
    """Our cancels of a try we never booked as paid (a forgery): each succeeded when iamport's
    cancel_history shows it (or iamport just `confirmed` it); nothing is booked as refunded,
    because nothing was booked paid."""
    taken = claimed(cancellations, cancels.history)
    settled = []
    for c in in_flight(cancellations):
        entry = matching_entry(c, cancels.history, taken)
        if entry is not None or c is confirmed:
            cid = entry.cancellation_id if entry else None
            c.succeeded(at, cause, cid, {"cancel_amount": cancels.cancel_amount})
            settled.append(c)
    return settled


def book_refunds(
    payment: Payment,
    cancellations: Sequence[Cancellation],
    cancels: Refunded,
    confirmed: Cancellation | None,
    at: datetime,
    cause: str,
) -> Booked:
    """Bring `payment`'s refunded amount up to iamport's cancel_amount.

    Manual bank refunds are ours alone (iamport never sees them); in-flight cancels of ours are
    matched against iamport's cancel_history (the one iamport just `confirmed` first); whatever
    growth is left was cancelled in iamport's console and is booked as such.
    """
    grown = cancels.cancel_amount - (payment.cancelled_amount - manually_refunded(cancellations))
    if grown <= 0 or not payment.is_paid:
        return Booked([], grew=False)
    taken = claimed(cancellations, cancels.history)
    settled = []
    # The cancel iamport just confirmed claims its history entry first, so that another
    # in-flight cancel of the same amount cannot take that entry and be booked with it.
    for c in sorted(in_flight(cancellations), key=lambda c: c is not confirmed):
        entry = matching_entry(c, cancels.history, taken)
        if c is not confirmed and (entry is None or c.amount > grown):
            continue  # not (yet) at iamport: its own resolver decides
        amount = min(c.amount, payment.refundable)
        cid = entry.cancellation_id if entry else None
        c.succeeded(at, cause, cid, {"cancel_amount": cancels.cancel_amount})
        settled.append(c)
        tax_free = min(c.tax_free, payment.refundable_tax_free, amount)
        payment.record_refund(amount, tax_free, at, cause, c.reason)
        grown -= amount
        if not payment.is_paid:
            break
    if grown > 0 and payment.is_paid:
        grown = min(grown, payment.refundable)
        payment.record_refund(
            grown,
            RefundPolicy.tax_free_part(payment, grown),
            at,
            cause,
            cancels.reason or CONSOLE_CANCEL_REASON,
            {**cancels.evidence, "source": "console"},
        )
    return Booked(settled, grew=True)
