"""What billing-key use cases share: sending a recorded charge, and failing over to the card's
key at a backup channel when — and only when — the attempt is known not to have charged
(spec §4.9): not attempted, or rejected and then proven unpaid by a lookup. A decline is the
card's answer and never fails over; an unknown outcome waits for the janitor's proof. Each
attempt has its own merchant_uid, so the history shows every one."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from application.channel_health import ChannelHealthBook
from application.channels import Channel, ChannelDirectory
from application.errors import NotFoundError
from application.gateway import (
    AgainRequest,
    Approved,
    ChargeOutcome,
    Declined,
    IamportGateway,
    NotAttempted,
    NotFound,
    Pending,
    Rejected,
)
from application.payment_sync import report_unsent_cancel
from application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from application.routing import BillingTarget, ChannelRouter
from application.settings import PaymentSettings
from application.settlement import Settlement, SettleResult
from domain.channel_health import Admission
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
    return sorted(usable, key=lambda c: (c.priority, c.name))


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

    @property
    def known_not_charged(self) -> bool:
        """Not attempted, or rejected and proven unpaid: safe to try another channel. Never a
        decline (the card said no), never an unknown outcome (it may have charged)."""
        if self.payment.is_paid:
            return False
        match self.outcome:
            case NotAttempted():
                return self.payment.unpaid_proven
            case Rejected():
                return self.verdict is Verdict.UNPAID
        return False


def new_charge(
    payment_id: int,
    order: Order,
    *,
    attempt: int,
    cycle: int | None,
    channel: str,
    card_id: int | None,
    at: datetime,
    in_flight_for: timedelta,
    route_reason: str | None = None,
) -> Payment:
    """The REQUESTED payment of one billing-key attempt, recorded before anything is sent.

    It is marked as of unknown outcome from the start (the status stays REQUESTED): a crash
    between this commit and iamport's answer leaves a row the janitor finds and resolves by
    looking the merchant_uid up, after `in_flight_for` — longer than the gateway's timeouts.
    """
    payment = order.attempt_payment(
        payment_id,
        attempt=attempt,
        at=at,
        channel=channel,
        route_reason=route_reason,
        cycle=cycle,
        card_id=card_id,
        pay_method=PayMethod.CARD,
    )
    payment.mark_unknown(at, at + in_flight_for, "charge")
    return payment


class BillingCharges:
    """Send a recorded charge to iamport, apply the outcome in a second transaction, and look a
    rejected attempt up so that it ends known (paid, or proven unpaid) when iamport answers;
    then, if it is known not to have charged, try the card's next key (`charge`)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        settings: PaymentSettings,
        settlement: Settlement,
        ids: IdGenerator,
        channels: ChannelDirectory,
        health: ChannelHealthBook | None = None,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._settings = settings
        self._settlement = settlement
        self._ids = ids
        self._health = health or ChannelHealthBook(uow, clock, settings.breaker)
        self.router = ChannelRouter(channels, self._health, production=settings.production)

    async def charge(
        self, order: Order, payment: Payment, targets: list[BillingTarget], cause: str
    ) -> Charged:
        """Send `payment` (recorded for targets[0]); fail over along `targets` while each
        attempt is known not to have charged."""
        charged = await self.send(
            order, payment, targets[0] if targets else None, cause, targets[1:]
        )
        for i, target in enumerate(targets[1:], start=2):
            if not charged.known_not_charged:
                break
            follow = await self._failover_attempt(charged, target)
            if follow is None:
                break
            charged = await self.send(*follow, target, cause, targets[i:])
        return charged

    async def send(
        self,
        order: Order,
        payment: Payment,
        target: BillingTarget | None,
        cause: str,
        backups: list[BillingTarget] | None = None,
    ) -> Charged:
        outcome: ChargeOutcome
        if target is None:
            outcome = NotAttempted("the card holds no usable billing key")
        elif await self._health.admit(target.channel.name) is Admission.REFUSE:
            outcome = NotAttempted(f"circuit breaker of channel {target.channel.name} is open")
        else:
            outcome = await self._gateway.charge_billing_key(
                AgainRequest(
                    customer_uid=target.key.customer_uid,
                    merchant_uid=payment.merchant_uid,
                    amount=payment.amount.total,
                    name=payment.name,
                    tax_free=payment.amount.tax_free,
                    buyer=order.buyer,
                    notice_url=self._settings.notice_url,
                )
            )
            await self._health.record(target.channel.name, outcome)
        channel = target.channel.name if target is not None else None
        return await self.apply_sent(
            order, payment, outcome, channel, cause, failover=bool(backups)
        )

    async def apply_sent(
        self,
        order: Order,
        payment: Payment,
        outcome: ChargeOutcome,
        channel: str | None,
        cause: str,
        *,
        failover: bool = False,
    ) -> Charged:
        """Apply a sent charge's outcome in its own transaction; look a rejected attempt up."""
        # The card or iamport answered (paid, pending, declined): the PG is not at fault.
        answered = isinstance(outcome, (Approved, Pending, Declined))
        retry = None if answered else await self._pg_fault_retry(channel, failover)
        log.debug("charge %s: %s", payment.merchant_uid, type(outcome).__name__)
        async with self._uow() as uow:
            order, payment = await lock_charge(uow, order.id, payment.id)
            now = self._clock.now()
            settled = self._settlement.apply_charge(
                order, payment, outcome, now, cause, pg_fault_retry=retry
            )
            await _save(uow, order, payment, settled, now)
            await uow.commit()
        charged = Charged(order, payment, outcome, settled)
        if settled.needs_lookup:
            verdict, order, payment, settled = await self.look_up(
                order.id, payment.id, cause, pg_fault_retry=retry
            )
            charged = Charged(order, payment, outcome, settled, verdict)
        return charged

    async def _pg_fault_retry(self, channel: str | None, failover: bool) -> timedelta | None:
        """When an attempt that charged nothing is the PG's fault rather than the card's: now
        (failover: another key is tried at once), or once the breaker of a channel that just
        opened lets a probe through. None: judge by the outcome alone (a rejection proven
        unpaid on a working PG follows the dunning schedule)."""
        if failover:
            return timedelta(0)
        if channel is not None and not await self._health.usable(channel):
            return self._health.policy.open_for
        return None

    async def _failover_attempt(
        self, charged: Charged, target: BillingTarget
    ) -> tuple[Order, Payment] | None:
        """Record the next attempt (its own merchant_uid) on `target`, unless the order moved
        on meanwhile (another attempt, a cancel)."""
        previous = charged.payment
        async with self._uow() as uow:
            order = await uow.orders.get(charged.order.id, for_update=True)
            assert order is not None
            payments = await uow.payments.for_order(order.id)
            if not payments or payments[-1].id != previous.id or not payments[-1].unpaid_proven:
                return None
            now = self._clock.now()
            cycle: int | None
            if order.subscription is None:
                if not order.is_unpaid:
                    return None
                cycle, attempt = None, order.start_attempt(now)
            else:
                if not (order.is_active_routine or order.is_unpaid):
                    return None
                cycle, attempt = order.begin_cycle_attempt(now)
            payment = new_charge(
                self._ids.new_id(),
                order,
                attempt=attempt,
                cycle=cycle,
                channel=target.channel.name,
                card_id=previous.payment_card_id or 0,
                at=now,
                in_flight_for=self._settings.next_check_after(0),
                route_reason=(
                    f"failover from {previous.channel} ({previous.merchant_uid}: "
                    f"{previous.fail_reason}) to {target.reason}"
                ),
            )
            if order.subscription is not None and order.is_active_routine:
                assert payment.unknown is not None  # due again at its first check (a crash)
                order.subscription.retry_at(payment.unknown.next_check_at)
            await uow.orders.save(order)
            await uow.payments.add(payment)
            await uow.commit()
        log.info("charge %s: failover to %s", payment.merchant_uid, target.channel.name)
        return order, payment

    async def look_up(
        self,
        order_id: int,
        payment_id: int,
        cause: str,
        *,
        pg_fault_retry: timedelta | None = None,
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
                        order,
                        payment,
                        now,
                        cause,
                        "iamport holds no paid try of this attempt",
                        pg_fault_retry=pg_fault_retry,
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
