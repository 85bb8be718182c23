"""Orders (one-time checkout through the PG window) on the wire."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from adapters.http.wire.common import BuyerName, Email, Name, TaxFree, Tel, Won
from adapters.http.wire.payments import PaymentView
from application.use_cases.create_checkout import CheckoutResult, RequestPayParams
from domain.history import HistoryEntry
from domain.order import Order
from domain.payment import Payment

ContentCode = Annotated[int, Meta(ge=0, lt=2**31, examples=[1])]
ContentSeq = Annotated[int, Meta(gt=0, lt=2**53, examples=[4521])]
PayMethodName = Literal["card", "trans", "vbank", "phone"]


class CreateOrderRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A one-time sponsorship paid through the PG window."""

    content_type_code: ContentCode
    content_seq: ContentSeq
    name: Name
    amount: Won
    pay_method: PayMethodName
    tax_free: TaxFree = 0
    buyer_name: BuyerName | None = None
    buyer_tel: Tel | None = None
    buyer_email: Email | None = None


class RetryCheckoutRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Pay an unpaid one-time order again; without `pay_method` the order's method is kept."""

    pay_method: PayMethodName | None = None


class RequestPay(msgspec.Struct, omit_defaults=True):
    """The exact `IMP.request_pay` parameters."""

    pg: str
    pay_method: str
    merchant_uid: str
    name: str
    amount: int
    tax_free: int
    notice_url: str
    m_redirect_url: str
    buyer_name: str | None = None
    buyer_tel: str | None = None
    buyer_email: str | None = None
    vbank_due: str | None = None
    digital: bool | None = None


class Checkout(msgspec.Struct):
    order_id: int
    payment_id: int
    merchant_uid: str
    request_pay: RequestPay


class SubscriptionView(msgspec.Struct):
    billing_day: int
    card_id: int
    charge_hour: int
    cycle: int
    cycle_paid: bool
    next_charge_at: datetime | None
    next_amount: int | None


class OrderView(msgspec.Struct):
    id: int
    type: Literal["one_time", "one_click", "monthly"]
    status: str  # ordered | paid | routine | routine_past_due | failed | cancelled | ...
    status_code: int
    content_type_code: int
    content_seq: int
    name: str
    amount: int
    tax_free: int
    pay_method: str | None
    payment_card_id: int | None
    created_at: datetime
    updated_at: datetime | None
    subscription: SubscriptionView | None
    # The newest payment (attempt or cycle charge): an ordered vbank order whose latest payment
    # is `ready` awaits its deposit. Null when the order has no payment yet.
    latest_payment_id: int | None = None
    latest_payment_status: str | None = None  # requested | ready | paid | routine_paid | ...
    payments: list[PaymentView] | None = None
    history: list["HistoryView"] | None = None


class HistoryView(msgspec.Struct):
    entity: str
    entity_id: int
    event: str
    from_status: int
    to_status: int
    at: datetime
    cause: str


class OrderList(msgspec.Struct):
    items: list[OrderView]
    limit: int
    offset: int


def request_pay(params: RequestPayParams) -> RequestPay:
    return RequestPay(
        pg=params.pg,
        pay_method=params.pay_method,
        merchant_uid=params.merchant_uid,
        name=params.name,
        amount=params.amount,
        tax_free=params.tax_free,
        notice_url=params.notice_url,
        m_redirect_url=params.m_redirect_url,
        buyer_name=params.buyer_name,
        buyer_tel=params.buyer_tel,
        buyer_email=params.buyer_email,
        vbank_due=params.vbank_due,
        digital=params.digital,
    )


def checkout_view(result: CheckoutResult) -> Checkout:
    return Checkout(
        result.order_id, result.payment_id, result.merchant_uid, request_pay(result.request_pay)
    )


def history_view(h: HistoryEntry) -> HistoryView:
    return HistoryView(h.entity, h.entity_id, h.event, h.from_status, h.to_status, h.at, h.cause)


def order_view(
    o: Order,
    payments: list[PaymentView] | None = None,
    history: tuple[HistoryEntry, ...] | None = None,
    latest: Payment | None = None,
) -> OrderView:
    s = o.subscription
    return OrderView(
        id=o.id,
        type=o.type.name.lower(),  # type: ignore[arg-type]
        status=o.status.name.lower(),
        status_code=int(o.status),
        content_type_code=o.content_type_code,
        content_seq=o.content_seq,
        name=o.name,
        amount=o.amount.total,
        tax_free=o.amount.tax_free,
        pay_method=str(o.pay_method) if o.pay_method else None,
        payment_card_id=o.payment_card_id,
        created_at=o.created_at,
        updated_at=o.updated_at,
        subscription=SubscriptionView(
            s.billing_day,
            s.card_id,
            s.charge_hour,
            s.cycle,
            s.cycle_paid,
            s.next_charge_at,
            s.next_amount.total if s.next_amount else None,
        )
        if s
        else None,
        latest_payment_id=latest.id if latest else None,
        latest_payment_status=latest.status.name.lower() if latest else None,
        payments=payments,
        history=[history_view(h) for h in history] if history is not None else None,
    )
