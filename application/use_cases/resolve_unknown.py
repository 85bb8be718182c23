"""The janitor of unknown outcomes (spec §4.7): re-ask iamport on a backoff, settle what it
proves, never retry blindly and never fail by guess; what stays unknown is listed for operators.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from application.billing import lock_charge
from application.claimed_work import claim, claimed, release, this_worker
from application.gateway import IamportGateway, NotFound
from application.payment_sync import (
    JANITOR,
    PaymentSync,
    lock_payment,
    record_of,
    save_settled,
)
from application.ports import Clock, Page, PaymentFilter, UnitOfWorkFactory, Work
from application.settings import PaymentSettings
from application.settlement import Settlement
from domain.cancellation import Cancellation
from domain.payment import Payment
from domain.status import CancellationStatus, PaymentStatus

log = logging.getLogger("dolgo_pay.janitor")

CHARGE = "charge"  # the unknown operation of a billing-key charge (`again`)


@dataclass(frozen=True, slots=True)
class ResolveCommand:
    limit: int = 100
    owner: str = field(default_factory=this_worker)  # whose lease the claimed rows carry


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

    iamport's not-found is no proof at the first check of a key charge (`again`) that got no
    answer: the payment stays REQUESTED on the backoff (1m, 5m, 1h, 1d, then daily). A charge
    iamport still knows nothing of at a later check — `findAll` and `find` by merchant_uid
    both not found, the call's deadline long past — was never received: it is proven not
    attempted and its cycle moves on (ADR 0015). Other unknown calls are escalated to
    operators once the backoff is exhausted; nothing is failed here by guess.
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
        work, owner = Work.UNKNOWN_PAYMENTS, command.owner
        lease = self._settings.work_lease
        ids = await claim(self._uow, work, owner, self._clock.now(), command.limit, lease)
        out = []
        try:
            for payment_id in ids:
                async with self._uow() as uow:
                    payment = await uow.payments.get(payment_id)
                if payment is not None:
                    out.append(await self.resolve(payment, JANITOR))
        finally:
            await release(self._uow, work, ids, owner)
        return ResolveResult(out)

    async def resolve(self, payment: Payment, cause: str) -> Resolution:
        """Settle one unknown payment from iamport's word, or check it again later."""
        confirmed = await self._sync.confirm(payment, cause)
        if confirmed.synced is not None:
            status = confirmed.synced.payment.status
            if status is not PaymentStatus.REQUESTED:
                return Resolution(payment.id, payment.merchant_uid, status.name.lower())
        elif (
            confirmed.answered
            and not confirmed.tries
            and payment.unknown is not None
            and payment.unknown.operation == CHARGE
        ):
            found = await self._gateway.find_payment(payment.merchant_uid)
            if isinstance(found, NotFound) and await self._prove_not_attempted(payment, cause):
                return Resolution(payment.id, payment.merchant_uid, "not_attempted")
        return await self._check_later(payment)

    async def _prove_not_attempted(self, payment: Payment, cause: str) -> bool:
        """Both lookups found nothing: proof once the call's deadline is long past and an
        earlier check, a backoff step ago, found nothing either (checks >= 1)."""
        async with self._uow() as uow:
            order, row = await lock_charge(uow, payment.order_id, payment.id)
            now = self._clock.now()
            unknown = row.unknown
            if (
                row.status is not PaymentStatus.REQUESTED
                or unknown is None
                or unknown.checks < 1
                or unknown.next_check_at > now  # another worker just checked it
                or now < row.requested_at + self._settings.next_check_after(0)
            ):
                return False
            settled = self._sync.settlement.apply_not_attempted(
                order, row, now, cause, "iamport holds no try of this charge: never received"
            )
            await uow.orders.save(order)
            await uow.payments.save(row)
            await uow.commit()
        log.warning("charge %s proven not attempted: %s", row.merchant_uid, settled.order_status)
        return True

    async def _check_later(self, payment: Payment) -> Resolution:
        async with self._uow() as uow:
            row = await uow.payments.get(payment.id, for_update=True)
            if row is None or row.status is not PaymentStatus.REQUESTED or row.unknown is None:
                return Resolution(payment.id, payment.merchant_uid, "settled_meanwhile")
            now = self._clock.now()
            if row.unknown.next_check_at > now:  # another worker checked it meanwhile
                return Resolution(payment.id, payment.merchant_uid, "checked_meanwhile")
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
        work, now, lease = Work.UNKNOWN_CANCELLATIONS, self._clock.now(), self._settings.work_lease
        async with claimed(self._uow, work, command.owner, now, command.limit, lease) as ids:
            async with self._uow() as uow:
                due = [c for i in ids if (c := await uow.cancellations.get(i)) is not None]
                payments = {c.id: await uow.payments.get(c.payment_id) for c in due}
            return await self._resolve_all(due, payments)

    async def _resolve_all(
        self, due: list[Cancellation], payments: dict[int, Payment | None]
    ) -> ResolveResult:
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
