"""The outbox contract on the fakes, SQLite and MariaDB: events commit (or roll back) with the
state change; deliveries are claimed under leases, skipping rows another claimer holds."""

import asyncio
import json
from datetime import timedelta

import pytest

from application.outbox import DeliveryAttempt, DeliveryFilter, DeliveryState, EventDelivery
from application.ports import ConcurrentUpdate, Work
from domain.payment import SettledFacts
from domain.status import PaymentStatus
from tests.persistence import builders as b
from tests.persistence.builders import T0
from tests.persistence.databases import sql_database


async def paid(uow_factory, *, commit: bool = True):
    order = b.order()
    payment = b.payment(order.id, status=PaymentStatus.REQUESTED, imp_uid=None)
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.payments.add(payment)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.payments.get(payment.id, for_update=True)
        loaded.approve(SettledFacts("imp_out1", pg_provider="nice"), T0, "webhook")
        await uow.payments.save(loaded)
        if commit:
            await uow.commit()
    return payment


async def events(uow_factory):
    async with uow_factory() as uow:
        return await uow.events.search(None)


async def dispatch(uow_factory, endpoints=("main",), at=T0):
    async with uow_factory() as uow:
        found = await uow.events.undispatched(100)
        for event in found:
            for endpoint in endpoints:
                await uow.events.add_delivery(
                    EventDelivery(b.new_id(), event.id, endpoint, at, next_attempt_at=at)
                )
        await uow.events.mark_dispatched([e.id for e in found])
        await uow.commit()
    return found


async def test_the_event_commits_with_the_state_change(uow_factory):
    payment = await paid(uow_factory)

    (event,) = await events(uow_factory)
    body = json.loads(event.payload)
    assert (event.type, event.entity, event.entity_id, event.occurred_at) == (
        "payment.paid",
        "payment",
        payment.id,
        T0,
    )
    assert (body["id"], body["data"]["imp_uid"], event.dispatched) == (event.id, "imp_out1", False)


async def test_a_rolled_back_change_leaves_no_event(uow_factory):
    await paid(uow_factory, commit=False)
    assert await events(uow_factory) == []


async def test_fan_out_marks_events_and_one_delivery_per_endpoint(uow_factory):
    await paid(uow_factory)
    (event,) = await dispatch(uow_factory, ("main", "crm"))
    async with uow_factory() as uow:
        assert await uow.events.undispatched(10) == []
        listed = await uow.events.deliveries(DeliveryFilter(event_id=event.id))
        with pytest.raises(ConcurrentUpdate):
            await uow.events.add_delivery(EventDelivery(b.new_id(), event.id, "main", T0))
    assert sorted(d.endpoint for d in listed) == ["crm", "main"]


async def claim(uow_factory, owner, at=T0, limit=10, lease=timedelta(minutes=2)):
    async with uow_factory() as uow:
        ids = await uow.leases.claim(Work.EVENT_DELIVERIES, owner, at, limit, lease)
        await uow.commit()
    return ids


async def test_due_deliveries_are_claimed_once_while_leased(uow_factory):
    await paid(uow_factory)
    await dispatch(uow_factory, ("main", "crm"), at=T0)
    early = await claim(uow_factory, "i1", at=T0 - timedelta(seconds=1))
    first = await claim(uow_factory, "i1")
    again = await claim(uow_factory, "i2")
    async with uow_factory() as uow:
        due = await uow.events.due(T0, 10)
    assert (early, len(first), again, sorted(d.id for d in due)) == ([], 2, [], sorted(first))


async def test_a_delivery_and_its_attempt_log_round_trip(uow_factory):
    await paid(uow_factory)
    await dispatch(uow_factory)
    (delivery_id,) = await claim(uow_factory, "i1")
    async with uow_factory() as uow:
        delivery = await uow.events.get_delivery(delivery_id, for_update=True)
        delivery.attempts, delivery.state = 8, DeliveryState.DEAD
        delivery.last_status, delivery.last_error, delivery.next_attempt_at = 503, "down", None
        attempt = DeliveryAttempt(delivery.id, 8, T0, 503, "down", 12)
        await uow.events.save_delivery(delivery, attempt)
        await uow.commit()
    async with uow_factory() as uow:
        (dead,) = await uow.events.deliveries(DeliveryFilter(state=DeliveryState.DEAD))
        log = await uow.events.attempts(dead.id)
        assert await uow.events.due(T0 + timedelta(days=9), 10) == []
    assert (dead.attempts, dead.last_status, log) == (8, 503, [attempt])


async def deliver(uow_factory, delivery_id, state, at=T0):
    async with uow_factory() as uow:
        delivery = await uow.events.get_delivery(delivery_id, for_update=True)
        delivery.state = state
        await uow.events.save_delivery(delivery, DeliveryAttempt(delivery.id, 1, at, 200, None, 3))
        await uow.commit()


async def test_only_events_delivered_everywhere_before_the_cut_off_are_purged(uow_factory):
    for _ in range(3):
        await paid_many(uow_factory)
    delivered, half, dead = await dispatch(uow_factory, ("main", "crm"))
    await paid_many(uow_factory)  # never dispatched (no endpoint yet): stays
    async with uow_factory() as uow:
        rows = await uow.events.deliveries(DeliveryFilter())
    state = {delivered.id: DeliveryState.DELIVERED, dead.id: DeliveryState.DEAD}
    for d in rows:
        done = d.event_id == half.id and d.endpoint == "main"
        await deliver(
            uow_factory,
            d.id,
            state.get(d.event_id, DeliveryState.DELIVERED if done else DeliveryState.PENDING),
        )
    gone = {d.id for d in rows if d.event_id == delivered.id}

    async with uow_factory() as uow:
        purged = await uow.events.purge_delivered(T0 + timedelta(seconds=1), 10)
        await uow.commit()
    async with uow_factory() as uow:
        left = {e.id for e in await uow.events.search(None)}
        logs = [await uow.events.attempts(i) for i in gone]
    assert (purged, delivered.id in left, len(left), logs) == (1, False, 3, [[], []])


@pytest.mark.mariadb
async def test_concurrent_claimers_skip_the_rows_another_holds_on_mariadb():
    async with sql_database("mariadb", pool_size=4) as db:
        for _ in range(6):
            await paid_many(db.uow_factory)
        await dispatch(db.uow_factory)
        holder = db.uow_factory()
        lease = timedelta(minutes=2)
        held = await holder.leases.claim(Work.EVENT_DELIVERIES, "i1", T0, 3, lease)
        try:  # the first claimer's transaction is still open: its rows stay locked
            other = db.uow_factory()
            taken = await asyncio.wait_for(
                other.leases.claim(Work.EVENT_DELIVERIES, "i2", T0, 10, lease), timeout=5
            )
            await other.commit()
        finally:
            await holder.rollback()
    assert (len(held), len(taken)) == (3, 3)
    assert not set(held) & set(taken)


async def paid_many(uow_factory):
    order = b.order()
    payment = b.payment(order.id, status=PaymentStatus.REQUESTED, imp_uid=None)
    payment.approve(SettledFacts(f"imp_{payment.id}", pg_provider="nice"), T0, "webhook")
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.payments.add(payment)
        await uow.commit()
