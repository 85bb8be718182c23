"""Cards: registration by REST (card data) or through the PG window, and the card view."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from adapters.http.wire.common import BuyerName, Email, ImpUid, Tel
from application.channels import ChannelDirectory
from application.use_cases.window_card import WindowParams, backup_to_register
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


class WindowBuyer(msgspec.Struct, forbid_unknown_fields=True):
    """Who the PG window shows as the buyer; the body of `POST /api/cards/{id}/backup`."""

    buyer_name: BuyerName | None = None
    buyer_email: Email | None = None
    buyer_tel: Tel | None = None


class WindowCardRequest(WindowBuyer, tag_field="issuance", tag="window"):
    """Start a key issuance through the PG window (inicis, kakaopay, ...)."""

    channel: ChannelName | None = None


RegisterCardRequest = RestCardRequest | WindowCardRequest


class CompleteCardRequest(msgspec.Struct, forbid_unknown_fields=True):
    imp_uid: ImpUid | None = None


class BackupRegistration(msgspec.Struct):
    """The sponsor is needed once more: the card's backup channel issues keys only in its own
    window. `POST /api/cards/{id}/backup` opens it for this card."""

    channel: str
    reason: str


class CardView(msgspec.Struct, omit_defaults=True):
    id: int
    status: Literal["issuing", "active", "deleted", "failed"]
    card_disp: str | None
    card_corp: str | None
    card_type: int
    channels: list[str]
    created_at: datetime
    backup_registration: BackupRegistration | None = None


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


def card_view(card: PaymentCard, channels: ChannelDirectory | None = None) -> CardView:
    """The card; with `channels`, whether a backup registration is still needed."""
    backup = backup_to_register(card, channels) if channels is not None else None
    return CardView(
        id=card.id,
        status=card.status.name.lower(),  # type: ignore[arg-type]
        card_disp=card.card_disp,
        card_corp=card.card_corp,
        card_type=card.card_type_code,
        channels=[k.channel for k in card.keys if k.active],
        created_at=card.created_at,
        backup_registration=(
            BackupRegistration(
                backup.name,
                f"{backup.name} issues billing keys only in its own window: register the card "
                "there once more, so that charges can move to it when the card's PG is down",
            )
            if backup is not None
            else None
        ),
    )


def request_pay(params: WindowParams) -> WindowRequestPay:
    return WindowRequestPay(**params.as_request_pay())
