"""What a gateway answer means for our payment: iamport's record of a try, or a charge's
outcome, translated into a domain fact (domain/facts.py). Pure: no I/O, no state changed.

A record is read in this order: another try than the one our settled payment holds; failed;
a window left (ready, not a vbank); a try that breaks a verification rule (Verifier); a vbank
issued; a vbank closed before any money moved; else paid (and maybe refunded since).
"""

from datetime import datetime, timedelta

from application.gateway import (
    ChargeOutcome,
    Declined,
    GatewayPayment,
    IamportStatus,
    NotAttempted,
    Rejected,
    Unknown,
)
from application.verification import Verifier
from domain import facts as f
from domain.payment import Payment
from domain.status import PaymentStatus


def fact_of_record(record: GatewayPayment, payment: Payment, verifier: Verifier) -> f.Fact:
    """The fact iamport's record of a try under `payment`'s merchant_uid states."""
    evidence = record.evidence()
    settled = payment.is_paid or payment.status is PaymentStatus.CANCELLED
    if settled and payment.imp_uid and record.imp_uid != payment.imp_uid:
        money_moved = record.status in (IamportStatus.PAID, IamportStatus.CANCELLED)
        return f.OtherTry(record.imp_uid, paid=money_moved)
    if record.status is IamportStatus.FAILED:
        return f.Failed(record.fail_reason or f.FAILED_REASON, record.imp_uid, evidence)
    vbank = payment.pay_method == "vbank"
    if record.status is IamportStatus.READY and not vbank:
        return f.Abandoned(record.imp_uid, evidence)
    refusal = verifier.refusal(record, payment)
    if refusal is not None:
        return f.RefusedByRule(
            refusal.rule,
            refusal.message,
            record.imp_uid,
            forged=refusal.forged,
            paid=record.status is IamportStatus.PAID,
            given_back=_given_back(record),
            refunded=refunded_of(record),
            evidence={**evidence, "rule": refusal.rule, "expected_amount": payment.amount.total},
        )
    if record.status is IamportStatus.READY:
        return f.VbankIssued(verifier.facts(record), _account(record), evidence)
    was_paid = record.paid_at is not None or record.cancel_amount > 0
    if record.status is IamportStatus.CANCELLED and not was_paid:
        return f.VbankClosed(record.imp_uid, evidence)
    return f.Paid(verifier.facts(record), record.paid_at, refunded_of(record), evidence)


def fact_of_charge(
    outcome: ChargeOutcome, at: datetime, first_check: timedelta, pg_fault_retry: timedelta | None
) -> f.Fact | None:
    """The fact a billing-key charge's outcome without a record states (None: nothing is
    known). `pg_fault_retry`: when the PG never saw the charge, the cycle's next try (default:
    `first_check`)."""
    match outcome:
        case Declined(reason=reason):
            return f.Failed(reason, evidence={"outcome": "declined"})
        case NotAttempted(reason=reason):
            # The PG never saw it: nothing is known of the card, so no dunning.
            retry = first_check if pg_fault_retry is None else pg_fault_retry
            return f.FailedByPg(f"not attempted: {reason}", retry, {"outcome": "n/a"})
        case Rejected(message=message, code=code):
            return f.Rejected(message, {"outcome": "rejected", "code": code, "message": message})
        case Unknown():
            return f.AnswerLost(at + first_check)
    return None


def refunded_of(record: GatewayPayment) -> f.Refunded:
    return f.Refunded(
        record.cancel_amount, record.cancel_history, record.cancel_reason, record.evidence()
    )


def _account(record: GatewayPayment) -> f.VirtualAccount:
    return f.VirtualAccount(
        bank_code=record.vbank_code,
        bank_name=record.vbank_name,
        number=record.vbank_num,
        holder=record.vbank_holder,
        due_at=record.vbank_date,
    )


def _given_back(record: GatewayPayment) -> bool:
    """iamport cancelled all of this try: it holds nothing of the sponsor's money."""
    return record.status is IamportStatus.CANCELLED and record.cancel_amount >= record.amount
