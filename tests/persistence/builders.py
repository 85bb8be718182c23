"""Entities with every field set to a non-default value, so round trips prove each is mapped."""

import itertools
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone

from application.records import IdempotencyRecord, IdempotencyState, InboxMessage, InboxState
from domain.cancellation import Cancellation, CancellationKind
from domain.card import BillingKey, PaymentCard
from domain.money import Amount
from domain.order import Buyer, Order
from domain.payment import Payment, UnknownOutcome, VirtualAccount
from domain.status import (
    CancellationStatus,
    CardStatus,
    OrderStatus,
    OrderType,
    PaymentStatus,
    PayMethod,
)
from domain.subscription import Subscription

T0 = datetime(2026, 3, 2, 1, 0, 0, 123456, tzinfo=UTC)
KST = timezone(timedelta(hours=9))
_ids = itertools.count(9_007_199_254_000_000)  # near 2**53: ids are BIGINT


def new_id() -> int:
    return next(_ids)


def state(entity: object) -> dict:
    """Comparable state of an entity: its fields, without the pending history."""
    return {f.name: getattr(entity, f.name) for f in fields(entity) if f.name != "pending_history"}


def order(**kw) -> Order:
    values = dict(
        id=new_id(),
        user_seq=12,
        type=OrderType.ONE_TIME,
        content_type_code=3,
        content_seq=77,
        name="겨울 후원 — 따뜻한 밥 한 끼",
        amount=Amount(3_000_000_000, 1_000),  # above 2**31: money is BIGINT
        created_at=T0,
        pay_method=PayMethod.VBANK,
        buyer=Buyer("홍길동", "010-4242-4242", "gildong@example.com"),
        payment_card_id=None,
        attempts=2,
        updated_at=T0 + timedelta(seconds=1),
    )
    values.update(kw)
    return Order(**values)


def monthly_order(card_id: int, **kw) -> Order:
    sub = Subscription(
        billing_day=31,
        card_id=card_id,
        charge_hour=9,
        cycle=4,
        attempt=2,
        cycle_paid=True,
        next_charge_at=T0 + timedelta(days=30),
        next_amount=Amount(20_000, 500),
        cycle_due_on=date(2026, 1, 31),
    )
    values = dict(
        type=OrderType.MONTHLY,
        pay_method=PayMethod.CARD,
        payment_card_id=card_id,
        status=OrderStatus.ROUTINE,
        subscription=sub,
        attempts=0,
    )
    values.update(kw)
    return order(**values)


def payment(order_id: int, **kw) -> Payment:
    pid = kw.pop("id", None) or new_id()
    values = dict(
        id=pid,
        order_id=order_id,
        user_seq=12,
        type=OrderType.ONE_TIME,
        merchant_uid=f"dp{pid}a1",
        amount=Amount(10_000, 1_000),
        channel="nice",
        name="후원",
        requested_at=T0.astimezone(KST),  # stored as UTC, read back as UTC, same instant
        pay_method="vbank",
        attempt=1,
        cycle=None,
        payment_card_id=None,
        status=PaymentStatus.PAID,
        imp_uid=f"imp_{pid}",
        pg_provider="nice",
        pg_tid="tid-1",
        card_name="신한카드",
        card_number="5365-****-****-1234",
        bank_name="국민은행",
        receipt_url="https://example.com/r/1",
        vbank=VirtualAccount("004", "KB국민은행", "12345678901234", "(주)돌고", T0 + timedelta(3)),
        paid_at=T0 + timedelta(minutes=5),
        failed_at=T0 + timedelta(minutes=1),
        cancelled_at=None,
        fail_reason="한도초과",
        cancel_reason="단순 변심",
        cancelled_amount=1_000,
        cancelled_tax_free=100,
        unpaid_proven=True,
        unknown=UnknownOutcome(T0, T0 + timedelta(minutes=1), checks=3, operation="prepare"),
        updated_at=T0 + timedelta(minutes=6),
    )
    values.update(kw)
    return Payment(**values)


def cancellation(payment_id: int, **kw) -> Cancellation:
    values = dict(
        id=new_id(),
        payment_id=payment_id,
        amount=1_000,
        tax_free=100,
        vat_amount=82,
        checksum=9_000,
        reason="단순 변심",
        requested_by="user:12",
        requested_at=T0,
        kind=CancellationKind.MANUAL_BANK,
        status=CancellationStatus.UNKNOWN,
        refund_holder="홍길동",
        refund_bank="004",
        refund_account_masked="*********1234",
        cancellation_id="cancel-1",
        failure_message="잠시 후 다시",
        completed_at=T0 + timedelta(hours=1),
        next_check_at=T0 + timedelta(minutes=5),
        checks=2,
    )
    values.update(kw)
    return Cancellation(**values)


def card(**kw) -> PaymentCard:
    cid = kw.pop("id", None) or new_id()
    values = dict(
        id=cid,
        user_seq=12,
        created_at=T0,
        status=CardStatus.ACTIVE,
        card_type_code=1,
        card_disp="5365-****-****-1234",
        card_corp="신한카드",
        keys=[
            BillingKey("nice", f"dpc{cid}_nice", T0, "nice", "nictest04m", None),
            BillingKey("jtnet", f"dpc{cid}_jtnet", None, None, None, T0 + timedelta(days=1)),
        ],
    )
    values.update(kw)
    return PaymentCard(**values)


def inbox_message(**kw) -> InboxMessage:
    values = dict(
        id=new_id(),
        received_at=T0,
        body='{"imp_uid":"imp_1","merchant_uid":"dp1a1","status":"paid","추가":"값"}',
        content_type="application/json",
        source_ip="52.78.100.19",
        imp_uid="imp_1",
        merchant_uid="dp1a1",
        status="paid",
        cancellation_id="c-1",
        state=InboxState.FAILED,
        attempts=3,
        next_attempt_at=T0 + timedelta(minutes=5),
        last_error="timeout",
        processed_at=T0 + timedelta(minutes=1),
        reprocessed_by="operator:900",
        reprocessed_at=T0 + timedelta(minutes=2),
    )
    values.update(kw)
    return InboxMessage(**values)


def idempotency_record(**kw) -> IdempotencyRecord:
    values = dict(
        scope="user:12 POST /api/orders",
        key=f"key-{new_id()}",
        fingerprint="a" * 64,
        created_at=T0,
        state=IdempotencyState.DONE,
        status_code=201,
        response_body=b'{"id": 1, "\xed\x95\x9c": 2}',
        content_type="application/json",
    )
    values.update(kw)
    return IdempotencyRecord(**values)
