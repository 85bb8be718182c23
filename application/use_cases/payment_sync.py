"""Shared by the use cases that apply iamport's records: load with locks, settle, save, and
cancel a forged payment at iamport after the FAILED state is committed.

Lock order, everywhere: the order, then the payment, then the payment's cancellations.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from application.gateway import (
    Approved,
    CancelRequest,
    Declined,
    GatewayPayment,
    IamportGateway,
    IamportStatus,
    ListOutcome,
    NotFound,
    PaymentLookup,
    Pending,
)
from application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from application.settlement import FORGERY_REASON, Settlement, SettleResult
from domain.cancellation import Cancellation
from domain.money import vat_of
from domain.order import Order
from domain.payment import Payment

log = logging.getLogger("dolgo_pay.settlement")

# Causes written into the transition history (users are `user:<seq>`, see actor.user_cause).
WEBHOOK = "webhook"
JANITOR = "janitor"
RECONCILE = "reconcile"
VERIFICATION = "system:verification"  # who asks for the cancel of a forged payment


class PaymentMissing(Exception):
    """No payment of ours has this merchant_uid."""


@dataclass(frozen=True, slots=True)
class Locked:
    order: Order
    payment: Payment
    cancellations: list[Cancellation]


async def lock_payment(uow: UnitOfWork, merchant_uid: str) -> Locked | None:
    """The payment of `merchant_uid` with its order and cancellations, locked in lock order."""
    seen = await uow.payments.get_by_merchant_uid(merchant_uid)
    if seen is None:
        return None
    order = await uow.orders.get(seen.order_id, for_update=True)
    payment = await uow.payments.get(seen.id, for_update=True)
    if order is None or payment is None:
        return None
    return Locked(order, payment, await uow.cancellations.for_payment(payment.id))


async def save_settled(uow: UnitOfWork, locked: Locked, result: SettleResult) -> None:
    if result.changed:
        await uow.payments.save(locked.payment)
        await uow.orders.save(locked.order)
    for cancellation in result.cancellations:
        await uow.cancellations.save(cancellation)


@dataclass(frozen=True, slots=True)
class Synced:
    result: SettleResult
    order: Order
    payment: Payment
    forgery_cancel: Cancellation | None = None


class PaymentSync:
    """Apply one iamport record to our payment of its merchant_uid, in its own transactions."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        settlement: Settlement,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._settlement = settlement
        self._clock = clock
        self._ids = ids

    async def apply(self, record: GatewayPayment, cause: str) -> Synced:
        """Raises PaymentMissing when the merchant_uid is not one of our payments."""
        cancel: Cancellation | None = None
        async with self._uow() as uow:
            locked = await lock_payment(uow, record.merchant_uid)
            if locked is None:
                raise PaymentMissing(record.merchant_uid)
            now = self._clock.now()
            result = self._settlement.apply_record(
                locked.order, locked.payment, record, now, cause, locked.cancellations
            )
            await save_settled(uow, locked, result)
            forged = result.cancel_at_iamport
            if forged is not None and not any(c.in_flight for c in locked.cancellations):
                cancel = _forgery_cancel(
                    self._ids.new_id(),
                    locked.payment,
                    forged,
                    now,
                    self._settlement.first_check_at(now),
                )
                await uow.cancellations.add(cancel)
            await uow.commit()
        synced = Synced(result, locked.order, locked.payment, cancel)
        if cancel is None or forged is None:
            return synced
        return await self._cancel_forgery(synced, forged, cancel)

    async def _cancel_forgery(
        self, synced: Synced, forged: GatewayPayment, cancel: Cancellation
    ) -> Synced:
        """FAILED is committed; now give the money back at iamport at once."""
        log.warning(
            "forged payment %s (%s): cancelling %d KRW at iamport",
            forged.imp_uid,
            forged.merchant_uid,
            cancel.amount,
        )
        outcome = await self._gateway.cancel(
            CancelRequest(
                imp_uid=forged.imp_uid,
                amount=cancel.amount,
                checksum=cancel.checksum,
                reason=FORGERY_REASON,
            )
        )
        async with self._uow() as uow:
            locked = await lock_payment(uow, forged.merchant_uid)
            row = await uow.cancellations.get(cancel.id, for_update=True)
            assert locked is not None and row is not None
            now = self._clock.now()
            others = [c for c in locked.cancellations if c.id != row.id]
            result = self._settlement.apply_cancel(
                locked.order, locked.payment, row, outcome, now, VERIFICATION, others
            )
            await save_settled(uow, locked, result)
            await uow.commit()
        return Synced(synced.result, locked.order, locked.payment, row)


def _forgery_cancel(
    cancel_id: int, payment: Payment, forged: GatewayPayment, at: datetime, first_check: datetime
) -> Cancellation:
    balance = forged.amount - forged.cancel_amount
    return Cancellation(
        id=cancel_id,
        payment_id=payment.id,
        amount=balance,
        tax_free=0,
        vat_amount=vat_of(balance),
        checksum=balance,
        reason=FORGERY_REASON,
        requested_by=VERIFICATION,
        requested_at=at,
        next_check_at=first_check,
    )


def record_of(lookup: PaymentLookup) -> GatewayPayment | None:
    """iamport's record in a lookup answer, if it holds one."""
    match lookup:
        case Approved(value=GatewayPayment() as record) | Pending(payment=record):
            return record
        case Declined(payment=GatewayPayment() as record):
            return record
    return None


def _weight(record: GatewayPayment) -> int:
    status = IamportStatus(record.status)
    if status is IamportStatus.PAID or record.cancel_amount > 0 or record.paid_at is not None:
        return 3  # money moved: this try decides
    return {IamportStatus.CANCELLED: 2, IamportStatus.READY: 1}.get(status, 0)


def decisive_try(records: list[GatewayPayment]) -> GatewayPayment | None:
    """Of several tries under one merchant_uid, the one that decides: a paid one, else a
    closed or issued vbank, else the latest failed one."""
    if not records:
        return None
    epoch = datetime.min.replace(tzinfo=UTC)
    return max(records, key=lambda r: (_weight(r), r.started_at or epoch, r.imp_uid))


def tries_of(outcome: ListOutcome) -> list[GatewayPayment] | None:
    """All tries of a findAll answer; [] for NotFound; None when iamport did not answer."""
    match outcome:
        case Approved(value=list() as records):
            return records
        case NotFound():
            return []
    return None
