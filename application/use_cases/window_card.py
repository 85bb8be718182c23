"""Register a card through the PG window (spec §4.2b), for PGs that issue keys only there.

Start: a PaymentCard (ISSUING) is committed and the browser gets `IMP.request_pay` parameters
with the card's `customer_uid` (amount 0). Complete: the key is believed only when iamport shows
it (`GET /subscribe/customers/{customer_uid}`) on the channel we asked, and — when the client
passes the issue payment's imp_uid — that payment carries the same customer_uid for issuance.
"""

from dataclasses import dataclass
from typing import Any

from application.channels import Channel, ChannelDirectory, KeyIssuance
from application.errors import (
    ConflictError,
    GatewayUnavailable,
    NotFoundError,
    VerificationFailed,
)
from application.gateway import Approved, Declined, IamportGateway, NotFound, Pending
from application.ports import Clock, IdGenerator, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.use_cases.actor import Actor, require_owner
from application.use_cases.register_card import activate, issuing_channel, key_refusal
from domain.card import BillingKey, PaymentCard
from domain.identifiers import issue_merchant_uid_for
from domain.status import CardStatus

ISSUE_USAGE = "issue"  # iamport's customer_uid_usage of a key-issuance payment


@dataclass(frozen=True, slots=True)
class WindowParams:
    """The exact `IMP.request_pay` parameters of a key-issuance window."""

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

    def as_request_pay(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class StartWindowCardRegistrationCommand:
    user_seq: int
    channel: str | None = None  # a WINDOW-issuance billing channel; None: the primary one
    name: str = "카드 등록"
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_tel: str | None = None


@dataclass(frozen=True, slots=True)
class StartWindowCardRegistrationResult:
    card: PaymentCard  # ISSUING
    params: WindowParams


def window_channel(channels: ChannelDirectory, name: str | None, *, production: bool) -> Channel:
    return issuing_channel(channels, KeyIssuance.WINDOW, name, production=production)


class StartWindowCardRegistration:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        channels: ChannelDirectory,
        settings: PaymentSettings,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._channels = channels
        self._settings = settings

    async def execute(
        self, command: StartWindowCardRegistrationCommand
    ) -> StartWindowCardRegistrationResult:
        channel = window_channel(
            self._channels, command.channel, production=self._settings.production
        )
        async with self._uow() as uow:
            card = PaymentCard(
                id=self._ids.new_id(), user_seq=command.user_seq, created_at=self._clock.now()
            )
            key = card.key_for(channel.name)
            await uow.cards.add(card)
            await uow.commit()
        params = WindowParams(
            pg=channel.pg,
            pay_method="card",
            merchant_uid=issue_merchant_uid_for(card.id),
            customer_uid=key.customer_uid,
            amount=0,
            name=command.name,
            notice_url=self._settings.notice_url,
            m_redirect_url=self._settings.return_url,
            buyer_name=command.buyer_name,
            buyer_email=command.buyer_email,
            buyer_tel=command.buyer_tel,
        )
        return StartWindowCardRegistrationResult(card, params)


@dataclass(frozen=True, slots=True)
class CompleteWindowCardRegistrationCommand:
    user_seq: int
    card_id: int
    imp_uid: str | None = None  # the issue payment, when the client has it


@dataclass(frozen=True, slots=True)
class CompleteWindowCardRegistrationResult:
    card: PaymentCard


class CompleteWindowCardRegistration:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        channels: ChannelDirectory,
        settings: PaymentSettings,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._channels = channels
        self._settings = settings

    async def execute(
        self, command: CompleteWindowCardRegistrationCommand
    ) -> CompleteWindowCardRegistrationResult:
        cause = f"user:{command.user_seq}"
        async with self._uow() as uow:
            card = await uow.cards.get(command.card_id)
        require_owner_card(card, command.user_seq)
        assert card is not None
        if card.status is CardStatus.ACTIVE:
            return CompleteWindowCardRegistrationResult(card)  # completed already (webhook, retry)
        if card.status is not CardStatus.ISSUING:
            raise ConflictError(f"card registration is {card.status.name.lower()}")
        key = _pending_key(card)
        channel = self._channels.named(key.channel)

        if command.imp_uid:
            await self._verify_issue_payment(command.imp_uid, key)

        failure: dict[str, object] | None = None
        lookup = await self._gateway.get_billing_key(key.customer_uid)
        match lookup:
            case Approved(value=info):
                failure = key_refusal(channel, info, production=self._settings.production)
            case NotFound():
                failure = {"lookup": "no billing key at iamport"}
            case _:
                raise GatewayUnavailable("iamport could not confirm the billing key; try again")

        now = self._clock.now()
        async with self._uow() as uow:
            card = await uow.cards.get(command.card_id, for_update=True)
            assert card is not None
            if card.status is CardStatus.ISSUING:
                if failure is None:
                    assert isinstance(lookup, Approved)
                    activate(card, channel, lookup.value, now, cause)
                else:
                    card.issue_failed(now, cause, failure)
                await uow.cards.save(card)
                await uow.commit()
        if failure is not None:
            raise VerificationFailed("the card's billing key was not issued on our channel")
        return CompleteWindowCardRegistrationResult(card)

    async def _verify_issue_payment(self, imp_uid: str, key: BillingKey) -> None:
        found = await self._gateway.get_payment(imp_uid)
        match found:
            case Approved(value=record) | Declined(payment=record) | Pending(payment=record):
                if record is None:
                    raise VerificationFailed("iamport shows no issue payment for this imp_uid")
                if record.customer_uid != key.customer_uid or (
                    record.customer_uid_usage not in (None, ISSUE_USAGE)
                ):
                    # Another card's (or another user's) payment: touch nothing.
                    raise VerificationFailed("imp_uid is not this card's key issuance")
            case NotFound():
                raise VerificationFailed("iamport knows no payment with this imp_uid")
            case _:
                raise GatewayUnavailable("iamport could not be asked about the issue payment")


def require_owner_card(card: PaymentCard | None, user_seq: int) -> None:
    if card is None or card.status is CardStatus.DELETED:
        raise NotFoundError("card not found")
    require_owner(Actor(user_seq), card.user_seq, "card")


def _pending_key(card: PaymentCard) -> BillingKey:
    for key in card.keys:
        if key.issued_at is None and key.deleted_at is None:
            return key
    raise ConflictError("card has no billing key waiting for issuance")
