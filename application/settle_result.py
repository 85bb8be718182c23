"""What applying one of iamport's facts did, and what the caller must do after commit."""

from dataclasses import dataclass, field
from datetime import datetime

from application.gateway import GatewayPayment
from domain.cancellation import Cancellation
from domain.facts import Applied
from domain.order import Order
from domain.payment import Payment
from domain.status import OrderStatus, PaymentStatus

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
class Run:
    """Book-keeping of one application: did anything change, what must the caller do."""

    order: Order
    payment: Payment
    at: datetime
    changed: bool = False
    cancel_at_iamport: GatewayPayment | None = None
    refund_duplicate: GatewayPayment | None = None
    duplicate: bool = False  # the payment was approved just now while its order was PAID
    needs_lookup: bool = False
    refused_rule: str | None = None
    needs_operator: str | None = None
    cancellations: list[Cancellation] = field(default_factory=list)

    def took(self, applied: Applied) -> Applied:
        self.changed |= applied.changed
        return applied

    def settled(self, cancellations: list[Cancellation]) -> None:
        self.cancellations.extend(cancellations)

    def report(self, note: str) -> None:
        """The one way Settlement reports to operators: the note goes into the result and onto
        the payment (persisted with it, listed for operators until one acknowledges it)."""
        self.needs_operator = note
        self.changed |= self.payment.needs_attention(note, self.at)

    def system_cancel_refused(self, cancellation: Cancellation) -> None:
        """A cancel we sent on our own (forgery, double charge) did not happen: money we must
        give back is still with us, and nobody will ask again unless an operator does."""
        if cancellation.requested_by in SYSTEM_CANCELS:
            self.report(
                f"automatic cancel {cancellation.id} ({cancellation.reason}, "
                f"{cancellation.amount} KRW) not carried out: {cancellation.failure_message}"
            )

    def result(self) -> SettleResult:
        return SettleResult(
            changed=self.changed or bool(self.cancellations),
            payment_status=self.payment.status,
            order_status=self.order.status,
            cancel_at_iamport=self.cancel_at_iamport,
            refund_duplicate=self.refund_duplicate,
            needs_lookup=self.needs_lookup,
            refused_rule=self.refused_rule,
            needs_operator=self.needs_operator,
            cancellations=tuple(self.cancellations),
        )
