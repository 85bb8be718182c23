"""One-click payments and monthly sponsorships on the wire."""

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from adapters.http.wire.common import BuyerName, Email, Id, Name, Reason, TaxFree, Tel, Won
from adapters.http.wire.orders import ContentCode, ContentSeq, OrderView, order_view
from adapters.http.wire.payments import PaymentView, payment_view
from application.use_cases.one_click import CardChargeResult
from domain.order import Buyer

BillingDay = Annotated[int, Meta(ge=1, le=31, description="29–31 fall back to the month's end")]


class BuyerIn(msgspec.Struct, forbid_unknown_fields=True):
    name: BuyerName | None = None
    tel: Tel | None = None
    email: Email | None = None

    def buyer(self) -> Buyer:
        return Buyer(name=self.name, tel=self.tel, email=self.email)


def buyer_of(body: BuyerIn | None) -> Buyer:
    return body.buyer() if body else Buyer()


class OneClickRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Pay once with a registered card (its billing key)."""

    card_id: Id
    amount: Won
    name: Name
    content_type_code: ContentCode
    content_seq: ContentSeq
    tax_free: TaxFree = 0
    buyer: BuyerIn | None = None


class StartSubscriptionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Start a monthly sponsorship: the first cycle is charged now."""

    card_id: Id
    amount: Won
    billing_day: BillingDay
    name: Name
    content_type_code: ContentCode
    content_seq: ContentSeq
    tax_free: TaxFree = 0
    buyer: BuyerIn | None = None


class ChangeSubscriptionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Change card, amount (from the next cycle) or billing day; omit what stays."""

    card_id: Id | None = None
    amount: Won | None = None
    tax_free: TaxFree | None = None
    billing_day: BillingDay | None = None


class CancelSubscriptionRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason | None = None


class ChargeView(msgspec.Struct):
    """A billing-key charge: paid, failed (with iamport's reason) or unknown (being checked)."""

    state: Literal["paid", "failed", "unknown"]
    fail_reason: str | None
    order: OrderView
    payment: PaymentView


class SubscriptionList(msgspec.Struct):
    items: list[OrderView]


def charge_view(result: CardChargeResult) -> ChargeView:
    """A one-click payment's or a new sponsorship's first charge."""
    return ChargeView(
        state=result.state.value,  # type: ignore[arg-type]
        fail_reason=result.fail_reason,
        order=order_view(result.order),
        payment=payment_view(result.payment),
    )
