"""WorkLeases: due rows claimed by one owner at a time, expiry in database time, SKIP LOCKED."""

import asyncio
from datetime import timedelta

import pytest

from application.ports import Work
from tests.persistence import builders as b
from tests.persistence.databases import sql_database

LEASE = timedelta(minutes=5)
NOW = b.T0 + timedelta(days=60)


async def _add_due(uow_factory, count: int) -> list[int]:
    """`count` sponsorships due at NOW, the first one most overdue; one not due, one ended."""
    ids = []
    async with uow_factory() as uow:
        for n in range(count):
            order = b.monthly_order(b.new_id())
            order.subscription.next_charge_at = NOW - timedelta(hours=count - n)
            await uow.orders.add(order)
            ids.append(order.id)
        later = b.monthly_order(b.new_id())
        later.subscription.next_charge_at = NOW + timedelta(hours=1)
        await uow.orders.add(later)
        await uow.orders.add(b.monthly_order(b.new_id(), status=b.OrderStatus.ROUTINE_ENDED))
        await uow.commit()
    return ids


async def _claim(uow_factory, owner: str, limit: int, lease: timedelta = LEASE) -> list[int]:
    async with uow_factory() as uow:
        ids = await uow.leases.claim(Work.DUE_CHARGES, owner, NOW, limit, lease)
        await uow.commit()
    return ids


async def test_owners_claim_disjoint_due_rows_most_overdue_first(uow_factory):
    due = await _add_due(uow_factory, 5)

    first = await _claim(uow_factory, "a", 3)
    second = await _claim(uow_factory, "b", 10)
    third = await _claim(uow_factory, "c", 10)

    assert first == due[:3]
    assert second == due[3:]
    assert third == []


async def test_a_released_row_is_claimable_again_and_only_its_owner_releases_it(uow_factory):
    due = await _add_due(uow_factory, 2)
    assert await _claim(uow_factory, "a", 2) == due

    async with uow_factory() as uow:
        await uow.leases.release(Work.DUE_CHARGES, due, "b")  # not b's: nothing happens
        assert await uow.leases.renew(Work.DUE_CHARGES, due, "b", LEASE) == 0
        await uow.commit()
    assert await _claim(uow_factory, "b", 2) == []

    async with uow_factory() as uow:
        assert await uow.leases.renew(Work.DUE_CHARGES, due, "a", LEASE) == 2
        await uow.leases.release(Work.DUE_CHARGES, due[:1], "a")
        await uow.commit()
    assert await _claim(uow_factory, "b", 2) == due[:1]


async def test_an_uncommitted_claim_leases_nothing(uow_factory):
    due = await _add_due(uow_factory, 1)
    async with uow_factory() as uow:
        assert await uow.leases.claim(Work.DUE_CHARGES, "a", NOW, 1, LEASE) == due
        await uow.rollback()
    assert await _claim(uow_factory, "b", 1) == due


async def test_an_expired_lease_is_taken_over(uow_factory):
    due = await _add_due(uow_factory, 1)
    # (a lease long enough that a loaded machine does not expire it before the next claim)
    assert await _claim(uow_factory, "dead", 1, lease=timedelta(seconds=1)) == due
    assert await _claim(uow_factory, "b", 1) == []

    await asyncio.sleep(1.2)  # database time: the application's clock plays no part

    assert await _claim(uow_factory, "b", 1) == due
    async with uow_factory() as uow:
        assert await uow.leases.renew(Work.DUE_CHARGES, due, "dead", LEASE) == 0


async def test_a_lease_does_not_change_the_rows_version(uow_factory):
    due = await _add_due(uow_factory, 1)
    async with uow_factory() as uow:
        seen = await uow.orders.get(due[0])
    await _claim(uow_factory, "a", 1)
    async with uow_factory() as uow:
        seen.attempts = 9
        await uow.orders.save(seen)  # no ConcurrentUpdate: the lease is not the entity's state
        await uow.commit()


@pytest.mark.mariadb
async def test_mariadb_skips_a_row_another_transaction_has_locked_instead_of_waiting():
    async with sql_database("mariadb", pool_size=3) as db:
        due = await _add_due(db.uow_factory, 2)
        async with db.uow_factory() as holder:
            await holder.orders.get(due[0], for_update=True)  # e.g. a charge in its transaction
            claimed = await asyncio.wait_for(_claim(db.uow_factory, "b", 2), timeout=5)
        assert claimed == due[1:]


async def test_expired_leases_on_due_rows_are_listed_longest_expired_first(uow_factory):
    due = await _add_due(uow_factory, 3)
    # (leases long enough that a loaded machine does not expire one before the next claim)
    assert await _claim(uow_factory, "dead-1", 1, lease=timedelta(seconds=1.5)) == due[:1]
    assert await _claim(uow_factory, "dead-2", 1, lease=timedelta(seconds=1.6)) == due[1:2]
    assert await _claim(uow_factory, "alive", 1) == due[2:]
    async with uow_factory() as uow:
        assert await uow.leases.expired(Work.DUE_CHARGES, NOW, 10) == []  # not expired yet
    await asyncio.sleep(2.0)
    async with uow_factory() as uow:
        found = await uow.leases.expired(Work.DUE_CHARGES, NOW, 10)
        first = await uow.leases.expired(Work.DUE_CHARGES, NOW, 1)
        not_due_yet = await uow.leases.expired(Work.DUE_CHARGES, NOW - timedelta(days=1), 10)
    assert [(e.row_id, e.owner) for e in found] == [(due[0], "dead-1"), (due[1], "dead-2")]
    assert [e.row_id for e in first] == [due[0]] and not_due_yet == []
    assert all(e.work is Work.DUE_CHARGES for e in found)
    async with uow_factory() as uow:  # taken over and released: no longer stuck
        assert await uow.leases.claim(Work.DUE_CHARGES, "b", NOW, 10, LEASE) == due[:2]
        await uow.leases.release(Work.DUE_CHARGES, due[:2], "b")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.leases.expired(Work.DUE_CHARGES, NOW, 10) == []
