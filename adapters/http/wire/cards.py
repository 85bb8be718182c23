"""Cards: registration by REST (card data) or through the PG window, and the card view."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from adapters.http.wire.common import BuyerName, Email, ImpUid, Tel
from application.use_cases.window_card import WindowParams
from domain.card import PaymentCard
from domain.card_credentials import CardCredentials

CardNumber = Annotated[
    str,
    Meta(min_length=14, max_length=19, pattern=r"^[0-9\-]+$", description="card number"),
]
Expiry = Annotated[str, Meta(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
Birth = Annotated[
    str, Meta(pattern=r"^(\d{6}|\d{10})$", description="YYMMDD, or 10-digit business number")
]
Pwd2 = Annotated[str, Meta(pattern=r"^\d{2}$", description="first two password digits")]
ChannelName = Annotated[str, Meta(pattern=r"^[a-z0-9_]{1,40}$", examples=["nice"])]


class RestCardRequest(msgspec.Struct, tag_field="issuance", tag="rest", forbid_unknown_fields=True):
    """Card data for a REST key issuance (비인증). Never stored, logged or echoed."""

    card_number: CardNumber
    expiry: Expiry
    birth: Birth
    pwd_2digit: Pwd2
    channel: ChannelName | None = None
    customer_name: BuyerName | None = None
    customer_email: Email | None = None
    customer_tel: Tel | None = None

    def credentials(self) -> CardCredentials:
        return CardCredentials(self.card_number, self.expiry, self.birth, self.pwd_2digit)

    def __repr__(self) -> str:
        return "RestCardRequest(<card data hidden>)"

    __str__ = __repr__


class WindowCardRequest(
    msgspec.Struct, tag_field="issuance", tag="window", forbid_unknown_fields=True
):
    """Start a key issuance through the PG window (inicis, kakaopay, ...)."""

    channel: ChannelName | None = None
    buyer_name: BuyerName | None = None
    buyer_email: Email | None = None
    buyer_tel: Tel | None = None


RegisterCardRequest = RestCardRequest | WindowCardRequest


class CompleteCardRequest(msgspec.Struct, forbid_unknown_fields=True):
    imp_uid: ImpUid | None = None


class CardView(msgspec.Struct):
    id: int
    status: Literal["issuing", "active", "deleted", "failed"]
    card_disp: str | None
    card_corp: str | None
    card_type: int
    channels: list[str]
    created_at: datetime


class WindowRequestPay(msgspec.Struct, omit_defaults=True):
    """The exact `IMP.request_pay` parameters (with customer_uid: a key issuance)."""

    pg: str
    pay_method: str
    merchant_uid: str
    customer_uid: str
    amount: int
    name: str
    notice_url: str
    m_redirect_url: str
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_tel: str | None = None


class CardRegistration(msgspec.Struct, omit_defaults=True):
    card: CardView
    request_pay: WindowRequestPay | None = None  # window issuance: open the PG window with it


class CardList(msgspec.Struct):
    items: list[CardView]


def card_view(card: PaymentCard) -> CardView:
    return CardView(
        id=card.id,
        status=card.status.name.lower(),  # type: ignore[arg-type]
        card_disp=card.card_disp,
        card_corp=card.card_corp,
        card_type=card.card_type_code,
        channels=[k.channel for k in card.keys if k.active],
        created_at=card.created_at,
    )


def request_pay(params: WindowParams) -> WindowRequestPay:
    return WindowRequestPay(**params.as_request_pay())
