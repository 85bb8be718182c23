"""Shared by the use cases that apply iamport's records: load with locks, settle, save, and
cancel at iamport what Settlement asks for (a forged payment after FAILED is committed, a second
paid attempt of a paid order after PAID is committed).

Lock order, everywhere: the order, then the payment, then the payment's cancellations.
"""

import logging
from dataclasses import dataclass, field
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
from application.settlement import (
    DUPLICATE,
    DUPLICATE_REASON,
    VERIFICATION,
    Settlement,
    SettleResult,
)
from application.verification import FORGERY_REASON
from domain.cancellation import Cancellation
from domain.money import vat_of
from domain.order import Order
from domain.payment import Payment
from domain.refund_policy import refund_vat

log = logging.getLogger("dolgo_pay.settlement")

# Causes written into the transition history (users are `user:<seq>`, see actor.user_cause).
WEBHOOK = "webhook"
JANITOR = "janitor"
RECONCILE = "reconcile"


class PaymentMissing(Exception):
    """No payment of ours has this merchant_uid."""


@dataclass(frozen=True, slots=True)
class Locked:
    order: Order
    payment: Payment
    cancellations: list[Cancellation]


async def lock_payment(uow: UnitOfWork, merchant_uid: str) -> Locked | None:
    """The payment of `merchant_uid` with its order and cancellations, locked in lock order."""
    order = await uow.orders.get_by_merchant_uid(merchant_uid, for_update=True)
    if order is None:
        return None
    payment = await uow.payments.get_by_merchant_uid(merchant_uid, for_update=True)
    if payment is None:
        return None
    return Locked(order, payment, await uow.cancellations.for_payment(payment.id))


def report_unsent_cancel(payment: Payment, result: SettleResult, at: datetime) -> None:
    """For callers that do not send the cancel Settlement asks for (billing-key charges, an
    operator's settling): the money to give back is reported on the payment instead."""
    target = result.cancel_at_iamport or result.refund_duplicate
    if target is not None:
        why = FORGERY_REASON if result.cancel_at_iamport else DUPLICATE_REASON
        payment.needs_attention(
            f"{why}: refund {target.imp_uid} "
            f"({target.amount - target.cancel_amount} KRW) at iamport",
            at,
        )


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
    duplicate_refund: Cancellation | None = None  # a double charge given back (Settlement)


async def prove_unpaid(
    uow_factory: UnitOfWorkFactory,
    settlement: Settlement,
    at: datetime,
    payment: Payment,
    cause: str,
    reason: str,
) -> SettleResult:
    """Record, under the row locks, that `payment` charged nothing (the caller knows why)."""
    async with uow_factory() as uow:
        order = await uow.orders.get(payment.order_id, for_update=True)
        row = await uow.payments.get(payment.id, for_update=True)
        assert order is not None and row is not None
        result = settlement.apply_unpaid_proof(order, row, at, cause, reason)
        if result.changed:
            await uow.payments.save(row)
            await uow.orders.save(order)
        await uow.commit()
    return result


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What iamport said when asked about an attempt."""

    answered: bool  # False: iamport did not answer; nothing is known
    tries: list[GatewayPayment] = field(default_factory=list)  # its tries under the merchant_uid
    synced: Synced | None = None  # the decisive try, applied to our payment


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

    @property
    def settlement(self) -> Settlement:
        return self._settlement

    async def confirm(self, payment: Payment, cause: str) -> Confirmation:
        """Ask iamport about an attempt (every try under its merchant_uid) and apply the
        decisive try, if there is one. What no try at all means is the caller's to say."""
        tries = tries_of(await self._gateway.find_all_payments(payment.merchant_uid))
        if tries is None:
            return Confirmation(answered=False)
        decisive = decisive_try(tries)
        synced = await self.apply(decisive, cause) if decisive is not None else None
        return Confirmation(True, tries, synced)

    async def prove_unpaid(self, payment: Payment, cause: str, reason: str) -> SettleResult:
        return await prove_unpaid(
            self._uow, self._settlement, self._clock.now(), payment, cause, reason
        )

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
            # The cancel's intent is committed with the state it follows from (one in flight).
            target = result.cancel_at_iamport or result.refund_duplicate
            if target is not None and not any(c.in_flight for c in locked.cancellations):
                first_check = self._settlement.first_check_at(now)
                new_id = self._ids.new_id()
                if result.cancel_at_iamport is not None:
                    cancel = _forgery_cancel(new_id, locked.payment, target, now, first_check)
                else:
                    cancel = _duplicate_refund(new_id, locked.payment, now, first_check)
                await uow.cancellations.add(cancel)
            await uow.commit()
        synced = Synced(result, locked.order, locked.payment)
        if cancel is None or target is None:
            return synced
        return await self._cancel(synced, target, cancel)

    async def _cancel(self, synced: Synced, target: GatewayPayment, cancel: Cancellation) -> Synced:
        """FAILED (forgery) or PAID (double charge) is committed; give the money back at once."""
        log.warning(
            "%s %s (%s): cancelling %d KRW at iamport",
            cancel.reason,
            target.imp_uid,
            target.merchant_uid,
            cancel.amount,
        )
        outcome = await self._gateway.cancel(
            CancelRequest(
                imp_uid=target.imp_uid,
                amount=cancel.amount,
                checksum=cancel.checksum,
                reason=cancel.reason,
                tax_free=cancel.tax_free if cancel.requested_by == DUPLICATE else None,
                vat_amount=cancel.vat_amount if cancel.requested_by == DUPLICATE else None,
            )
        )
        async with self._uow() as uow:
            locked = await lock_payment(uow, target.merchant_uid)
            row = await uow.cancellations.get(cancel.id, for_update=True)
            assert locked is not None and row is not None
            now = self._clock.now()
            others = [c for c in locked.cancellations if c.id != row.id]
            result = self._settlement.apply_cancel(
                locked.order, locked.payment, row, outcome, now, cancel.requested_by, others
            )
            await save_settled(uow, locked, result)
            await uow.commit()
        if row.requested_by == DUPLICATE:
            return Synced(synced.result, locked.order, locked.payment, duplicate_refund=row)
        return Synced(synced.result, locked.order, locked.payment, forgery_cancel=row)


def _forgery_cancel(
    cancel_id: int, payment: Payment, forged: GatewayPayment, at: datetime, first_check: datetime
) -> Cancellation:
    """The cancel of what is left of a forged try (FAILED: nothing of it is booked as ours)."""
    balance = forged.amount - forged.cancel_amount
    return payment.cancellation(
        cancel_id,
        amount=balance,
        tax_free=0,
        vat_amount=vat_of(balance),
        checksum=balance,
        reason=FORGERY_REASON,
        requested_by=VERIFICATION,
        at=at,
        next_check_at=first_check,
    )


def _duplicate_refund(
    cancel_id: int, payment: Payment, at: datetime, first_check: datetime
) -> Cancellation:
    """The full refund of a second paid attempt (PAID, so its balance is ours to give back)."""
    balance, tax_free = payment.refundable, payment.refundable_tax_free
    return payment.cancellation(
        cancel_id,
        amount=balance,
        tax_free=tax_free,
        vat_amount=refund_vat(payment, balance, tax_free),
        checksum=balance,
        reason=DUPLICATE_REASON,
        requested_by=DUPLICATE,
        at=at,
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
