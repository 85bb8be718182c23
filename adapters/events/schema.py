"""The outgoing events on the wire: one msgspec type per event type, all at `version` 1.

The body of every webhook is one `Event`: `{"type", "id", "version", "timestamp", "data"}`
(the Standard Webhooks payload shape, plus our id and version). `data` is a snapshot of the
subject taken in the transaction that changed it. docs/events.schema.json is this module's
JSON Schema (tests keep the two equal). A change that breaks a consumer bumps `version`.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import msgspec

from application.outbox import OutboxEvent
from domain.card import PaymentCard
from domain.events import DomainEvent, EventType, events_for
from domain.history import HistoryEntry
from domain.order import Order
from domain.payment import Payment
from domain.status import OrderType

VERSION = 1
_ORDER_TYPES = {OrderType.ONE_TIME: "one_time", OrderType.ONE_CLICK: "one_click"}
_ORDER_TYPES[OrderType.MONTHLY] = "monthly"


class PaymentData(msgspec.Struct, kw_only=True):
    payment_id: int
    order_id: int
    user_seq: int
    order_type: str  # one_time | one_click | monthly
    merchant_uid: str
    imp_uid: str | None
    status: str  # requested | ready | paid | routine_paid | failed | cancelled | expired
    amount: int  # KRW
    tax_free: int
    cancelled_amount: int  # refunded so far
    pay_method: str | None
    channel: str
    cycle: int | None  # monthly: the cycle this charge pays
    paid_at: datetime | None
    failed_at: datetime | None
    cancelled_at: datetime | None
    fail_reason: str | None
    receipt_url: str | None


class SponsorshipData(msgspec.Struct, kw_only=True):
    order_id: int
    user_seq: int
    content_type_code: int
    content_seq: int
    status: str  # routine | routine_past_due | routine_cancelled | routine_ended | ...
    amount: int
    tax_free: int
    card_id: int | None
    billing_day: int | None
    cycle: int | None
    next_charge_at: datetime | None


class VbankData(msgspec.Struct, kw_only=True):
    payment_id: int
    order_id: int
    user_seq: int
    merchant_uid: str
    imp_uid: str | None
    status: str
    amount: int
    bank_code: str | None
    bank_name: str | None
    account_number: str | None  # where the sponsor deposits (not card data)
    holder: str | None
    due_at: datetime | None


class CardData(msgspec.Struct, kw_only=True):
    card_id: int
    user_seq: int
    status: str  # active | deleted
    card_name: str | None
    card_number: str | None  # masked by the PG, e.g. 4111-11**-****-1111


class _Event(msgspec.Struct, kw_only=True, tag_field="type"):
    id: str  # equals the webhook-id header: deduplicate by it
    version: int
    timestamp: datetime  # when the change happened (UTC)
    cause: str  # who or what caused it: client, webhook, janitor, scheduler, operator:<seq>


class _PaymentEvent(_Event):
    data: PaymentData


class _SponsorshipEvent(_Event):
    data: SponsorshipData


class _VbankEvent(_Event):
    data: VbankData


class _CardEvent(_Event):
    data: CardData


class PaymentPaid(_PaymentEvent, tag="payment.paid"):
    pass


class PaymentFailed(_PaymentEvent, tag="payment.failed"):
    pass


class PaymentCancelled(_PaymentEvent, tag="payment.cancelled"):
    pass


class PaymentPartiallyRefunded(_PaymentEvent, tag="payment.partially_refunded"):
    pass


class SponsorshipStarted(_SponsorshipEvent, tag="sponsorship.started"):
    pass


class SponsorshipRenewed(_PaymentEvent, tag="sponsorship.renewed"):
    """`data` is the cycle's charge (its `order_id` is the sponsorship)."""


class SponsorshipRenewalFailed(_PaymentEvent, tag="sponsorship.renewal_failed"):
    """`data` is the declined charge; `sponsorship.past_due` follows on the first decline."""


class SponsorshipPastDue(_SponsorshipEvent, tag="sponsorship.past_due"):
    pass


class SponsorshipEnded(_SponsorshipEvent, tag="sponsorship.ended"):
    pass


class SponsorshipCancelled(_SponsorshipEvent, tag="sponsorship.cancelled"):
    pass


class VbankIssued(_VbankEvent, tag="vbank.issued"):
    pass


class VbankExpired(_VbankEvent, tag="vbank.expired"):
    pass


class CardRegistered(_CardEvent, tag="card.registered"):
    pass


class CardDeleted(_CardEvent, tag="card.deleted"):
    pass


Event = (
    PaymentPaid
    | PaymentFailed
    | PaymentCancelled
    | PaymentPartiallyRefunded
    | SponsorshipStarted
    | SponsorshipRenewed
    | SponsorshipRenewalFailed
    | SponsorshipPastDue
    | SponsorshipEnded
    | SponsorshipCancelled
    | VbankIssued
    | VbankExpired
    | CardRegistered
    | CardDeleted
)
EVENT_TYPES: dict[str, type[_Event]] = {
    t.__struct_config__.tag: t  # type: ignore[misc]
    for t in Event.__args__  # type: ignore[attr-defined]
}
assert set(EVENT_TYPES) == {str(t) for t in EventType}, "one wire type per EventType"


def _payment(p: Payment) -> PaymentData:
    return PaymentData(
        payment_id=p.id,
        order_id=p.order_id,
        user_seq=p.user_seq,
        order_type=_ORDER_TYPES[p.type],
        merchant_uid=p.merchant_uid,
        imp_uid=p.imp_uid,
        status=p.status.name.lower(),
        amount=p.amount.total,
        tax_free=p.amount.tax_free,
        cancelled_amount=p.cancelled_amount,
        pay_method=p.pay_method,
        channel=p.channel,
        cycle=p.cycle,
        paid_at=p.paid_at,
        failed_at=p.failed_at,
        cancelled_at=p.cancelled_at,
        fail_reason=p.fail_reason,
        receipt_url=p.receipt_url,
    )


def _vbank(p: Payment) -> VbankData:
    account = p.vbank
    return VbankData(
        payment_id=p.id,
        order_id=p.order_id,
        user_seq=p.user_seq,
        merchant_uid=p.merchant_uid,
        imp_uid=p.imp_uid,
        status=p.status.name.lower(),
        amount=p.amount.total,
        bank_code=account.bank_code if account else None,
        bank_name=account.bank_name if account else None,
        account_number=account.number if account else None,
        holder=account.holder if account else None,
        due_at=account.due_at if account else None,
    )


def _sponsorship(o: Order) -> SponsorshipData:
    sub = o.subscription
    return SponsorshipData(
        order_id=o.id,
        user_seq=o.user_seq,
        content_type_code=o.content_type_code,
        content_seq=o.content_seq,
        status=o.status.name.lower(),
        amount=o.amount.total,
        tax_free=o.amount.tax_free,
        card_id=sub.card_id if sub else o.payment_card_id,
        billing_day=sub.billing_day if sub else None,
        cycle=sub.cycle if sub else None,
        next_charge_at=sub.next_charge_at if sub else None,
    )


def _card(c: PaymentCard) -> CardData:
    return CardData(
        card_id=c.id,
        user_seq=c.user_seq,
        status=c.status.name.lower(),
        card_name=c.card_corp,
        card_number=c.card_disp,
    )


def _data(event: DomainEvent, aggregate: Any) -> Any:
    if isinstance(aggregate, Payment):
        if event.type in (EventType.VBANK_ISSUED, EventType.VBANK_EXPIRED):
            return _vbank(aggregate)
        return _payment(aggregate)
    if isinstance(aggregate, Order):
        return _sponsorship(aggregate)
    if isinstance(aggregate, PaymentCard):
        return _card(aggregate)
    raise TypeError(f"no event data for {type(aggregate).__name__}")


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


def outbox_events(aggregate: Any, entries: Iterable[HistoryEntry]) -> list[OutboxEvent]:
    """The outbox rows for `aggregate`'s new history entries: each body encoded once, here,
    so that every attempt sends (and signs) the same bytes."""
    out = []
    for event in events_for(aggregate, entries):
        wire = EVENT_TYPES[str(event.type)](
            id=new_event_id(),
            version=VERSION,
            timestamp=event.occurred_at,
            cause=event.cause,
            data=_data(event, aggregate),
        )
        out.append(
            OutboxEvent(
                id=wire.id,
                type=str(event.type),
                version=VERSION,
                entity=event.entity,
                entity_id=event.entity_id,
                occurred_at=event.occurred_at,
                payload=msgspec.json.encode(wire).decode(),
            )
        )
    return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema of every event body (docs/events.schema.json)."""
    schema = msgspec.json.schema(Event)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dolgo-pay outgoing events",
        "description": __doc__.split("\n\n")[1].replace("\n", " "),
        **schema,
    }
