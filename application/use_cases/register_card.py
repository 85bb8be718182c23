"""Register a card by REST (spec §4.2a): raw card data → iamport billing key, never stored.

Transaction 1 records a PaymentCard (ISSUING) and commits; then the card data goes to iamport
once (`POST /subscribe/customers/{customer_uid}`); transaction 2 applies the outcome. The card
data lives only in the command's CardCredentials for the length of this call: no entity, log
record, history entry or error message ever holds it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from application.billing import billing_channels
from application.channel_health import ChannelHealthBook
from application.channels import Channel, ChannelDirectory, KeyIssuance, NoChannel
from application.errors import (
    GatewayRejected,
    GatewayUnavailable,
    NotFoundError,
    VerificationFailed,
)
from application.gateway import (
    Approved,
    BillingKeyInfo,
    BillingKeyRequest,
    IamportGateway,
    KeyOutcome,
    NotAttempted,
    NotFound,
    Rejected,
    Unknown,
)
from application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from application.settings import PaymentSettings
from domain.card import BillingKey, PaymentCard
from domain.card_credentials import CardCredentials
from domain.masking import scrub_card
from domain.status import CardStatus

log = logging.getLogger("dolgo_pay.cards")


@dataclass(frozen=True, slots=True)
class RegisterCardCommand:
    user_seq: int
    card: CardCredentials  # repr shows only the masked number
    customer_name: str | None = None
    customer_email: str | None = None
    customer_tel: str | None = None
    channel: str | None = None  # a REST-issuance billing channel; None: the primary one


@dataclass(frozen=True, slots=True)
class RegisterCardResult:
    card: PaymentCard  # ACTIVE, or ISSUING when iamport's answer was lost (resolved later)

    @property
    def pending(self) -> bool:
        return self.card.status is CardStatus.ISSUING


def issuing_channel(
    channels: ChannelDirectory,
    issuance: KeyIssuance,
    name: str | None,
    *,
    production: bool,
    usable: Callable[[Channel], bool] = lambda c: True,
) -> Channel:
    """The channel a key issuance goes to: the named one, or the best one whose breaker would
    take a request (the best by priority when none would)."""
    candidates = [
        c
        for c in billing_channels(channels, production=production)
        if c.key_issuance is issuance and (name is None or c.name == name)
    ]
    if not candidates:
        raise NoChannel(f"no billing channel issues keys by {issuance}")
    if name is not None:
        return candidates[0]
    return next((c for c in candidates if usable(c)), candidates[0])


def rest_channel(
    channels: ChannelDirectory,
    name: str | None,
    *,
    production: bool,
    usable: Callable[[Channel], bool] = lambda c: True,
) -> Channel:
    return issuing_channel(channels, KeyIssuance.REST, name, production=production, usable=usable)


def key_evidence(info: BillingKeyInfo) -> dict[str, object]:
    """What history keeps of an issued key: iamport's masked view only."""
    return {
        "customer_uid": info.customer_uid,
        "pg_provider": info.pg_provider,
        "pg_id": info.pg_id,
        "card_name": info.card_name,
        "card_number": info.card_number,
        "card_type": info.card_type,
        "sandbox": info.sandbox,
    }


def activate(
    card: PaymentCard, channel: Channel, info: BillingKeyInfo, at: datetime, cause: str
) -> None:
    card.key_issued(
        channel.name,
        at,
        cause,
        card_disp=info.card_number,
        card_corp=info.card_name,
        card_type=info.card_type,
        pg_provider=info.pg_provider,
        pg_id=info.pg_id,
        data=key_evidence(info),
    )


class RegisterCard:
    """Issue the card's key on the primary REST channel and — when that channel names a
    `billing_backup` — on the backup too, in the same request: the card data is given once.
    The backup is asked only after the primary issued its key (a refused card is never sent
    twice); a backup that fails leaves the card registered on the primary alone."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        ids: IdGenerator,
        channels: ChannelDirectory,
        settings: PaymentSettings,
        health: ChannelHealthBook | None = None,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._ids = ids
        self._channels = channels
        self._settings = settings
        self._health = health or ChannelHealthBook(uow, clock, settings.breaker)

    async def execute(self, command: RegisterCardCommand) -> RegisterCardResult:
        states = await self._health.states()
        now = self._clock.now()
        policy = self._health.policy

        def usable(c: Channel) -> bool:
            return c.name not in states or states[c.name].usable(now, policy)

        channel = rest_channel(
            self._channels, command.channel, production=self._settings.production, usable=usable
        )
        backup = self._channels.backup_of(channel)
        cause = f"user:{command.user_seq}"
        async with self._uow() as uow:
            card = PaymentCard(id=self._ids.new_id(), user_seq=command.user_seq, created_at=now)
            customer_uid = card.key_for(channel.name).customer_uid
            if backup is not None:
                card.key_for(backup.name)  # recorded before its card data is sent
            await uow.cards.add(card)
            await uow.commit()
        log.info("card %s: issuing billing key %s on %s", card.id, customer_uid, channel.name)

        outcome = await self._issue(card, channel, command)
        backup_outcome: KeyOutcome | None = None
        if backup is not None and isinstance(outcome, Approved):
            log.info("card %s: issuing the backup key on %s", card.id, backup.name)
            backup_outcome = await self._issue(card, backup, command)

        now = self._clock.now()
        refusal = None
        async with self._uow() as uow:
            card = await _load(uow, card.id)
            match outcome:
                case Approved(value=info):
                    refusal = key_refusal(channel, info, production=self._settings.production)
                    if refusal is None:
                        activate(card, channel, info, now, cause)
                    else:
                        card.issue_failed(now, cause, refusal)
                case Rejected(message=message):
                    card.issue_failed(now, cause, {"message": scrub_card(message, command.card)})
                case NotAttempted(reason=reason):
                    card.issue_failed(now, cause, {"not_attempted": reason})
                case Unknown(reason=reason):
                    log.warning("card %s: key issuance outcome unknown (%s)", card.id, reason)
            if backup is not None:
                match backup_outcome:
                    case Approved(value=info):
                        activate(card, backup, info, now, cause)
                    case Unknown():
                        log.warning("card %s: backup key outcome unknown", card.id)
                    case _:  # refused, not attempted, or never asked: no key there
                        card.key_not_issued(backup.name, now)
            await uow.cards.save(card)
            await uow.commit()

        if refusal is not None:
            log.warning("card %s: iamport's key is a test or another channel's; refused", card.id)
            raise VerificationFailed("the billing key was issued on a test or another channel")
        match outcome:
            case Rejected(message=message):
                log.info("card %s: iamport refused the key", card.id)
                raise GatewayRejected(scrub_card(message, command.card), field="card")
            case NotAttempted():
                raise GatewayUnavailable("iamport could not be reached; no card was registered")
        log.info("card %s: %s", card.id, card.status.name)
        return RegisterCardResult(card)

    async def _issue(
        self, card: PaymentCard, channel: Channel, command: RegisterCardCommand
    ) -> KeyOutcome:
        outcome = await self._gateway.issue_billing_key(
            BillingKeyRequest(
                customer_uid=card.key_for(channel.name).customer_uid,
                pg=channel.pg,
                card=command.card,
                customer_name=command.customer_name,
                customer_email=command.customer_email,
                customer_tel=command.customer_tel,
            )
        )
        if not isinstance(outcome, Rejected):  # a refused card says nothing of the PG
            await self._health.record(channel.name, outcome)
        return outcome


@dataclass(frozen=True, slots=True)
class ResolveCardIssuanceCommand:
    card_id: int
    # False for a door that may come too early (a webhook while the sponsor may still retry in
    # the PG window): iamport's not-found then leaves the card ISSUING for the janitor, which
    # asks only once the grace period has passed (ResolveStuckCardIssuances).
    missing_is_failure: bool = True
    cause: str = "janitor"


@dataclass(frozen=True, slots=True)
class ResolveCardIssuanceResult:
    card: PaymentCard
    resolved: bool  # False: iamport gave no usable answer (or no proof yet); ask again later
    missing: bool = False  # iamport knows no key yet, and the command took that as no proof


def key_refusal(
    channel: Channel, info: BillingKeyInfo, *, production: bool
) -> dict[str, object] | None:
    """Why a key iamport shows under our customer_uid is not ours to use, or None: it was
    issued on another channel, or it is a test channel's key in production."""
    if not channel.took(info.pg_provider, info.pg_id):
        return {"wrong_channel": True, **key_evidence(info)}
    if info.sandbox and production:
        return {"test_channel_key": True, **key_evidence(info)}
    return None


class ResolveCardIssuance:
    """Settle a card left ISSUING from iamport's word on its key (`GET /subscribe/customers`).

    A key on our channel → ACTIVE; a key on another channel (or a test key in production) →
    FAILED; iamport's NotFound → FAILED (nothing was issued) when the command says not-found is
    proof, else left ISSUING; no answer leaves the card ISSUING for the next round. Time alone
    never settles it.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        channels: ChannelDirectory,
        settings: PaymentSettings | None = None,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._channels = channels
        self._production = settings.production if settings is not None else False

    async def execute(self, command: ResolveCardIssuanceCommand) -> ResolveCardIssuanceResult:
        async with self._uow() as uow:
            card = await _load(uow, command.card_id, for_update=False)
        if card.status not in (CardStatus.ISSUING, CardStatus.ACTIVE):
            return ResolveCardIssuanceResult(card, resolved=True)
        key = card.pending_key()  # an ACTIVE card's: a backup window's key
        if key is None:
            return ResolveCardIssuanceResult(card, resolved=card.status is CardStatus.ACTIVE)
        channel = self._channels.named(key.channel)

        lookup = await self._gateway.get_billing_key(key.customer_uid)

        match lookup:
            case Approved():
                pass
            case NotFound() if command.missing_is_failure:
                pass
            case NotFound():
                return ResolveCardIssuanceResult(card, resolved=False, missing=True)
            case _:
                return ResolveCardIssuanceResult(card, resolved=False)
        now = self._clock.now()
        async with self._uow() as uow:
            card = await _load(uow, command.card_id)
            if not same_key(card.pending_key(), key):  # settled meanwhile
                return ResolveCardIssuanceResult(card, resolved=True)
            failure: dict[str, object] | None = {"lookup": "no billing key at iamport"}
            if isinstance(lookup, Approved):
                failure = key_refusal(channel, lookup.value, production=self._production)
            settle_key(card, channel, lookup, failure, now, command.cause)
            await uow.cards.save(card)
            await uow.commit()
        log.info("card %s: issuance settled %s (%s)", card.id, card.status.name, command.cause)
        return ResolveCardIssuanceResult(card, resolved=True)


def settle_key(
    card: PaymentCard,
    channel: Channel,
    lookup: object,
    failure: dict[str, object] | None,
    at: datetime,
    cause: str,
) -> None:
    """Apply iamport's word on the card's pending key at `channel`: issued → the key is active
    (an ISSUING card becomes ACTIVE); not ours or missing → an ISSUING card FAILED, while an
    ACTIVE card (a backup window) only gives that key up."""
    if failure is None:
        assert isinstance(lookup, Approved)
        activate(card, channel, lookup.value, at, cause)
    elif card.status is CardStatus.ISSUING:
        card.issue_failed(at, cause, failure)
    else:
        card.key_not_issued(channel.name, at)


def same_key(a: BillingKey | None, b: BillingKey) -> bool:
    return a is not None and a.customer_uid == b.customer_uid


async def _load(uow: UnitOfWork, card_id: int, *, for_update: bool = True) -> PaymentCard:
    card = await uow.cards.get(card_id, for_update=for_update)
    if card is None:
        raise NotFoundError("card not found")
    return card
