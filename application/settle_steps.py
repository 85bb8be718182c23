"""What a fact about an attempt means beyond the payment's own move (Payment.apply): the
order's consequence (Order.attempt_*), iamport's cancels booked against ours
(domain/cancel_history.py), and what the caller must do after commit (cancel a forged try,
refund a double charge, tell an operator)."""

from collections.abc import Sequence

from application.gateway import GatewayPayment
from application.settings import PaymentSettings
from application.settle_result import DUPLICATE, Run
from domain import facts as f
from domain.cancel_history import book_cancels_of_unbooked_try, book_refunds
from domain.cancellation import Cancellation
from domain.status import OrderType, PaymentStatus


def apply_fact(run: Run, fact: f.Fact, cause: str, settings: PaymentSettings) -> None:
    """Apply `fact` to the payment, then tell the order what the attempt's result means."""
    order, payment, at = run.order, run.payment, run.at
    applied = run.took(payment.apply(fact, at, cause))
    if not applied.changed:
        return
    data = dict(getattr(fact, "evidence", {}))
    match fact:
        case f.FailedByPg(retry=retry):
            order.attempt_failed_by_pg(payment, at, cause, data, retry)
        case f.NeverSent():
            order.attempt_never_sent(payment, at, cause, data, settings.dunning)
        case f.Rejected():
            run.needs_lookup = True
            order.attempt_awaits_lookup(payment, at + settings.next_check_after(0))
        case f.VbankClosed() if payment.status is not PaymentStatus.FAILED:
            pass  # an issued vbank closed: the order may be paid another way
        case f.Failed() | f.Abandoned() | f.VbankClosed() | f.ProvenUnpaid():
            order.attempt_unpaid(payment, at, cause, data, settings.dunning)


def refused(
    run: Run,
    fact: f.RefusedByRule,
    record: GatewayPayment,
    cause: str,
    cancellations: Sequence[Cancellation],
    confirmed: Cancellation | None,
) -> None:
    payment = run.payment
    run.refused_rule = fact.rule
    run.took(payment.apply(fact, run.at, cause))
    run.settled(
        book_cancels_of_unbooked_try(cancellations, fact.refunded, confirmed, run.at, cause)
    )
    if fact.forged and fact.paid:
        if payment.status is PaymentStatus.FAILED:
            run.cancel_at_iamport = record
        else:
            run.report(f"forged try {fact.imp_uid} on a settled payment")
    elif payment.status is PaymentStatus.FAILED and not payment.unpaid_proven:
        run.report(f"refused try {fact.imp_uid}: {fact.message}")


def paid(
    run: Run,
    fact: f.Paid,
    record: GatewayPayment,
    cause: str,
    cancellations: Sequence[Cancellation],
    confirmed: Cancellation | None,
) -> None:
    """Paid, possibly partly or fully refunded since; a second paid attempt of a paid order
    is a double charge, refunded in full (spec §4.1)."""
    order, payment = run.order, run.payment
    paid_by_another = order.paid_by_another(payment)
    if run.took(payment.apply(fact, run.at, cause)).changed:
        run.duplicate = paid_by_another  # approved just now, while another attempt paid it
        paid_at = payment.paid_at or run.at
        data = dict(fact.evidence)
        note = order.attempt_paid(payment, paid_at, cause, data, duplicate=run.duplicate)
        if note is not None:
            run.report(note)
    _refunds(run, fact.refunded, cause, cancellations, confirmed)
    if run.duplicate and payment.is_paid:
        run.refund_duplicate = record
        if order.type is OrderType.MONTHLY:
            run.report(
                f"cycle {payment.cycle} paid twice: attempt {payment.attempt} "
                f"({fact.facts.imp_uid}) is refunded in full"
            )


def _refunds(
    run: Run,
    refunded: f.Refunded,
    cause: str,
    cancellations: Sequence[Cancellation],
    confirmed: Cancellation | None,
) -> None:
    """Bring our refunded amount up to iamport's cancel_amount (domain/cancel_history.py) and
    tell the order (a double charge's refund leaves it paid by the other attempt)."""
    payment, order, at = run.payment, run.order, run.at
    booked = book_refunds(payment, cancellations, refunded, confirmed, at, cause)
    run.settled(booked.settled)
    run.changed |= booked.grew
    if booked.grew:
        duplicate = run.duplicate or any(c.requested_by == DUPLICATE for c in cancellations)
        data = {"cancel_amount": refunded.cancel_amount}
        order.attempt_refunded(payment, at, cause, data, duplicate=duplicate)
