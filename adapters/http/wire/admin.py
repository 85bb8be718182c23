"""Admin wire types: the inbox, reconciliation, unknown outcomes, settling, a payment's story,
refund checks."""

from datetime import datetime
from enum import IntEnum
from typing import Any, Literal

import msgspec

from adapters.http.wire.common import ImpUid, Reason
from adapters.http.wire.orders import OrderView, order_view
from adapters.http.wire.payments import AdminPaymentView, admin_payment_view, cancellation_view
from application.records import InboxMessage
from application.use_cases.payment_story import PaymentStory
from application.use_cases.reconcile import ReconcileItem, ReconcileReport
from application.use_cases.refund_check import RefundCheck
from application.use_cases.resolve_unknown import UnknownOutcomes
from domain.history import HistoryEntry
from domain.status import CancellationStatus, OrderStatus, PaymentStatus

PaymentStatusName = Literal[
    "requested", "ready", "paid", "routine_paid", "failed", "cancelled", "expired"
]
OrderStatusName = Literal[
    "ordered",
    "paid",
    "routine",
    "routine_past_due",
    "failed",
    "cancelled",
    "routine_cancelled",
    "routine_ended",
]


class InboxView(msgspec.Struct):
    id: int
    received_at: datetime
    state: str
    imp_uid: str | None
    merchant_uid: str | None
    status: str | None
    cancellation_id: str | None
    source_ip: str | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    processed_at: datetime | None
    reprocessed_by: str | None = None
    reprocessed_at: datetime | None = None


class InboxList(msgspec.Struct):
    items: list[InboxView]
    limit: int
    offset: int


class ReconcileRequest(msgspec.Struct, forbid_unknown_fields=True):
    since: datetime | None = None  # default: 48 hours before until
    until: datetime | None = None  # default: now


class ReconcileItemView(msgspec.Struct):
    merchant_uid: str
    imp_uid: str | None
    detail: str


class ReconcileView(msgspec.Struct):
    since: datetime
    until: datetime
    checked: int
    repaired: list[ReconcileItemView]
    unmatched_at_iamport: list[ReconcileItemView]
    missing_at_iamport: list[ReconcileItemView]
    mismatched: list[ReconcileItemView]
    errors: list[str]
    cause: str  # who ran it: "reconcile" (the job) or "reconcile:operator:<seq>"
    id: int | None = None  # the stored run
    ran_at: datetime | None = None


class ReconcileReportList(msgspec.Struct):
    items: list[ReconcileView]  # newest first


class SettleRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Settle an unknown outcome by hand: paid (with iamport's imp_uid) or failed."""

    outcome: Literal["paid", "failed"]
    reason: Reason
    imp_uid: ImpUid | None = None  # required to settle as paid


class UnknownPaymentView(msgspec.Struct):
    payment_id: int
    order_id: int
    merchant_uid: str
    amount: int
    operation: str
    since: datetime
    checks: int
    next_check_at: datetime


class UnknownCancellationView(msgspec.Struct):
    cancellation_id: int
    payment_id: int
    amount: int
    requested_by: str
    requested_at: datetime
    checks: int
    next_check_at: datetime | None


class UnknownOutcomesView(msgspec.Struct):
    payments: list[UnknownPaymentView]
    cancellations: list[UnknownCancellationView]


def inbox_view(m: InboxMessage) -> InboxView:
    return InboxView(
        id=m.id,
        received_at=m.received_at,
        state=str(m.state.value),
        imp_uid=m.imp_uid,
        merchant_uid=m.merchant_uid,
        status=m.status,
        cancellation_id=m.cancellation_id,
        source_ip=m.source_ip,
        attempts=m.attempts,
        next_attempt_at=m.next_attempt_at,
        last_error=m.last_error,
        processed_at=m.processed_at,
        reprocessed_by=m.reprocessed_by,
        reprocessed_at=m.reprocessed_at,
    )


def _items(items: list[ReconcileItem]) -> list[ReconcileItemView]:
    return [ReconcileItemView(i.merchant_uid, i.imp_uid, i.detail) for i in items]


def reconcile_view(r: ReconcileReport) -> ReconcileView:
    return ReconcileView(
        since=r.since,
        until=r.until,
        checked=r.checked,
        repaired=_items(r.repaired),
        unmatched_at_iamport=_items(r.unmatched_at_iamport),
        missing_at_iamport=_items(r.missing_at_iamport),
        mismatched=_items(r.mismatched),
        errors=list(r.errors),
        cause=r.cause,
        id=r.id,
        ran_at=r.ran_at,
    )


def unknown_view(u: UnknownOutcomes) -> UnknownOutcomesView:
    return UnknownOutcomesView(
        payments=[
            UnknownPaymentView(
                p.payment_id,
                p.order_id,
                p.merchant_uid,
                p.amount,
                p.operation,
                p.since,
                p.checks,
                p.next_check_at,
            )
            for p in u.payments
        ],
        cancellations=[
            UnknownCancellationView(
                c.cancellation_id,
                c.payment_id,
                c.amount,
                c.requested_by,
                c.requested_at,
                c.checks,
                c.next_check_at,
            )
            for c in u.cancellations
        ],
    )


class OperatorView(msgspec.Struct):
    """Who the console is signed in as."""

    user_seq: int
    admin: bool


class TimelineEntryView(msgspec.Struct):
    at: datetime
    entity: str  # payment | cancellation
    entity_id: int
    event: str
    from_status: int
    from_name: str
    to_status: int
    to_name: str
    cause: str  # client, webhook, janitor, reconcile, scheduler, operator:<seq> ...
    data: dict[str, Any]  # the iamport data seen (masked), an operator's reason


class ClearedNoteView(msgspec.Struct):
    """An attention note an operator acknowledged: what it said, who cleared it and why."""

    note: str
    at: datetime
    by: str
    reason: str


class PaymentStoryView(msgspec.Struct):
    payment: AdminPaymentView  # with its cancellations (refund accounts masked)
    order: OrderView
    timeline: list[TimelineEntryView]
    webhooks: list[InboxView]  # notifications naming it, newest first
    cleared_notes: list[ClearedNoteView]


class RefundCheckView(msgspec.Struct):
    refundable: int
    amount: int
    allowed: bool
    tax_free: int | None
    vat_amount: int | None
    rule: str | None  # the rule that would refuse it
    message: str | None
    needs_refund_account: bool
    refund_banks: list[str]


_STATUSES: dict[str, type[IntEnum]] = {
    "order": OrderStatus,
    "payment": PaymentStatus,
    "cancellation": CancellationStatus,
}


def _status_name(entity: str, code: int) -> str:
    enum = _STATUSES.get(entity)
    try:
        return enum(code).name.lower() if enum else str(code)
    except ValueError:
        return str(code)


def timeline_view(h: HistoryEntry) -> TimelineEntryView:
    return TimelineEntryView(
        at=h.at,
        entity=h.entity,
        entity_id=h.entity_id,
        event=h.event,
        from_status=h.from_status,
        from_name=_status_name(h.entity, h.from_status),
        to_status=h.to_status,
        to_name=_status_name(h.entity, h.to_status),
        cause=h.cause,
        data=dict(h.data),
    )


def story_view(s: PaymentStory) -> PaymentStoryView:
    payment = admin_payment_view(s.payment)
    payment.cancellations = [cancellation_view(c) for c in s.cancellations]
    return PaymentStoryView(
        payment=payment,
        order=order_view(s.order),
        timeline=[timeline_view(h) for h in s.timeline],
        webhooks=[inbox_view(m) for m in s.webhooks],
        cleared_notes=[
            ClearedNoteView(
                str(h.data.get("attention", "")), h.at, h.cause, str(h.data.get("reason", ""))
            )
            for h in s.cleared_notes
        ],
    )


def refund_check_view(c: RefundCheck) -> RefundCheckView:
    return RefundCheckView(
        refundable=c.refundable,
        amount=c.amount,
        allowed=c.allowed,
        tax_free=c.tax_free,
        vat_amount=c.vat_amount,
        rule=c.rule,
        message=c.message,
        needs_refund_account=c.needs_refund_account,
        refund_banks=list(c.refund_banks),
    )


class StuckLeaseView(msgspec.Struct):
    work: str  # due-charges | unknown-payments | unknown-cancellations | due-webhooks | ...
    row_id: int  # the order, payment, cancellation or webhook message
    owner: str  # the instance that claimed it
    lease_until: datetime


class StuckLeaseList(msgspec.Struct):
    items: list[StuckLeaseView]  # the longest expired first
