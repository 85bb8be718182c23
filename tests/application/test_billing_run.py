"""The billing run: claimed batches, bounded concurrency, no cap per run, no lost cycle, and
a cycle paid twice is given back."""

import asyncio
from datetime import timedelta

from application.billing import BillingCharges
from application.gateway import Unknown
from application.payment_sync import PaymentSync
from application.use_cases.charge_cycle import (
    ChargeCycle,
    ChargeCycleCommand,
    ChargeDueSubscriptions,
    ChargeDueSubscriptionsCommand,
    CycleAction,
)
from domain.status import OrderStatus, PaymentStatus
from tests.application.builders import World, charges, cycle_use_case, kst, settlement, started

DUE = kst(2026, 4, 2, 10)


class SlowCharges:
    """Wraps the fake gateway: each charge takes a moment, and the most ever in flight at once
    is recorded."""

    def __init__(self, w: World) -> None:
        self.in_flight = self.most = self.started = 0
        real = w.gateway.charge_billing_key

        async def charge(request):
            self.started += 1
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            try:
                await asyncio.sleep(0.002)
                return await real(request)
            finally:
                self.in_flight -= 1

        w.gateway.charge_billing_key = charge


async def run(w: World, owner: str = "a", **kw):
    w.clock.set(DUE)
    return await ChargeDueSubscriptions(w.store, w.clock, cycle_use_case(w)).execute(
        ChargeDueSubscriptionsCommand(owner=owner, **kw)
    )


async def sponsorships(w: World, n: int) -> list[int]:
    return [(await started(w))[0].id for _ in range(n)]


def cycle_charges(w: World) -> list[str]:
    return [c.merchant_uid for c in charges(w) if "c2a" in c.merchant_uid]


async def test_one_run_charges_every_due_sponsorship_in_batches_with_bounded_concurrency():
    w = World()
    orders = await sponsorships(w, 45)
    slow = SlowCharges(w)

    result = await run(w, concurrency=4, batch=10)

    assert sorted(cycle_charges(w)) == sorted(f"dp{o}c2a1" for o in orders)  # no cap, once each
    assert result.actions["charged"] == 45 and result.errors == 0
    assert 1 < slow.most <= 4
    assert w.store.leases == {}  # every lease was released at the end of the run


async def test_a_run_leases_at_most_four_rounds_of_charges_ahead_of_its_work():
    w = World()
    await sponsorships(w, 40)
    slow = SlowCharges(w)
    ahead: list[int] = []
    charge = w.gateway.charge_billing_key

    async def counted(request):
        ahead.append(len(w.store.leases) - slow.started)  # leased, not yet started
        return await charge(request)

    w.gateway.charge_billing_key = counted
    result = await run(w, concurrency=2)  # the default batch: two rounds, 4 orders a claim

    assert result.actions["charged"] == 40
    assert max(ahead) <= 4 * 2, max(ahead)  # another instance finds the rest due


async def test_two_runs_at_once_charge_each_cycle_once_and_share_the_work():
    w = World()
    orders = await sponsorships(w, 30)
    SlowCharges(w)

    a, b = await asyncio.gather(
        run(w, "a", concurrency=3, batch=5), run(w, "b", concurrency=3, batch=5)
    )

    assert sorted(cycle_charges(w)) == sorted(f"dp{o}c2a1" for o in orders)
    assert a.actions.get("charged", 0) > 0 and b.actions.get("charged", 0) > 0


async def test_a_sponsorship_is_charged_once_per_run_even_when_its_next_cycle_is_due_too():
    w = World()
    [order] = await sponsorships(w, 1)
    w.clock.set(DUE + timedelta(days=62))  # the run comes late: April's and May's are due

    await ChargeDueSubscriptions(w.store, w.clock, cycle_use_case(w)).execute(
        ChargeDueSubscriptionsCommand(owner="a")
    )

    assert [c.merchant_uid for c in charges(w)][1:] == [f"dp{order}c2a1"]


async def test_a_cycle_charged_after_all_by_an_attempt_proven_not_attempted_is_refunded():
    w = World()
    [order] = await sponsorships(w, 1)
    w.gateway.script("charge_billing_key", Unknown("read timeout"))  # iamport saw nothing
    for minutes in (0, 1, 6):  # intent; not found; not found again → proven, attempt 2 paid
        w.clock.set(DUE + timedelta(minutes=minutes))
        await ChargeDueSubscriptions(w.store, w.clock, cycle_use_case(w)).execute(
            ChargeDueSubscriptionsCommand(owner="a")
        )
    [_, lost, paid] = await w.payments_of(order)
    assert (lost.status, paid.status) == (PaymentStatus.FAILED, PaymentStatus.ROUTINE_PAID)

    # The first attempt turns up paid after all (iamport was slow to record it).
    record = w.gateway.plant_payment(lost.merchant_uid, lost.amount.total, channel="api")
    sync = PaymentSync(w.store, w.gateway, settlement(w), w.clock, w.ids)
    synced = await sync.apply(record, "webhook")

    assert synced.payment.status is PaymentStatus.CANCELLED  # refunded in full at iamport
    assert w.gateway.calls_of("cancel")[0].imp_uid == record.imp_uid
    assert "paid twice" in (synced.payment.attention or "")  # and flagged for an operator
    stored = await w.order(order)
    assert stored.status is OrderStatus.ROUTINE
    assert stored.subscription.next_charge_at == kst(2026, 5, 2, 10)


class OrderReads:
    """A UnitOfWorkFactory over the world's store recording each `orders.get` (locked or not)."""

    def __init__(self, w: World) -> None:
        self._store, self.locked = w.store, []

    def __call__(self):
        uow = self._store()
        get = uow.orders.get

        async def recorded(order_id, *, for_update=False):
            self.locked.append(for_update)
            return await get(order_id, for_update=for_update)

        uow.orders.get = recorded
        return uow


async def test_a_due_cycle_reads_its_order_only_under_the_locks_of_the_intent_and_the_outcome():
    w = World()
    order, _ = await started(w)
    reads = OrderReads(w)
    w.clock.set(DUE)
    charges_ = BillingCharges(
        reads, w.gateway, w.clock, w.settings, settlement(w), w.ids, w.channels
    )
    cycle = ChargeCycle(reads, w.clock, w.ids, w.settings, charges_, None)  # type: ignore[arg-type]

    result = await cycle.execute(ChargeCycleCommand(order.id))

    assert result.action is CycleAction.CHARGED and result.payment.is_paid
    assert reads.locked == [True, True]  # the intent's transaction, then the outcome's
