"""Key-in payment (비인증 key-in): an operator charges a sponsor's card taken by phone.

Operators only (the admin route). The card data goes to iamport once, by
`POST /subscribe/payments/onetime`, on a channel with a 비인증 (REST) contract, and lives only in
the command's CardCredentials for the length of this call, as in card registration: no entity,
log record, history entry or error message holds it, and iamport's messages are scrubbed of
any echo of it. Transaction 1 records the order (ONE_CLICK: charged once over REST, no
registered card) and its payment (REQUESTED, of unknown outcome from the start) with the
operator as the cause; then the charge is sent; transaction 2 applies the outcome as any
billing charge's (BillingCharges.apply_sent). A lost answer leaves the payment REQUESTED for the
janitor, which looks its merchant_uid up at iamport: never retried, never failed by guess.
"""

import dataclasses
import logging
from dataclasses import dataclass

from application.billing import BillingCharges, new_charge
from application.channel_health import ChannelHealthBook
from application.channels import Channel, ChannelDirectory
from application.errors import GatewayUnavailable, NotFoundError
from application.gateway import (
    ChargeOutcome,
    Declined,
    IamportGateway,
    NotAttempted,
    OnetimeRequest,
    Rejected,
)
from application.ports import Clock, IdGenerator, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.use_cases.actor import Actor
from application.use_cases.one_click import CardChargeResult, charge_result
from application.use_cases.register_card import rest_channel
from domain.card_credentials import CardCredentials
from domain.channel_health import Admission
from domain.masking import scrub_card
from domain.money import Amount
from domain.order import Buyer, Order
from domain.status import OrderType, PayMethod

log = logging.getLogger("dolgo_pay.key_in")


@dataclass(frozen=True, slots=True)
class KeyInCommand:
    operator: Actor  # the operator taking the call: every history entry names them
    user_seq: int  # the sponsor
    card: CardCredentials  # repr shows only the masked number
    amount: int
    name: str
    content_type_code: int
    content_seq: int
    tax_free: int = 0
    buyer: Buyer = Buyer()
    channel: str | None = None  # a channel with a REST (비인증) contract; None: the best one
    card_quota: int | None = None  # 할부 months; None: 일시불


def scrubbed(outcome: ChargeOutcome, card: CardCredentials) -> ChargeOutcome:
    """The outcome with any echo of the card data blotted out of iamport's messages."""
    match outcome:
        case Rejected(message=message):
            return dataclasses.replace(outcome, message=scrub_card(message, card))
        case Declined(reason=reason, payment=payment):
            clean = None
            if payment is not None and payment.fail_reason:
                clean = dataclasses.replace(
                    payment, fail_reason=scrub_card(payment.fail_reason, card)
                )
            return Declined(scrub_card(reason, card) if reason else reason, clean or payment)
    return outcome


class KeyInPayment:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        ids: IdGenerator,
        channels: ChannelDirectory,
        settings: PaymentSettings,
        charges: BillingCharges,
        health: ChannelHealthBook,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._ids = ids
        self._channels = channels
        self._settings = settings
        self._health = health
        self._charges = charges

    async def execute(self, command: KeyInCommand) -> CardChargeResult:
        if not command.operator.operator:
            raise NotFoundError("no such route")  # admin routes only, as the event log
        channel = await self._channel(command.channel)
        cause = command.operator.cause
        now = self._clock.now()
        order = Order.place(
            self._ids.new_id(),
            now,
            user_seq=command.user_seq,
            type=OrderType.ONE_CLICK,
            content_type_code=command.content_type_code,
            content_seq=command.content_seq,
            name=command.name,
            amount=Amount(command.amount, command.tax_free),
            pay_method=PayMethod.CARD,
            buyer=command.buyer,
        )
        payment = new_charge(
            self._ids.new_id(),
            order,
            attempt=order.start_attempt(now),
            cycle=None,
            channel=channel.name,
            card_id=None,
            at=now,
            in_flight_for=self._settings.next_check_after(0),
            route_reason=f"key-in by {cause} on {channel.name}",
        )
        async with self._uow() as uow:
            await uow.orders.add(order)
            await uow.payments.add(payment)
            await uow.commit()
        log.info("key-in %s by %s on %s", payment.merchant_uid, cause, channel.name)

        outcome = await self._send(command, payment.merchant_uid, channel)
        charged = await self._charges.apply_sent(order, payment, outcome, channel.name, cause)
        return charge_result(charged)

    async def _channel(self, name: str | None) -> Channel:
        states = await self._health.states()
        now, policy = self._clock.now(), self._health.policy

        def usable(c: Channel) -> bool:
            return c.name not in states or states[c.name].usable(now, policy)

        channel = rest_channel(
            self._channels, name, production=self._settings.production, usable=usable
        )
        if not usable(channel):
            raise GatewayUnavailable(
                f"channel {channel.name} is unavailable; nothing was charged, try later"
            )
        return channel

    async def _send(
        self, command: KeyInCommand, merchant_uid: str, channel: Channel
    ) -> ChargeOutcome:
        if await self._health.admit(channel.name) is Admission.REFUSE:
            return NotAttempted(f"circuit breaker of channel {channel.name} is open")
        sent = await self._gateway.charge_onetime(
            OnetimeRequest(
                merchant_uid=merchant_uid,
                amount=command.amount,
                card=command.card,
                name=command.name,
                pg=channel.pg,
                tax_free=command.tax_free,
                card_quota=command.card_quota,
                buyer=command.buyer,
                notice_url=self._settings.notice_url,
            )
        )
        outcome = scrubbed(sent, command.card)
        if not isinstance(outcome, Rejected):  # a refused card says nothing of the PG
            await self._health.record(channel.name, outcome)
        return outcome
