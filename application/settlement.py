"""Settlement: the one place that turns iamport's facts into transitions of our aggregates.

A use case never decides a status itself. It fetches what iamport says (a payment record, the
outcome of a charge or a cancel) and hands it here; this module checks every verification rule
of spec §4.1 and calls the aggregate methods, which move through the state machine table. What
an attempt's result means for its order (a monthly cycle into dunning, retried outside it when
the PG is at fault, recovered, ended) is the Order's to decide (`Order.attempt_*`); which entry
of iamport's cancel_history is which cancel of ours is domain/cancel_history.py's.

Everything here is idempotent: applying the same fact twice makes no second transition, so the
webhook, the client's complete call, the janitor and reconciliation can all race on one payment
(each under its row lock) and the history still shows one transition to PAID.

Nothing here does I/O. When a fact calls for a gateway call (a forged payment to cancel, a
lookup to confirm a rejection), the result says so and the caller makes the call after commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from application.channels import ChannelDirectory
from application.errors import VerificationFailed
from application.gateway import (
    Approved,
    ChargeOutcome,
    Declined,
    GatewayPayment,
    IamportStatus,
    NotAttempted,
    Pending,
    Rejected,
    Unknown,
)
from application.settings import PaymentSettings
from application.verification import Verifier
from domain.cancel_history import IamportCancels, book_cancels_of_unbooked_try, book_refunds
from domain.cancellation import Cancellation
from domain.order import Order
from domain.payment import Payment, VirtualAccount
from domain.status import OrderStatus, OrderType, PaymentStatus

ABANDONED_REASON = "결제창 이탈(미결제)"
VBANK_CLOSED_REASON = "가상계좌 발급 취소(미입금)"
DUPLICATE_REASON = "중복 결제 자동 환불"
# Who asks for the cancels Settlement calls for (a Cancellation's `requested_by`).
VERIFICATION = "system:verification"  # the cancel of a forged payment
DUPLICATE = "system:duplicate"  # the refund of a second paid attempt of a paid order
SYSTEM_CANCELS = (VERIFICATION, DUPLICATE)


@dataclass(frozen=True, slots=True)
class SettleResult:
    """What applying one fact did. `changed` is False when the fact was already reflected."""

    changed: bool
    payment_status: PaymentStatus
    order_status: OrderStatus
    # A paid payment we refused as forged: the caller cancels it at iamport at once (after
    # committing FAILED), with checksum = amount - cancel_amount.
    cancel_at_iamport: GatewayPayment | None = None
    # The outcome does not prove anything was (not) charged: a new attempt needs a lookup first.
    needs_lookup: bool = False
    # The verification rule that refused the record (amount, currency, channel, test_channel,
    # pay_method), or None when it passed.
    refused_rule: str | None = None
    # A second attempt of a one-time / one-click order already PAID turned out paid (a double
    # charge): the caller refunds it in full at iamport at once, after committing PAID, with
    # checksum = the payment's refundable balance. The order stays PAID.
    refund_duplicate: GatewayPayment | None = None
    # Something an operator has to look at (e.g. a second paid try under one merchant_uid). It is
    # also written on the payment (`Payment.attention`), so saving the payment keeps it.
    needs_operator: str | None = None
    # Cancellations of ours whose outcome this record settled; the caller saves them.
    cancellations: tuple[Cancellation, ...] = ()


@dataclass
class _Run:
    """Book-keeping of one application: did anything change, what must the caller do."""

    order: Order
    payment: Payment
    at: datetime
    before: tuple[PaymentStatus, OrderStatus, int, object]
    cancel_at_iamport: GatewayPayment | None = None
    refund_duplicate: GatewayPayment | None = None
    duplicate: bool = False  # the payment was approved just now while its order was PAID
    needs_lookup: bool = False
    refused_rule: str | None = None
    needs_operator: str | None = None
    cancellations: list[Cancellation] = field(default_factory=list)

    @classmethod
    def start(cls, order: Order, payment: Payment, at: datetime) -> "_Run":
        return cls(order, payment, at, _fingerprint(order, payment))

    def report(self, note: str) -> None:
        """The one way Settlement reports to operators: the note goes into the result and onto
        the payment (persisted with it, listed for operators until one acknowledges it)."""
        self.needs_operator = note
        self.payment.needs_attention(note, self.at)

    def result(self) -> SettleResult:
        return SettleResult(
            changed=_fingerprint(self.order, self.payment) != self.before
            or bool(self.cancellations),
            payment_status=self.payment.status,
            order_status=self.order.status,
            cancel_at_iamport=self.cancel_at_iamport,
            refund_duplicate=self.refund_duplicate,
            needs_lookup=self.needs_lookup,
            refused_rule=self.refused_rule,
            needs_operator=self.needs_operator,
            cancellations=tuple(self.cancellations),
        )


def _fingerprint(order: Order, payment: Payment) -> tuple[PaymentStatus, OrderStatus, int, object]:
    sub = order.subscription
    sub_state = (sub.cycle, sub.attempt, sub.cycle_paid, sub.next_charge_at) if sub else None
    unknown = (payment.unknown, payment.unpaid_proven, payment.imp_uid, payment.attention)
    return (payment.status, order.status, payment.cancelled_amount, (sub_state, unknown))


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
        run = _Run.start(order, payment, at)
        self._apply(run, record, at, cause, cancellations)
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
        run = _Run.start(order, payment, at)
        if payment.status is PaymentStatus.REQUESTED:
            match outcome:
                case Declined(reason=reason):
                    self._unpaid(run, reason, at, cause, {"outcome": "declined"})
                case NotAttempted(reason=reason):
                    # The PG never saw it: nothing is known of the card, so no dunning.
                    retry = pg_fault_retry
                    if retry is None:
                        retry = self._settings.next_check_after(0)
                    self._pg_fault(
                        run, f"not attempted: {reason}", at, cause, {"outcome": "n/a"}, retry
                    )
                case Rejected(message=message, code=code):
                    payment.fail(
                        message,
                        at,
                        cause,
                        unpaid_proven=False,
                        data={"outcome": "rejected", "code": code, "message": message},
                    )
                    run.needs_lookup = True
                    order.attempt_awaits_lookup(payment, at + self._settings.next_check_after(0))
                case Unknown():
                    # A charge's intent carries its unknown marker and first check from the
                    # start (billing.new_charge); the lost answer is not itself a check.
                    if payment.unknown is None:
                        payment.mark_unknown(at, at + self._settings.next_check_after(0), "charge")
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
        run = _Run.start(order, payment, at)
        unsettled = payment.status is PaymentStatus.REQUESTED or (
            payment.status is PaymentStatus.FAILED and not payment.unpaid_proven
        )
        if pg_fault_retry is not None and unsettled:
            self._pg_fault(run, reason, at, cause, {"outcome": "proven_unpaid"}, pg_fault_retry)
        elif payment.status is PaymentStatus.REQUESTED:
            self._unpaid(run, reason, at, cause, {"outcome": "proven_unpaid"})
        elif payment.status is PaymentStatus.FAILED and not payment.unpaid_proven:
            payment.prove_unpaid(at)
            self._after_unpaid(run, at, cause, {"outcome": "proven_unpaid"})
        return run.result()

    def apply_not_attempted(
        self, order: Order, payment: Payment, at: datetime, cause: str, reason: str
    ) -> SettleResult:
        """iamport holds no try at all under this charge's merchant_uid, long after the call's
        deadline, confirmed by a lookup on the backoff (ADR 0015): the call never reached it.
        Unlike a decline this says nothing of the sponsor's card: an active sponsorship's
        cycle moves on to its next attempt at once, outside dunning. Should the attempt ever
        turn up paid, the double-payment rule refunds it."""
        run = _Run.start(order, payment, at)
        if payment.status is PaymentStatus.REQUESTED:
            data = {"outcome": "not_attempted"}
            payment.fail(reason, at, cause, unpaid_proven=True, data=data)
            order.attempt_never_sent(payment, at, cause, data, self._settings.dunning)
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
        run = _Run.start(order, payment, at)
        if not cancellation.in_flight:
            return run.result()
        match outcome:
            case Approved(value=record):
                rows = [cancellation, *(c for c in cancellations if c.id != cancellation.id)]
                self._apply(run, record, at, cause, rows, confirmed=cancellation)
                if cancellation.in_flight:  # iamport said done, yet its record disagrees
                    cancellation.succeeded(at, cause, None, record.evidence())
                    run.cancellations.append(cancellation)
                    run.report(
                        f"cancel {cancellation.id} approved but iamport's cancel_amount "
                        f"{record.cancel_amount} does not show it"
                    )
            case Rejected(message=message) | Declined(reason=message):
                cancellation.rejected(at, cause, message, {"outcome": "rejected"})
                run.cancellations.append(cancellation)
                _system_cancel_refused(run, cancellation)
            case NotAttempted(reason=reason):
                cancellation.rejected(at, cause, f"not attempted: {reason}", {"outcome": "n/a"})
                run.cancellations.append(cancellation)
                _system_cancel_refused(run, cancellation)
            case Unknown() | Pending():
                cancellation.outcome_unknown(
                    at, at + self._settings.next_check_after(cancellation.checks), cause
                )
                run.cancellations.append(cancellation)
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
        run = _Run.start(order, payment, at)
        if not cancellation.in_flight:
            return run.result()
        rows = [cancellation, *(c for c in cancellations if c.id != cancellation.id)]
        self._apply(run, record, at, cause, rows)
        if cancellation.in_flight:
            cancellation.rejected(
                at,
                cause,
                "iamport's cancel_history does not show this cancel",
                {**record.evidence(), "outcome": "not_in_cancel_history"},
            )
            run.cancellations.append(cancellation)
            _system_cancel_refused(run, cancellation)
        return run.result()

    # -- internals -------------------------------------------------------------------------------
    def _apply(
        self,
        run: _Run,
        record: GatewayPayment,
        at: datetime,
        cause: str,
        cancellations: Sequence[Cancellation],
        confirmed: Cancellation | None = None,
    ) -> None:
        payment = run.payment
        data = record.evidence()

        # Another try under the same merchant_uid, after ours settled on a different imp_uid.
        settled = payment.is_paid or payment.status is PaymentStatus.CANCELLED
        if settled and payment.imp_uid and record.imp_uid != payment.imp_uid:
            if record.status in (IamportStatus.PAID, IamportStatus.CANCELLED):
                run.report(
                    f"second paid try {record.imp_uid} under merchant_uid "
                    f"{payment.merchant_uid} (ours settled on {payment.imp_uid})"
                )
            return

        if record.status is IamportStatus.FAILED:
            if payment.status is PaymentStatus.REQUESTED:
                reason = record.fail_reason or "결제 실패"
                self._unpaid(run, reason, at, cause, data, imp_uid=record.imp_uid)
            return

        vbank = payment.pay_method == "vbank"
        if record.status is IamportStatus.READY and not vbank:
            # The PG window was opened and left: nothing was charged (spec §4.1).
            if payment.status is PaymentStatus.REQUESTED:
                self._unpaid(run, ABANDONED_REASON, at, cause, data, imp_uid=record.imp_uid)
            return

        refusal = self._verifier.refusal(record, payment)
        if refusal is not None:
            rule, message, forged = refusal.rule, refusal.message, refusal.forged
            run.refused_rule = rule
            evidence = {**data, "rule": rule, "expected_amount": payment.amount.total}
            if payment.status is PaymentStatus.REQUESTED:
                payment.fail(
                    message, at, cause, unpaid_proven=False, imp_uid=record.imp_uid, data=evidence
                )
            run.cancellations.extend(
                book_cancels_of_unbooked_try(cancellations, _cancels(record), confirmed, at, cause)
            )
            if (
                payment.status is PaymentStatus.FAILED
                and not payment.unpaid_proven
                and _given_back(record)
            ):
                payment.prove_unpaid(at)  # the refused try is cancelled in full: a retry may go
            if forged and record.status is IamportStatus.PAID:
                if payment.status is PaymentStatus.FAILED:
                    run.cancel_at_iamport = record
                else:
                    run.report(f"forged try {record.imp_uid} on a settled payment")
            elif payment.status is PaymentStatus.FAILED and not payment.unpaid_proven:
                run.report(f"refused try {record.imp_uid}: {message}")
            return

        if record.status is IamportStatus.READY:  # vbank issued
            if payment.status is PaymentStatus.REQUESTED:
                payment.issue_vbank(
                    self._verifier.facts(record),
                    VirtualAccount(
                        bank_code=record.vbank_code,
                        bank_name=record.vbank_name,
                        number=record.vbank_num,
                        holder=record.vbank_holder,
                        due_at=record.vbank_date,
                    ),
                    at,
                    cause,
                    data,
                )
            return

        was_paid = record.paid_at is not None or record.cancel_amount > 0
        if record.status is IamportStatus.CANCELLED and not was_paid:
            # A vbank closed (or a window cancelled) before any money moved.
            if payment.status is PaymentStatus.READY:
                payment.close_vbank(at, cause, data)
            elif payment.status is PaymentStatus.REQUESTED:
                self._unpaid(run, VBANK_CLOSED_REASON, at, cause, data, imp_uid=record.imp_uid)
            return

        # paid (possibly partly or fully cancelled since)
        if not payment.is_paid and payment.status is not PaymentStatus.CANCELLED:
            paid_at = record.paid_at or at
            run.duplicate = (
                run.order.status is OrderStatus.PAID and run.order.type is not OrderType.MONTHLY
            ) or run.order.cycle_paid_by_another(payment)
            payment.approve(self._verifier.facts(record), paid_at, cause, data)
            note = run.order.attempt_paid(payment, paid_at, cause, data, duplicate=run.duplicate)
            if note is not None:
                run.report(note)
        self._refunds(run, record, at, cause, cancellations, confirmed)
        if run.duplicate and payment.is_paid:
            # Another attempt already paid this order: the sponsor is charged once (spec §4.1).
            run.refund_duplicate = record
            if run.order.type is OrderType.MONTHLY:
                run.report(
                    f"cycle {payment.cycle} paid twice: attempt {payment.attempt} "
                    f"({record.imp_uid}) is refunded in full"
                )

    def _unpaid(
        self,
        run: _Run,
        reason: str,
        at: datetime,
        cause: str,
        data: dict[str, Any],
        imp_uid: str | None = None,
    ) -> None:
        run.payment.fail(reason, at, cause, unpaid_proven=True, imp_uid=imp_uid, data=data)
        self._after_unpaid(run, at, cause, data)

    def _pg_fault(
        self,
        run: _Run,
        reason: str,
        at: datetime,
        cause: str,
        data: dict[str, Any],
        retry: timedelta,
    ) -> None:
        """The attempt charged nothing and the PG, not the card, is why: the payment ends known
        unpaid; an active cycle is due again after `retry`, outside dunning. Zero: the next
        channel is tried now (the order stays as it is; should the process die before that
        attempt is recorded, the billing job makes it). A new sponsorship's first charge with
        no channel left to try gives up, as a decline does: the sponsor is told now."""
        payment = run.payment
        if payment.status is PaymentStatus.REQUESTED:
            payment.fail(reason, at, cause, unpaid_proven=True, data={**data, "pg_fault": True})
        elif not payment.unpaid_proven:
            payment.prove_unpaid(at)
        run.order.attempt_failed_by_pg(payment, at, cause, data, retry)

    def _after_unpaid(self, run: _Run, at: datetime, cause: str, data: dict[str, Any]) -> None:
        run.order.attempt_unpaid(run.payment, at, cause, data, self._settings.dunning)

    def _refunds(
        self,
        run: _Run,
        record: GatewayPayment,
        at: datetime,
        cause: str,
        cancellations: Sequence[Cancellation],
        confirmed: Cancellation | None,
    ) -> None:
        """Bring our refunded amount up to iamport's cancel_amount (domain/cancel_history.py);
        a payment refunded in full refunds its order, unless it was a double charge."""
        payment, order = run.payment, run.order
        booked = book_refunds(payment, cancellations, _cancels(record), confirmed, at, cause)
        run.cancellations.extend(booked.settled)
        if (
            booked.grew
            and payment.status is PaymentStatus.CANCELLED
            and order.status is OrderStatus.PAID
            and not _duplicate(run, cancellations)
        ):
            order.refunded(at, cause, {"cancel_amount": record.cancel_amount})


def _cancels(record: GatewayPayment) -> IamportCancels:
    return IamportCancels(
        record.cancel_amount, record.cancel_history, record.cancel_reason, record.evidence()
    )


def _duplicate(run: _Run, cancellations: Sequence[Cancellation]) -> bool:
    """A second paid attempt of a paid order: its refund leaves the order paid by the other."""
    return run.duplicate or any(c.requested_by == DUPLICATE for c in cancellations)


def _system_cancel_refused(run: _Run, cancellation: Cancellation) -> None:
    """A cancel we sent on our own (forgery, double charge) did not happen: money we must give
    back is still with us, and nobody will ask again unless an operator does."""
    if cancellation.requested_by in SYSTEM_CANCELS:
        run.report(
            f"automatic cancel {cancellation.id} ({cancellation.reason}, {cancellation.amount} "
            f"KRW) not carried out: {cancellation.failure_message}"
        )


def _given_back(record: GatewayPayment) -> bool:
    """iamport cancelled all of this try: it holds nothing of the sponsor's money."""
    return record.status is IamportStatus.CANCELLED and record.cancel_amount >= record.amount
