"""Admin wire types: the inbox, reconciliation, unknown outcomes, settling."""

from datetime import datetime
from typing import Literal

import msgspec

from adapters.http.wire.common import ImpUid, Reason
from application.records import InboxMessage
from application.use_cases.reconcile import ReconcileItem, ReconcileReport
from application.use_cases.resolve_unknown import UnknownOutcomes

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
