"""Register a card through the PG window (spec §4.2b), for PGs that issue keys only there.

Start: a PaymentCard (ISSUING) is committed and the browser gets `IMP.request_pay` parameters
with the card's `customer_uid` (amount 0). Complete: the key is believed only when iamport shows
it (`GET /subscribe/customers/{customer_uid}`) on the channel we asked, and — when the client
passes the issue payment's imp_uid — that payment carries the same customer_uid for issuance.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from application.channels import Channel, ChannelDirectory, KeyIssuance, NoChannel
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
from application.use_cases.register_card import (
    issuing_channel,
    key_refusal,
    same_key,
    settle_key,
)
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


def backup_to_register(card: PaymentCard, channels: ChannelDirectory) -> Channel | None:
    """The backup channel this ACTIVE card still needs the sponsor in: the `billing_backup` of
    a channel it holds a key at, when that backup issues keys only in its own window (a REST
    backup is issued with the card data in the registration itself, or not at all)."""
    if card.status is not CardStatus.ACTIVE:
        return None
    for key in card.keys:
        if not key.active:
            continue
        try:
            backup = channels.backup_of(channels.named(key.channel))
        except NoChannel:  # a channel gone from the file
            continue
        if (
            backup is not None
            and backup.key_issuance is KeyIssuance.WINDOW
            and card.active_key(backup.name) is None
        ):
            return backup
    return None


class WindowRequest(Protocol):
    """What a key-issuance window shows: the order name and the buyer."""

    name: str
    buyer_name: str | None
    buyer_email: str | None
    buyer_tel: str | None


def window_params(
    channel: Channel,
    merchant_uid: str,
    customer_uid: str,
    settings: PaymentSettings,
    request: WindowRequest,
) -> WindowParams:
    return WindowParams(
        pg=channel.pg,
        pay_method="card",
        merchant_uid=merchant_uid,
        customer_uid=customer_uid,
        amount=0,
        name=request.name,
        notice_url=settings.notice_url,
        m_redirect_url=settings.return_url,
        buyer_name=request.buyer_name,
        buyer_email=request.buyer_email,
        buyer_tel=request.buyer_tel,
    )


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
        uid = issue_merchant_uid_for(card.id)
        params = window_params(channel, uid, key.customer_uid, self._settings, command)
        return StartWindowCardRegistrationResult(card, params)


@dataclass(frozen=True, slots=True)
class StartBackupCardRegistrationCommand:
    user_seq: int
    card_id: int
    name: str = "예비 결제수단 등록"
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_tel: str | None = None


class StartBackupCardRegistration:
    """The second window of a card whose channel's backup issues keys only in its window: the
    key is asked for on the same card (`customer_uid` of that channel), then completed like the
    first (`CompleteWindowCardRegistration`). Opening it again after a closed window asks for
    the same key anew."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        channels: ChannelDirectory,
        settings: PaymentSettings,
    ) -> None:
        self._uow = uow
        self._channels = channels
        self._settings = settings

    async def execute(
        self, command: StartBackupCardRegistrationCommand
    ) -> StartWindowCardRegistrationResult:
        async with self._uow() as uow:
            card = await uow.cards.get(command.card_id, for_update=True)
            require_owner_card(card, command.user_seq)
            assert card is not None
            backup = backup_to_register(card, self._channels)
            if backup is None:
                raise ConflictError("this card needs no registration on a backup channel")
            key = card.ask_key(backup.name)
            await uow.cards.save(card)
            await uow.commit()
        uid = issue_merchant_uid_for(card.id, backup.name)
        params = window_params(backup, uid, key.customer_uid, self._settings, command)
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
        key = card.pending_key()
        if card.status is CardStatus.ACTIVE and key is None:
            return CompleteWindowCardRegistrationResult(card)  # completed already (webhook, retry)
        if card.status not in (CardStatus.ISSUING, CardStatus.ACTIVE):
            raise ConflictError(f"card registration is {card.status.name.lower()}")
        if key is None:
            raise ConflictError("card has no billing key waiting for issuance")
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
            if same_key(card.pending_key(), key):  # not settled meanwhile (webhook, retry)
                settle_key(card, channel, lookup, failure, now, cause)
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
