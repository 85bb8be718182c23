"""Settlement: iamport's answers applied to our aggregates, every rule of spec §4.1 checked.

A use case never decides a status itself. It fetches what iamport says (a payment record, the
outcome of a charge or a cancel) and hands it here. Settlement checks the record is of this
payment, has it translated into a domain fact (application/gateway_facts.py, which asks the
Verifier), and applies the fact: the payment moves by `Payment.apply` through the facts table
(domain/state_machine.py), the order decides what the attempt's result means for it
(`Order.attempt_*`), and iamport's cancel_history is booked against our cancels
(domain/cancel_history.py); application/settle_steps.py holds those steps.

Everything here is idempotent: applying the same fact twice makes no second transition, so the
webhook, the client's complete call, the janitor and reconciliation can all race on one payment
(each under its row lock) and the history still shows one transition to PAID.

Nothing here does I/O. When a fact calls for a gateway call (a forged payment to cancel, a
lookup to confirm a rejection), the result says so and the caller makes the call after commit.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from application.channels import ChannelDirectory
from application.errors import VerificationFailed
from application.gateway import (
    Approved,
    ChargeOutcome,
    Declined,
    GatewayPayment,
    NotAttempted,
    Pending,
    Rejected,
    Unknown,
)
from application.gateway_facts import fact_of_charge, fact_of_record
from application.settings import PaymentSettings
from application.settle_result import (
    DUPLICATE,
    SYSTEM_CANCELS,
    VERIFICATION,
    Run,
    SettleResult,
)
from application.settle_steps import apply_fact, paid, refused
from application.verification import Verifier
from domain import facts as f
from domain.cancellation import Cancellation
from domain.order import Order
from domain.payment import Payment
from domain.status import PaymentStatus

DUPLICATE_REASON = "중복 결제 자동 환불"
__all__ = ["DUPLICATE", "DUPLICATE_REASON", "SYSTEM_CANCELS", "VERIFICATION", "Settlement"]
__all__ += ["SettleResult"]


class Settlement:
    def __init__(self, settings: PaymentSettings, channels: ChannelDirectory) -> None:
        self._settings = settings
        self._verifier = Verifier(settings, channels)

    def first_check_at(self, at: datetime) -> datetime:
        """The first check time of a gateway call recorded at `at` (its intent carries it from
        the start, so a crash before the answer is recorded leaves a row the janitor finds);
        the first backoff step is longer than the gateway's timeouts."""
        return at + self._settings.next_check_after(0)

    # -- a payment record fetched from iamport ------------------------------------------------
    def apply_record(
        self,
        order: Order,
        payment: Payment,
        record: GatewayPayment,
        at: datetime,
        cause: str,
        cancellations: Sequence[Cancellation] = (),
    ) -> SettleResult:
        """Apply iamport's record of one try under this payment's merchant_uid.

        `cancellations` are the payment's cancellation rows (locked): in-flight ones of ours are
        matched against iamport's cancel_history, so our refund and a console cancel are told
        apart and never counted twice. Raises VerificationFailed (touching nothing) when the
        record belongs to another merchant_uid.
        """
        if record.merchant_uid != payment.merchant_uid:
            raise VerificationFailed(
                f"iamport payment {record.imp_uid} is for merchant_uid {record.merchant_uid!r}, "
                f"not {payment.merchant_uid!r}",
                field="merchant_uid",
            )
        if payment.order_id != order.id:
            raise ValueError(f"payment {payment.id} is not of order {order.id}")
        run = Run(order, payment, at)
        self._apply(run, record, cause, cancellations)
        return run.result()

    # -- the outcome of a billing-key charge (/subscribe/payments/again) ----------------------
    def apply_charge(
        self,
        order: Order,
        payment: Payment,
        outcome: ChargeOutcome,
        at: datetime,
        cause: str,
        *,
        pg_fault_retry: timedelta | None = None,
    ) -> SettleResult:
        """Apply the answer to `again`. `pg_fault_retry`: should this attempt be known not to
        have charged without the card declining (not attempted, or rejected and proven unpaid),
        the PG is at fault — no dunning; the cycle is tried again after it (zero: the card's
        key at another channel is tried at once, spec §4.9)."""
        match outcome:
            case Approved(value=record) | Pending(payment=record):
                return self.apply_record(order, payment, record, at, cause)
            case Declined(payment=GatewayPayment() as record):
                return self.apply_record(order, payment, record, at, cause)
        run = Run(order, payment, at)
        first_check = self._settings.next_check_after(0)
        fact = fact_of_charge(outcome, at, first_check, pg_fault_retry)
        # the answer is about the attempt it was sent for, while that still waits for it
        if fact is not None and payment.status is PaymentStatus.REQUESTED:
            apply_fact(run, fact, cause, self._settings)
        return run.result()

    # -- proof that nothing was charged ---------------------------------------------------------
    def apply_unpaid_proof(
        self,
        order: Order,
        payment: Payment,
        at: datetime,
        cause: str,
        reason: str,
        *,
        pg_fault_retry: timedelta | None = None,
    ) -> SettleResult:
        """A lookup proved no try under this merchant_uid was charged (e.g. `find/{uid}/paid`
        said not found after a rejection). Only the caller knows the lookup was conclusive.
        `pg_fault_retry`: the caller knows the PG at fault (see apply_charge)."""
        run = Run(order, payment, at)
        evidence = {"outcome": "proven_unpaid"}
        fact: f.Fact = f.ProvenUnpaid(reason, evidence)
        if pg_fault_retry is not None:
            fact = f.FailedByPg(reason, pg_fault_retry, evidence)
        apply_fact(run, fact, cause, self._settings)
        return run.result()

    def apply_not_attempted(
        self, order: Order, payment: Payment, at: datetime, cause: str, reason: str
    ) -> SettleResult:
        """iamport holds no try at all under this charge's merchant_uid, long after the call's
        deadline, confirmed by a lookup on the backoff (ADR 0015): the call never reached it.
        Unlike a decline this says nothing of the sponsor's card: an active sponsorship's
        cycle moves on to its next attempt at once, outside dunning. Should the attempt ever
        turn up paid, the double-payment rule refunds it."""
        run = Run(order, payment, at)
        fact = f.NeverSent(reason, {"outcome": "not_attempted"})
        apply_fact(run, fact, cause, self._settings)
        return run.result()

    # -- the outcome of one of our cancels ------------------------------------------------------
    def apply_cancel(
        self,
        order: Order,
        payment: Payment,
        cancellation: Cancellation,
        outcome: ChargeOutcome,
        at: datetime,
        cause: str,
        cancellations: Sequence[Cancellation] = (),
    ) -> SettleResult:
        """Apply the answer to POST /payments/cancel for `cancellation` (ours, in flight).
        `cancellations` are the payment's other cancellation rows (manual refunds, others in
        flight), so that what else iamport's cancel_amount holds is told apart."""
        run = Run(order, payment, at)
        if not cancellation.in_flight:
            return run.result()
        match outcome:
            case Approved(value=record):
                rows = [cancellation, *(c for c in cancellations if c.id != cancellation.id)]
                self._apply(run, record, cause, rows, confirmed=cancellation)
                if cancellation.in_flight:  # iamport said done, yet its record disagrees
                    cancellation.succeeded(at, cause, None, record.evidence())
                    run.settled([cancellation])
                    run.report(
                        f"cancel {cancellation.id} approved but iamport's cancel_amount "
                        f"{record.cancel_amount} does not show it"
                    )
            case Rejected(message=message) | Declined(reason=message):
                cancellation.rejected(at, cause, message, {"outcome": "rejected"})
                run.settled([cancellation])
                run.system_cancel_refused(cancellation)
            case NotAttempted(reason=reason):
                cancellation.rejected(at, cause, f"not attempted: {reason}", {"outcome": "n/a"})
                run.settled([cancellation])
                run.system_cancel_refused(cancellation)
            case Unknown() | Pending():
                cancellation.outcome_unknown(
                    at, at + self._settings.next_check_after(cancellation.checks), cause
                )
                run.settled([cancellation])
        return run.result()

    def resolve_cancellation(
        self,
        order: Order,
        payment: Payment,
        cancellation: Cancellation,
        record: GatewayPayment,
        at: datetime,
        cause: str,
        cancellations: Sequence[Cancellation] = (),
    ) -> SettleResult:
        """Decide an in-flight cancel of ours from iamport's record of the payment: it happened
        when iamport's cancel_history shows it, otherwise it did not (iamport cancels
        synchronously: an entry that is not there was never made)."""
        run = Run(order, payment, at)
        if not cancellation.in_flight:
            return run.result()
        rows = [cancellation, *(c for c in cancellations if c.id != cancellation.id)]
        self._apply(run, record, cause, rows)
        if cancellation.in_flight:
            cancellation.rejected(
                at,
                cause,
                "iamport's cancel_history does not show this cancel",
                {**record.evidence(), "outcome": "not_in_cancel_history"},
            )
            run.settled([cancellation])
            run.system_cancel_refused(cancellation)
        return run.result()

    # -- internals -------------------------------------------------------------------------------
    def _apply(
        self,
        run: Run,
        record: GatewayPayment,
        cause: str,
        cancellations: Sequence[Cancellation],
        confirmed: Cancellation | None = None,
    ) -> None:
        fact = fact_of_record(record, run.payment, self._verifier)
        match fact:
            case f.OtherTry(paid=True):
                run.report(
                    f"second paid try {fact.imp_uid} under merchant_uid "
                    f"{run.payment.merchant_uid} (ours settled on {run.payment.imp_uid})"
                )
            case f.RefusedByRule():
                refused(run, fact, record, cause, cancellations, confirmed)
            case f.Paid():
                paid(run, fact, record, cause, cancellations, confirmed)
            case f.OtherTry():
                pass
            case _:
                apply_fact(run, fact, cause, self._settings)
