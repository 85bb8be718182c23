"""What billing-key use cases share: which key a charge goes to, and sending a recorded charge."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from application.channels import Channel, ChannelDirectory
from application.errors import NotFoundError
from application.gateway import (
    AgainRequest,
    Approved,
    Buyer,
    ChargeOutcome,
    IamportGateway,
    NotAttempted,
    NotFound,
)
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.settlement import Settlement, SettleResult
from application.use_cases.payment_sync import report_unsent_cancel
from domain.card import BillingKey, PaymentCard
from domain.identifiers import merchant_uid_for
from domain.order import Order
from domain.payment import Payment
from domain.status import PayMethod

log = logging.getLogger("dolgo_pay.billing")


def billing_channels(channels: ChannelDirectory, *, production: bool) -> list[Channel]:
    """Channels that hold billing keys, best first: healthy ones by priority, then the rest.

    Production never charges on a PortOne test channel.
    """
    usable = [c for c in channels.channels if c.key_issuance is not None]
    if production:
        usable = [c for c in usable if not c.test]
    return sorted(usable, key=lambda c: (not c.healthy, c.priority, c.name))


def billing_key_for(
    card: PaymentCard, channels: ChannelDirectory, *, production: bool
) -> tuple[Channel, BillingKey] | None:
    """The channel and billing key a charge of `card` goes to, or None if it holds no usable key.

    Spec §4.9's fallback (the same attempt moved to the card's key at a backup channel once the
    primary is known not to have charged) is a later issue; it will choose here, which is why
    every charge asks this function rather than reading `card.keys` itself.
    """
    return _first_key(card, billing_channels(channels, production=production))


def _first_key(
    card: PaymentCard, candidates: Iterable[Channel]
) -> tuple[Channel, BillingKey] | None:
    for channel in candidates:
        key = card.active_key(channel.name)
        if key is not None:
            return channel, key
    return None


# -- sending a recorded charge -------------------------------------------------------------------
class Verdict(StrEnum):
    """What a lookup of an attempt's merchant_uid proved."""

    PAID = "paid"  # a paid try exists: it was settled as paid
    UNPAID = "unpaid"  # no paid try: the attempt is known to have charged nothing
    WAIT = "wait"  # iamport gave no usable answer: prove nothing, ask again later


@dataclass(frozen=True, slots=True)
class Charged:
    """A charge's outcome after it was applied (and, for a rejection, looked up)."""

    order: Order
    payment: Payment
    outcome: ChargeOutcome
    settled: SettleResult
    verdict: Verdict | None = None  # set when a lookup followed a rejection


def new_charge(
    payment_id: int,
    order: Order,
    *,
    attempt: int,
    cycle: int | None,
    channel: str,
    card_id: int,
    at: datetime,
    in_flight_for: timedelta,
) -> Payment:
    """The REQUESTED payment of one billing-key attempt, recorded before anything is sent.

    It is marked as of unknown outcome from the start (the status stays REQUESTED): a crash
    between this commit and iamport's answer leaves a row the janitor finds and resolves by
    looking the merchant_uid up, after `in_flight_for` — longer than the gateway's timeouts.
    """
    payment = Payment(
        id=payment_id,
        order_id=order.id,
        user_seq=order.user_seq,
        type=order.type,
        merchant_uid=merchant_uid_for(order.id, attempt, cycle),
        amount=order.amount,
        channel=channel,
        name=order.name,
        requested_at=at,
        pay_method=PayMethod.CARD.value,
        attempt=attempt,
        cycle=cycle,
        payment_card_id=card_id,
    )
    payment.mark_unknown(at, at + in_flight_for, "charge")
    return payment


class BillingCharges:
    """Send a recorded charge to iamport, apply the outcome in a second transaction, and look a
    rejected attempt up so that it ends known (paid, or proven unpaid) when iamport answers."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        settings: PaymentSettings,
        settlement: Settlement,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._settings = settings
        self._settlement = settlement

    async def send(
        self, order: Order, payment: Payment, customer_uid: str | None, cause: str
    ) -> Charged:
        outcome: ChargeOutcome
        if customer_uid is None:
            outcome = NotAttempted("the card holds no usable billing key")
        else:
            outcome = await self._gateway.charge_billing_key(
                AgainRequest(
                    customer_uid=customer_uid,
                    merchant_uid=payment.merchant_uid,
                    amount=payment.amount.total,
                    name=payment.name,
                    tax_free=payment.amount.tax_free,
                    buyer=Buyer(order.buyer.name, order.buyer.email, order.buyer.tel),
                    notice_url=self._settings.notice_url,
                )
            )
        log.info("charge %s: %s", payment.merchant_uid, type(outcome).__name__)
        async with self._uow() as uow:
            order, payment = await lock_charge(uow, order.id, payment.id)
            now = self._clock.now()
            settled = self._settlement.apply_charge(order, payment, outcome, now, cause)
            await _save(uow, order, payment, settled, now)
            await uow.commit()
        charged = Charged(order, payment, outcome, settled)
        if settled.needs_lookup:
            verdict, order, payment, settled = await self.look_up(order.id, payment.id, cause)
            charged = Charged(order, payment, outcome, settled, verdict)
        return charged

    async def look_up(
        self, order_id: int, payment_id: int, cause: str
    ) -> tuple[Verdict, Order, Payment, SettleResult]:
        """Ask iamport for a paid try under the attempt's merchant_uid (`find/{uid}/paid`):
        found → settled as paid; not found → proven unpaid; no answer → nothing changes."""
        async with self._uow() as uow:
            payment = await uow.payments.get(payment_id)
        assert payment is not None
        found = await self._gateway.find_payment(payment.merchant_uid, paid_only=True)
        async with self._uow() as uow:
            order, payment = await lock_charge(uow, order_id, payment_id)
            now = self._clock.now()
            match found:
                case Approved(value=record):
                    verdict = Verdict.PAID
                    cancellations = await uow.cancellations.for_payment(payment.id)
                    settled = self._settlement.apply_record(
                        order, payment, record, now, cause, cancellations
                    )
                case NotFound():
                    verdict = Verdict.UNPAID
                    settled = self._settlement.apply_unpaid_proof(
                        order, payment, now, cause, "iamport holds no paid try of this attempt"
                    )
                case _:
                    log.info("charge %s: lookup unanswered, proving nothing", payment.merchant_uid)
                    return Verdict.WAIT, order, payment, _unchanged(order, payment)
            await _save(uow, order, payment, settled, now)
            await uow.commit()
        return verdict, order, payment, settled


def _unchanged(order: Order, payment: Payment) -> SettleResult:
    return SettleResult(False, payment.status, order.status)


async def lock_charge(uow: UnitOfWork, order_id: int, payment_id: int) -> tuple[Order, Payment]:
    """The order, then the payment: the lock order of every writer (payment_sync too)."""
    order = await uow.orders.get(order_id, for_update=True)
    payment = await uow.payments.get(payment_id, for_update=True)
    if order is None or payment is None:
        raise NotFoundError("payment not found")
    return order, payment


async def _save(
    uow: UnitOfWork, order: Order, payment: Payment, settled: SettleResult, at: datetime
) -> None:
    # Billing-key charges send no cancel of their own: should Settlement ask for one (a forged
    # amount, a second paid attempt), the payment reports it to operators instead.
    report_unsent_cancel(payment, settled, at)
    await uow.orders.save(order)
    await uow.payments.save(payment)
    for cancellation in settled.cancellations:
        await uow.cancellations.save(cancellation)
