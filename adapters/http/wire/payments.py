"""Payments and refunds on the wire: views built from entities, and inbound bodies."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from adapters.http.wire.common import ImpUid, MerchantUid, Reason, TaxFree, Won
from application.use_cases.actor import Actor
from application.use_cases.complete_payment import CompletePaymentResult
from application.use_cases.refund import (
    RecordManualRefundCommand,
    RefundResult,
    RequestRefundCommand,
)
from domain.cancellation import Cancellation, RefundAccount
from domain.payment import Payment, VirtualAccount

BankCode = Annotated[str, Meta(pattern=r"^[0-9A-Za-z]{2,4}$", examples=["004"])]
AccountNumber = Annotated[str, Meta(pattern=r"^[0-9\-]{6,30}$", description="refund account")]
Holder = Annotated[str, Meta(min_length=1, max_length=50, examples=["홍길동"])]
Tel = Annotated[str, Meta(pattern=r"^[0-9+\-() ]{7,20}$")]


class CompletePaymentRequest(msgspec.Struct, forbid_unknown_fields=True):
    imp_uid: ImpUid
    merchant_uid: MerchantUid


class RefundAccountIn(msgspec.Struct, forbid_unknown_fields=True):
    """vbank refunds: where the PG sends the money (only the masked number is kept)."""

    holder: Holder
    bank_code: BankCode
    number: AccountNumber
    tel: Tel | None = None

    def account(self) -> RefundAccount:
        return RefundAccount(self.holder, self.bank_code, self.number, self.tel)

    def __repr__(self) -> str:
        return "RefundAccountIn(<hidden>)"


def _account(body: RefundAccountIn | None) -> RefundAccount | None:
    return body.account() if body else None


class RefundRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    amount: Won | None = None  # None: the whole refundable balance
    refund_account: RefundAccountIn | None = None

    def command(self, actor: Actor, payment_id: int) -> RequestRefundCommand:
        """The sponsor's route and the operator's route ask for the same refund."""
        return RequestRefundCommand(
            actor=actor,
            payment_id=payment_id,
            reason=self.reason,
            amount=self.amount,
            refund_account=_account(self.refund_account),
        )


class ManualRefundRequest(msgspec.Struct, forbid_unknown_fields=True):
    amount: Won
    reason: Reason
    tax_free: TaxFree | None = None
    refund_account: RefundAccountIn | None = None

    def command(self, operator: Actor, payment_id: int) -> RecordManualRefundCommand:
        return RecordManualRefundCommand(
            operator=operator,
            payment_id=payment_id,
            amount=self.amount,
            reason=self.reason,
            tax_free=self.tax_free,
            refund_account=_account(self.refund_account),
        )


class VirtualAccountView(msgspec.Struct):
    bank_code: str | None
    bank_name: str | None
    number: str | None
    holder: str | None
    due_at: datetime | None


class UnknownView(msgspec.Struct):
    operation: str
    since: datetime
    next_check_at: datetime
    checks: int


class CancellationView(msgspec.Struct):
    id: int
    status: Literal["requested", "succeeded", "unknown", "rejected"]
    kind: str
    amount: int
    tax_free: int
    vat_amount: int
    reason: str
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None
    refund_account: str | None  # masked
    failure_message: str | None


class PaymentView(msgspec.Struct):
    id: int
    order_id: int
    merchant_uid: str
    imp_uid: str | None
    status: str  # requested | ready | paid | routine_paid | failed | cancelled | expired
    status_code: int
    amount: int
    tax_free: int
    cancelled_amount: int
    refundable: int
    pay_method: str | None
    channel: str
    pg_provider: str | None
    card_name: str | None
    card_number: str | None  # masked by the PG
    bank_name: str | None
    receipt_url: str | None
    vbank: VirtualAccountView | None
    attempt: int
    cycle: int | None
    requested_at: datetime
    paid_at: datetime | None
    failed_at: datetime | None
    cancelled_at: datetime | None
    fail_reason: str | None
    cancel_reason: str | None
    unknown: UnknownView | None
    cancellations: list[CancellationView] | None = None
    # Why the payment went to `channel`: priority, breakers passed over, failover.
    route_reason: str | None = None


class PaymentList(msgspec.Struct):
    items: list[PaymentView]
    limit: int
    offset: int


class AdminPaymentView(PaymentView):
    """What operators see of a payment: the sponsor's view plus what was reported to them."""

    attention: str | None = None  # Settlement's report, until an operator acknowledges it
    attention_at: datetime | None = None
    user_seq: int | None = None  # the sponsor


class AdminPaymentList(msgspec.Struct):
    items: list[AdminPaymentView]
    limit: int
    offset: int


class AcknowledgeRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class RefundView(msgspec.Struct):
    """A refund request's outcome: succeeded, or pending (iamport's answer was lost)."""

    pending: bool
    cancellation: CancellationView
    payment: PaymentView


class CompletionView(msgspec.Struct, omit_defaults=True):
    order_id: int
    payment_id: int
    merchant_uid: str
    paid: bool
    payment_status: str
    order_status: str
    pending_confirmation: bool = False
    refused_rule: str | None = None
    fail_reason: str | None = None
    forgery_cancelled: bool | None = None
    # A vbank issued for this payment: where the payer deposits (the full number: the answer
    # goes to the payment's owner only).
    vbank: VirtualAccountView | None = None


def vbank_view(v: VirtualAccount | None) -> VirtualAccountView | None:
    if v is None:
        return None
    return VirtualAccountView(v.bank_code, v.bank_name, v.number, v.holder, v.due_at)


def cancellation_view(c: Cancellation) -> CancellationView:
    return CancellationView(
        id=c.id,
        status=c.status.name.lower(),  # type: ignore[arg-type]
        kind=str(getattr(c.kind, "value", c.kind)),
        amount=c.amount,
        tax_free=c.tax_free,
        vat_amount=c.vat_amount,
        reason=c.reason,
        requested_by=c.requested_by,
        requested_at=c.requested_at,
        completed_at=c.completed_at,
        refund_account=c.refund_account_masked,
        failure_message=c.failure_message,
    )


def payment_view(p: Payment, cancellations: tuple[Cancellation, ...] | None = None) -> PaymentView:
    u = p.unknown
    return PaymentView(
        id=p.id,
        order_id=p.order_id,
        merchant_uid=p.merchant_uid,
        imp_uid=p.imp_uid,
        status=p.status.name.lower(),
        status_code=int(p.status),
        amount=p.amount.total,
        tax_free=p.amount.tax_free,
        cancelled_amount=p.cancelled_amount,
        refundable=p.refundable if p.is_paid else 0,
        pay_method=p.pay_method,
        channel=p.channel,
        route_reason=p.route_reason,
        pg_provider=p.pg_provider,
        card_name=p.card_name,
        card_number=p.card_number,
        bank_name=p.bank_name,
        receipt_url=p.receipt_url,
        vbank=vbank_view(p.vbank),
        attempt=p.attempt,
        cycle=p.cycle,
        requested_at=p.requested_at,
        paid_at=p.paid_at,
        failed_at=p.failed_at,
        cancelled_at=p.cancelled_at,
        fail_reason=p.fail_reason,
        cancel_reason=p.cancel_reason,
        unknown=UnknownView(u.operation, u.since, u.next_check_at, u.checks) if u else None,
        cancellations=[cancellation_view(c) for c in cancellations]
        if cancellations is not None
        else None,
    )


def admin_payment_view(p: Payment) -> AdminPaymentView:
    view = payment_view(p)
    fields = {f: getattr(view, f) for f in view.__struct_fields__}
    return AdminPaymentView(
        **fields, attention=p.attention, attention_at=p.attention_at, user_seq=p.user_seq
    )


def refund_view(result: RefundResult) -> RefundView:
    return RefundView(
        pending=result.pending,
        cancellation=cancellation_view(result.cancellation),
        payment=payment_view(result.payment),
    )


def completion_view(r: CompletePaymentResult) -> CompletionView:
    return CompletionView(
        order_id=r.order_id,
        payment_id=r.payment_id,
        merchant_uid=r.merchant_uid,
        paid=r.paid,
        payment_status=r.payment_status.name.lower(),
        order_status=r.order_status.name.lower(),
        pending_confirmation=r.pending_confirmation,
        refused_rule=r.refused_rule,
        fail_reason=r.fail_reason,
        forgery_cancelled=r.forgery_cancelled,
        vbank=vbank_view(r.vbank),
    )
