"""The janitor of unknown outcomes (spec §4.7): re-ask iamport on a backoff, settle what it
proves, never retry blindly and never fail by guess; what stays unknown is listed for operators.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from application.gateway import IamportGateway
from application.ports import Clock, Page, PaymentFilter, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.settlement import Settlement
from application.use_cases.payment_sync import (
    JANITOR,
    PaymentSync,
    decisive_try,
    lock_payment,
    record_of,
    save_settled,
    tries_of,
)
from domain.cancellation import Cancellation
from domain.payment import Payment
from domain.status import CancellationStatus, PaymentStatus

log = logging.getLogger("dolgo_pay.janitor")


@dataclass(frozen=True, slots=True)
class ResolveCommand:
    limit: int = 100


@dataclass(frozen=True, slots=True)
class Resolution:
    id: int  # payment or cancellation id
    merchant_uid: str
    outcome: str  # paid | ready | failed | refunded | rejected | still_unknown | ...
    escalated: bool = False  # the backoff is exhausted: an operator should settle it


@dataclass(frozen=True, slots=True)
class ResolveResult:
    resolutions: list[Resolution] = field(default_factory=list)

    @property
    def still_unknown(self) -> list[Resolution]:
        return [r for r in self.resolutions if r.outcome == "still_unknown"]


class ResolveUnknownPayments:
    """REQUESTED payments whose call's answer was lost, due for a check: ask iamport by
    merchant_uid (findAll: every try) and settle what its record proves.

    iamport's not-found is no proof for a key charge (`again`) that got no answer: iamport may
    still be processing it. Such a payment stays REQUESTED on the backoff (1m, 5m, 1h, 1d, then
    daily) and is escalated to operators once the backoff is exhausted; it is never failed
    here by guess.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        sync: PaymentSync,
        clock: Clock,
        settings: PaymentSettings,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._sync = sync
        self._clock = clock
        self._settings = settings

    async def execute(self, command: ResolveCommand) -> ResolveResult:
        async with self._uow() as uow:
            due = await uow.payments.unresolved(self._clock.now(), command.limit)
        return ResolveResult([await self._resolve(p) for p in due])

    async def _resolve(self, payment: Payment) -> Resolution:
        tries = tries_of(await self._gateway.find_all_payments(payment.merchant_uid))
        decisive = decisive_try(tries or [])
        if decisive is not None:
            synced = await self._sync.apply(decisive, JANITOR)
            status = synced.payment.status
            if status is not PaymentStatus.REQUESTED:
                return Resolution(payment.id, payment.merchant_uid, status.name.lower())
        return await self._check_later(payment)

    async def _check_later(self, payment: Payment) -> Resolution:
        async with self._uow() as uow:
            row = await uow.payments.get(payment.id, for_update=True)
            if row is None or row.status is not PaymentStatus.REQUESTED or row.unknown is None:
                return Resolution(payment.id, payment.merchant_uid, "settled_meanwhile")
            now = self._clock.now()
            checks = row.unknown.checks + 1
            row.mark_unknown(
                now, now + self._settings.next_check_after(checks), row.unknown.operation
            )
            await uow.payments.save(row)
            await uow.commit()
        escalated = checks >= len(self._settings.unknown_backoff)
        if escalated:
            log.warning("payment %s still unknown after %d checks", row.merchant_uid, checks)
        return Resolution(payment.id, payment.merchant_uid, "still_unknown", escalated)


class ResolveUnknownCancellations:
    """In-flight cancellations due for a check: UNKNOWN ones (the cancel's answer was lost) and
    REQUESTED ones past their first check time (the process died between recording the intent
    and recording iamport's answer, or never sent it). iamport's record of the payment
    (cancel_amount, cancel_history) says whether our cancel happened → SUCCEEDED (and the
    refund is booked) or REJECTED (iamport cancels synchronously: a cancel its history does not
    show was never carried out). No record → UNKNOWN, asked again on the backoff."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        settlement: Settlement,
        clock: Clock,
        settings: PaymentSettings,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._settlement = settlement
        self._clock = clock
        self._settings = settings

    async def execute(self, command: ResolveCommand) -> ResolveResult:
        async with self._uow() as uow:
            due = await uow.cancellations.unresolved(self._clock.now(), command.limit)
            payments = {c.id: await uow.payments.get(c.payment_id) for c in due}
        out = []
        for cancellation in due:
            payment = payments[cancellation.id]
            if payment is None or not payment.imp_uid:
                out.append(await self._check_later(cancellation, "?"))
                continue
            record = record_of(await self._gateway.get_payment(payment.imp_uid))
            if record is None:
                out.append(await self._check_later(cancellation, payment.merchant_uid))
                continue
            async with self._uow() as uow:
                locked = await lock_payment(uow, payment.merchant_uid)
                row = await uow.cancellations.get(cancellation.id, for_update=True)
                assert locked is not None and row is not None
                others = [c for c in locked.cancellations if c.id != row.id]
                result = self._settlement.resolve_cancellation(
                    locked.order, locked.payment, row, record, self._clock.now(), JANITOR, others
                )
                await save_settled(uow, locked, result)
                await uow.commit()
            out.append(Resolution(row.id, payment.merchant_uid, row.status.name.lower()))
        return ResolveResult(out)

    async def _check_later(self, cancellation: Cancellation, merchant_uid: str) -> Resolution:
        async with self._uow() as uow:
            row = await uow.cancellations.get(cancellation.id, for_update=True)
            if row is None or not row.in_flight:
                return Resolution(cancellation.id, merchant_uid, "settled_meanwhile")
            now = self._clock.now()
            row.outcome_unknown(now, now + self._settings.next_check_after(row.checks + 1), JANITOR)
            await uow.cancellations.save(row)
            await uow.commit()
        escalated = row.checks >= len(self._settings.unknown_backoff)
        return Resolution(cancellation.id, merchant_uid, "still_unknown", escalated)


# -- what operators see ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UnknownPayment:
    payment_id: int
    order_id: int
    merchant_uid: str
    amount: int
    operation: str
    since: datetime
    checks: int
    next_check_at: datetime


@dataclass(frozen=True, slots=True)
class UnknownCancellation:
    cancellation_id: int
    payment_id: int
    amount: int
    requested_by: str
    requested_at: datetime
    checks: int
    next_check_at: datetime | None


@dataclass(frozen=True, slots=True)
class UnknownOutcomes:
    payments: list[UnknownPayment]
    cancellations: list[UnknownCancellation]


@dataclass(frozen=True, slots=True)
class ListUnknownOutcomesQuery:
    limit: int = 200


class ListUnknownOutcomes:
    """Every call whose outcome is still unknown, oldest first: what an operator may settle."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, query: ListUnknownOutcomesQuery) -> UnknownOutcomes:
        now = self._clock.now()
        horizon = now + timedelta(days=36_500)  # every one, due or not
        async with self._uow() as uow:
            payments = await uow.payments.search(
                PaymentFilter(status=[PaymentStatus.REQUESTED], unknown_only=True),
                Page(limit=query.limit),
            )
            cancellations = await uow.cancellations.unresolved(horizon, query.limit)
        return UnknownOutcomes(
            payments=sorted(
                (
                    UnknownPayment(
                        p.id,
                        p.order_id,
                        p.merchant_uid,
                        p.amount.total,
                        p.unknown.operation,
                        p.unknown.since,
                        p.unknown.checks,
                        p.unknown.next_check_at,
                    )
                    for p in payments
                    if p.unknown is not None
                ),
                key=lambda u: u.since,
            ),
            cancellations=[
                UnknownCancellation(
                    c.id,
                    c.payment_id,
                    c.amount,
                    c.requested_by,
                    c.requested_at,
                    c.checks,
                    c.next_check_at,
                )
                for c in cancellations
                # A REQUESTED one not yet due is simply in flight; past its first check time,
                # its answer was never recorded.
                if c.status is CancellationStatus.UNKNOWN
                or (c.next_check_at is not None and c.next_check_at <= now)
            ],
        )
