"""The scheduler's monthly charges (spec §4.4): one cycle attempt per due sponsorship.

merchant_uid is deterministic in (order, cycle, attempt), and a new attempt is made only when
the previous one is known unpaid:
  - FAILED with unpaid_proven (declined, not attempted, or proven by a lookup) → go;
  - FAILED not proven (rejected) → first look the previous merchant_uid up
    (`find/{uid}/paid`): a paid try is settled as paid and no new attempt is made; no paid try
    proves it unpaid (Settlement then applies the dunning consequences); no usable answer →
    wait and ask again later;
  - REQUESTED with an unknown outcome (an answer lost, or a process that died between intent
    and outcome) → the janitor's own resolution (`ResolveUnknownPayments.resolve`): settled
    from iamport's record, proven not attempted (ADR 0015), or checked again later.
Nothing is failed by guess. While an attempt is in flight its sponsorship stays due at the
attempt's next check time, so the billing job finds it again should nobody record an answer.

The billing job claims due sponsorships in batches (WorkLeases) and charges them with bounded
concurrency until none is due; two instances take disjoint batches.
"""

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum, StrEnum

from application.billing import (
    BillingCharges,
    Verdict,
    new_charge,
)
from application.claimed_work import claim, release, this_worker
from application.ports import Clock, ConcurrentUpdate, IdGenerator, UnitOfWorkFactory, Work
from application.settings import PaymentSettings
from application.use_cases.one_click import ChargeState, charge_state
from application.use_cases.resolve_unknown import ResolveUnknownPayments
from domain.order import Order
from domain.payment import Payment
from domain.status import PaymentStatus

log = logging.getLogger("dolgo_pay.scheduler")

SCHEDULER = "scheduler"


class _Latest(Enum):
    LATEST = "latest"  # `_attempt` without a read before: whatever attempt is latest


LATEST = _Latest.LATEST


class CycleAction(StrEnum):
    CHARGED = "charged"  # a new attempt was sent (see `state`)
    PREVIOUS_PAID = "previous_paid"  # the lookup found the previous attempt paid: settled
    WAITING = "waiting"  # the previous attempt is not known unpaid yet, or a retry is scheduled
    NOT_DUE = "not_due"  # not an active sponsorship with a charge due now


@dataclass(frozen=True, slots=True)
class ChargeCycleCommand:
    order_id: int


@dataclass(frozen=True, slots=True)
class ChargeCycleResult:
    action: CycleAction
    order: Order
    payment: Payment | None = None  # the new attempt (CHARGED) or the settled one
    state: ChargeState | None = None


def is_due(order: Order, now: datetime) -> bool:
    sub = order.subscription
    return (
        order.is_active_routine
        and sub is not None
        and sub.next_charge_at is not None
        and sub.next_charge_at <= now
    )


def may_follow(previous: Payment | None) -> bool:
    """Whether a new charge may follow `previous` without asking iamport first: nothing before,
    the previous cycle paid (a new cycle starts), or the previous attempt known unpaid."""
    return previous is None or previous.is_paid or previous.known_unpaid


class ChargeCycle:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        settings: PaymentSettings,
        charges: BillingCharges,
        unknown: ResolveUnknownPayments,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._settings = settings
        self._charges = charges
        self._unknown = unknown

    async def execute(self, command: ChargeCycleCommand) -> ChargeCycleResult:
        # The common case — due, and the previous attempt paid or known unpaid — is decided
        # under the lock that records the attempt, with no read before it.
        started = await self._attempt(command.order_id, LATEST)
        if started is not None:
            return started
        order, previous = await self._read(command.order_id)
        if not is_due(order, self._clock.now()):
            return ChargeCycleResult(CycleAction.NOT_DUE, order)

        if previous is not None and previous.status is PaymentStatus.REQUESTED:
            unknown = previous.unknown
            if unknown is not None and unknown.next_check_at <= self._clock.now():
                await self._unknown.resolve(previous, SCHEDULER)
                order, previous = await self._read(order.id)
            if previous is not None and previous.status is PaymentStatus.REQUESTED:
                # Still in flight, or iamport has not answered: come back at its next check.
                await self._postpone(order.id, previous)
                return ChargeCycleResult(CycleAction.WAITING, order, previous)
            if previous is not None and previous.is_paid:
                return ChargeCycleResult(
                    CycleAction.PREVIOUS_PAID, order, previous, charge_state(previous)
                )
            if not is_due(order, self._clock.now()):
                return ChargeCycleResult(CycleAction.WAITING, order, previous)

        if not may_follow(previous):
            assert previous is not None
            verdict, order, looked_up, _ = await self._charges.look_up(
                order.id, previous.id, SCHEDULER
            )
            if verdict is Verdict.PAID:
                return ChargeCycleResult(
                    CycleAction.PREVIOUS_PAID, order, looked_up, charge_state(looked_up)
                )
            if verdict is Verdict.WAIT:
                await self._postpone(order.id, None)
                return ChargeCycleResult(CycleAction.WAITING, order, previous)
            # Proven unpaid: Settlement has applied the consequences (dunning may have moved
            # the next charge to later, or ended the sponsorship).
            order, previous = await self._read(order.id)
            if not is_due(order, self._clock.now()):
                return ChargeCycleResult(CycleAction.WAITING, order, previous)

        attempted = await self._attempt(order.id, previous)
        assert attempted is not None
        return attempted

    async def _read(self, order_id: int) -> tuple[Order, Payment | None]:
        async with self._uow() as uow:
            order = await uow.orders.get(order_id)
            assert order is not None, f"order {order_id} vanished"
            payments = await uow.payments.for_order(order_id)
        return order, (payments[-1] if payments else None)

    async def _attempt(
        self, order_id: int, previous: Payment | None | _Latest
    ) -> ChargeCycleResult | None:
        """Record and send the next attempt, if the order is due and its latest attempt is
        `previous` (read before) and may be followed. With LATEST nothing was read before:
        None when the latest attempt must first be resolved (`execute`'s slower path)."""
        states = await self._charges.router.states()
        async with self._uow() as uow:
            order = await uow.orders.get(order_id, for_update=True)
            assert order is not None, f"order {order_id} vanished"
            payments = await uow.payments.for_order(order_id)
            latest = payments[-1] if payments else None
            now = self._clock.now()
            if previous is LATEST:
                if not is_due(order, now):
                    return ChargeCycleResult(CycleAction.NOT_DUE, order)
                if not may_follow(latest):
                    return None
            elif (
                (latest.id if latest else None) != (previous.id if previous else None)
                or not may_follow(latest)
                or not is_due(order, now)
            ):
                # Another instance charged meanwhile, or the state changed under us.
                return ChargeCycleResult(CycleAction.WAITING, order, latest)
            assert order.subscription is not None
            card = await uow.cards.get(order.subscription.card_id)
            targets = self._charges.router.billing_targets(card, states) if card else []
            if targets and not targets[0].usable:
                # Every PG holding the card's keys is down: no attempt, no dunning; back when
                # a breaker would let a probe through.
                order.subscription.retry_at(now + self._settings.breaker.open_for)
                await uow.orders.save(order)
                await uow.commit()
                return ChargeCycleResult(CycleAction.WAITING, order, latest)
            cycle, attempt = order.begin_cycle_attempt(now)
            payment = new_charge(
                self._ids.new_id(),
                order,
                attempt=attempt,
                cycle=cycle,
                channel=targets[0].channel.name if targets else (latest.channel if latest else ""),
                card_id=order.subscription.card_id,
                at=now,
                in_flight_for=self._settings.next_check_after(0),
                route_reason=targets[0].reason if targets else "the card holds no usable key",
            )
            # Due again at the attempt's first check: should no answer ever be recorded (a
            # crash), the billing job meets the attempt again, as the janitor does.
            assert payment.unknown is not None
            order.subscription.retry_at(payment.unknown.next_check_at)
            await uow.orders.save(order)
            await uow.payments.add(payment)
            await uow.commit()
        charged = await self._charges.charge(order, payment, targets, SCHEDULER)
        return ChargeCycleResult(
            CycleAction.CHARGED, charged.order, charged.payment, charge_state(charged.payment)
        )

    async def _postpone(self, order_id: int, in_flight: Payment | None) -> None:
        """Come back at the in-flight attempt's next check, or (iamport did not answer the
        lookup) after the first backoff step."""
        now = self._clock.now()
        if in_flight is not None and in_flight.unknown is not None:
            until = max(in_flight.unknown.next_check_at, now + timedelta(seconds=1))
        else:
            until = now + self._settings.next_check_after(0)
        async with self._uow() as uow:
            order = await uow.orders.get(order_id, for_update=True)
            if order is None or order.subscription is None or not is_due(order, now):
                return
            order.subscription.retry_at(until)
            await uow.orders.save(order)
            await uow.commit()


# -- the scheduler's job ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChargeDueSubscriptionsCommand:
    owner: str = field(default_factory=this_worker)  # whose lease the claimed orders carry
    concurrency: int = 50  # charges under way at once
    # Orders claimed per claim; default two rounds of charges (2 × concurrency): an instance
    # then holds at most 4× its concurrency of leased orders not yet started (queued, and
    # claimed but not yet queued), so a second instance started a moment later still finds
    # its share due.
    batch: int | None = None
    lease: timedelta = timedelta(minutes=5)  # longer than one charge (its gateway calls)

    @property
    def claim_size(self) -> int:
        return 2 * self.concurrency if self.batch is None else self.batch


@dataclass(frozen=True, slots=True)
class ChargeDueSubscriptionsResult:
    actions: dict[str, int] = field(default_factory=dict)  # CycleAction / ChargeState → count
    conflicts: int = 0  # another instance took the order first
    errors: int = 0


class ChargeDueSubscriptions:
    """Charge every sponsorship whose next charge is due; one order's failure stops no other.

    Claims due orders in batches and charges them `concurrency` at a time until none is left:
    no cap per run, and memory bounded by the batch, not by the number due (only the ids of
    orders done are kept, to release their leases at the end: an order is charged at most
    once per run even when its next cycle is already due too).
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, charge_cycle: ChargeCycle) -> None:
        self._uow = uow
        self._clock = clock
        self._charge_cycle = charge_cycle

    async def execute(self, command: ChargeDueSubscriptionsCommand) -> ChargeDueSubscriptionsResult:
        batch = command.claim_size
        if command.concurrency < 1 or batch < 1:
            raise ValueError("concurrency and batch must be at least 1")
        counts: Counter[str] = Counter()
        tally = {"conflicts": 0, "errors": 0}
        done: list[int] = []
        queue: asyncio.Queue[int | None] = asyncio.Queue(maxsize=batch)

        async def claim_until_none_due() -> None:
            try:
                while ids := await claim(
                    self._uow,
                    Work.DUE_CHARGES,
                    command.owner,
                    self._clock.now(),
                    batch,
                    command.lease,
                ):
                    for order_id in ids:
                        await queue.put(order_id)
            finally:
                for _ in range(command.concurrency):
                    await queue.put(None)

        async def charge() -> None:
            while (order_id := await queue.get()) is not None:
                done.append(order_id)
                try:
                    result = await self._charge_cycle.execute(ChargeCycleCommand(order_id))
                except ConcurrentUpdate:
                    tally["conflicts"] += 1
                    continue
                except Exception:
                    tally["errors"] += 1
                    log.exception("order %s: monthly charge failed", order_id)
                    continue
                counts[result.action.value] += 1
                if result.state is not None:
                    counts[result.state.value] += 1

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(claim_until_none_due())
                for _ in range(command.concurrency):
                    group.create_task(charge())
        finally:
            for start in range(0, len(done), 500):
                await release(self._uow, Work.DUE_CHARGES, done[start : start + 500], command.owner)
        return ChargeDueSubscriptionsResult(dict(counts), tally["conflicts"], tally["errors"])
