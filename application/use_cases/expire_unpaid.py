"""Expiry jobs: virtual accounts past their due date, and one-time orders nobody paid.

Time alone never settles what iamport may know: before anything expires, iamport is asked
(a deposit or a payment whose webhook was lost is settled instead). Neither job charges or
refunds anything.

Closing an expired vbank at iamport (POST /payments/cancel on a `ready` payment) is done only
for the channels named in `closing_channels` (configuration): most PGs refuse deposits after
the `vbank_due` sent in request_pay on their own, and a close that fails must not block the
expiry, so it is made after the expiry is committed and its outcome is only logged. A late
deposit that iamport proves still moves the payment EXPIRED → PAID and the order FAILED → PAID.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from application.claimed_work import claimed, this_worker
from application.gateway import Approved, IamportGateway, IamportStatus, NotFound
from application.payment_sync import (
    JANITOR,
    PaymentSync,
    record_of,
)
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory, Work
from application.settings import PaymentSettings
from domain.order import Order
from domain.payment import Payment
from domain.status import PaymentStatus

log = logging.getLogger("dolgo_pay.expiry")


@dataclass(frozen=True, slots=True)
class ExpireCommand:
    limit: int = 100
    owner: str = field(default_factory=this_worker)  # whose lease the claimed rows carry


@dataclass(frozen=True, slots=True)
class ExpireResult:
    expired: list[str] = field(default_factory=list)  # merchant_uids / order ids expired
    settled: list[str] = field(default_factory=list)  # iamport proved something else
    skipped: list[str] = field(default_factory=list)  # iamport did not answer: next run


async def _give_up_if_all_unpaid(
    uow: UnitOfWork, order: Order, at: datetime, cause: str, reason: str
) -> bool:
    payments = await uow.payments.for_order(order.id)
    return order.give_up_if_unpaid(payments, at, cause, {"reason": reason})


class ExpireVbanks:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        sync: PaymentSync,
        clock: Clock,
        closing_channels: Iterable[str] = (),
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._sync = sync
        self._clock = clock
        self._closing = frozenset(closing_channels)

    async def execute(self, command: ExpireCommand) -> ExpireResult:
        work, now = Work.VBANKS_PAST_DUE, self._clock.now()
        async with claimed(self._uow, work, command.owner, now, command.limit) as ids:
            async with self._uow() as uow:
                due = [p for i in ids if (p := await uow.payments.get(i)) is not None]
            return await self._expire_all(due)

    async def _expire_all(self, due: list[Payment]) -> ExpireResult:
        result = ExpireResult()
        for payment in due:
            lookup = await self._gateway.get_payment(payment.imp_uid or "")
            record = record_of(lookup)
            if record is None and not isinstance(lookup, NotFound):
                result.skipped.append(payment.merchant_uid)
                continue
            if record is not None and record.status is not IamportStatus.READY:
                synced = await self._sync.apply(record, JANITOR)  # deposited after all, or closed
                if synced.payment.status is not PaymentStatus.READY:
                    result.settled.append(payment.merchant_uid)
                    continue
            if await self._expire(payment, record.evidence() if record else {}):
                result.expired.append(payment.merchant_uid)
                await self._close(payment)
        return result

    async def _expire(self, payment: Payment, evidence: dict[str, object]) -> bool:
        async with self._uow() as uow:
            order = await uow.orders.get(payment.order_id, for_update=True)
            row = await uow.payments.get(payment.id, for_update=True)
            if order is None or row is None or row.status is not PaymentStatus.READY:
                return False
            now = self._clock.now()
            row.expire(now, JANITOR, {**evidence, "due_at": str(row.vbank and row.vbank.due_at)})
            await uow.payments.save(row)
            if await _give_up_if_all_unpaid(uow, order, now, JANITOR, "vbank expired"):
                await uow.orders.save(order)
            await uow.commit()
        return True

    async def _close(self, payment: Payment) -> None:
        if payment.channel not in self._closing or not payment.imp_uid:
            return
        outcome = await self._gateway.close_vbank(payment.imp_uid)
        if isinstance(outcome, Approved):
            log.info("closed expired vbank %s at iamport", payment.merchant_uid)
        else:
            log.warning("closing vbank %s at iamport: %r", payment.merchant_uid, outcome)


class ExpireAbandonedOrders:
    """ORDERED one-time orders older than settings.abandoned_after whose attempts are all known
    unpaid → FAILED. A REQUESTED attempt is first asked about at iamport: a try under its
    merchant_uid settles it; none at all after that long proves nothing was paid under it.
    Attempts with an unknown charge outcome are left to the janitor."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        sync: PaymentSync,
        clock: Clock,
        settings: PaymentSettings,
    ) -> None:
        self._uow = uow
        self._sync = sync
        self._clock = clock
        self._settings = settings

    async def execute(self, command: ExpireCommand) -> ExpireResult:
        cutoff = self._clock.now() - self._settings.abandoned_after
        work = Work.STALE_ORDERS
        async with claimed(self._uow, work, command.owner, cutoff, command.limit) as ids:
            async with self._uow() as uow:
                stale = [o for i in ids if (o := await uow.orders.get(i)) is not None]
                attempts = {o.id: await uow.payments.for_order(o.id) for o in stale}
            return await self._expire_all(stale, attempts)

    async def _expire_all(
        self, stale: list[Order], attempts: dict[int, list[Payment]]
    ) -> ExpireResult:
        result = ExpireResult()
        for order in stale:
            requested = [p for p in attempts[order.id] if p.status is PaymentStatus.REQUESTED]
            if any(p.unknown is not None for p in requested):
                result.skipped.append(str(order.id))
                continue
            if not await self._confirm_all(requested):
                result.skipped.append(str(order.id))
                continue
            async with self._uow() as uow:
                row = await uow.orders.get(order.id, for_update=True)
                assert row is not None
                now = self._clock.now()
                if await _give_up_if_all_unpaid(uow, row, now, JANITOR, "abandoned"):
                    await uow.orders.save(row)
                    await uow.commit()
                    result.expired.append(str(order.id))
                else:
                    result.settled.append(str(order.id))
        return result

    async def _confirm_all(self, requested: list[Payment]) -> bool:
        for payment in requested:
            confirmed = await self._sync.confirm(payment, JANITOR)
            if not confirmed.answered:
                return False
            if confirmed.synced is None:
                await self._sync.prove_unpaid(payment, JANITOR, "결제 시도 없음(방치된 주문)")
        return True
