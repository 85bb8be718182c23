"""Row locking under real concurrency, on MariaDB and on SQLite.

20 racers each reserve 1,000 KRW of a payment's 10,000 KRW refundable balance: lock the row,
read cancel_amount, add 1,000 if the balance allows, save, commit. Exactly 10 must succeed, and
the final state is checked in SQL. The negative controls run the same race through test-only
paths that skip the lock, and must show what the lock prevents: a lost update.
"""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from adapters.persistence.tables import payment as payment_table
from adapters.persistence.tables import payment_history
from application.ports import ConcurrentUpdate
from domain.money import Amount
from domain.status import PaymentStatus
from tests.persistence import builders as b
from tests.persistence.builders import T0
from tests.persistence.databases import sql_database
from tests.persistence.racing import race

RACERS = 20
BALANCE = 10_000
STEP = 1_000

KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]


async def paid_payment(uow_factory) -> int:
    order = b.order(amount=Amount(BALANCE))
    payment = b.payment(
        order.id,
        amount=Amount(BALANCE),
        status=PaymentStatus.PAID,
        cancelled_amount=0,
        cancelled_tax_free=0,
        unknown=None,
    )
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.payments.add(payment)
        await uow.commit()
    return payment.id


async def locked_reserve(uow_factory, payment_id, barrier) -> bool:
    async with uow_factory() as uow:
        await barrier.wait()
        p = await uow.payments.get(payment_id, for_update=True)
        if p.refundable < STEP:
            return False
        p.record_refund(STEP, 0, T0 + timedelta(minutes=1), "race")
        await uow.payments.save(p)
        await uow.commit()
        return True


async def unlocked_blind_reserve(uow_factory, payment_id, barrier) -> bool:
    """Test-only: read without a lock, write back what was read plus 1,000, no version check."""
    async with uow_factory() as uow:
        await barrier.wait()
        p = await uow.payments.get(payment_id)
        if p.refundable < STEP:
            return False
        conn = await uow.connection()
        await conn.execute(
            update(payment_table)
            .where(payment_table.c.seq == payment_id)
            .values(cancel_amount=p.cancelled_amount + STEP)
        )
        await uow.commit()
        return True


async def unlocked_versioned_reserve(uow_factory, payment_id, barrier) -> bool:
    """Test-only: read without a lock, save through the repository (version check kept)."""
    async with uow_factory() as uow:
        await barrier.wait()
        p = await uow.payments.get(payment_id)
        if p.refundable < STEP:
            return False
        p.record_refund(STEP, 0, T0 + timedelta(minutes=1), "race")
        await uow.payments.save(p)
        await uow.commit()
        return True


async def final_state(engine, payment_id) -> tuple[int, int, int]:
    """(cancel_amount, payment_status, refunded history rows), read in SQL."""
    async with engine.connect() as conn:
        amount, status = (
            await conn.execute(
                select(payment_table.c.cancel_amount, payment_table.c.payment_status).where(
                    payment_table.c.seq == payment_id
                )
            )
        ).one()
        refunded = (
            await conn.execute(
                select(func.count()).where(
                    payment_history.c.entity == "payment",
                    payment_history.c.entity_id == payment_id,
                    payment_history.c.event == "refunded",
                )
            )
        ).scalar_one()
    return amount, status, refunded


def outcomes(results: list) -> tuple[int, int, list[BaseException]]:
    wins = sum(1 for r in results if r is True)
    losses = sum(1 for r in results if r is False)
    errors = [r for r in results if isinstance(r, BaseException)]
    return wins, losses, errors


@pytest.mark.parametrize("kind", KINDS)
async def test_twenty_reservations_against_ten_thousand_won_exactly_ten_succeed(kind, tmp_path):
    async with sql_database(kind, pool_size=RACERS, directory=tmp_path) as db:
        payment_id = await paid_payment(db.uow_factory)
        results = await race(
            RACERS,
            lambda barrier: locked_reserve(db.uow_factory, payment_id, barrier),
            engine=db.engine,
        )
        wins, losses, errors = outcomes(results)
        assert errors == []
        assert (wins, losses) == (BALANCE // STEP, RACERS - BALANCE // STEP)
        amount, status, refunded = await final_state(db.engine, payment_id)
        assert amount == BALANCE == wins * STEP
        assert status == PaymentStatus.CANCELLED
        assert refunded == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_negative_control_without_the_lock_updates_are_lost(kind, tmp_path):
    # On SQLite the lock is BEGIN IMMEDIATE: this engine leaves the driver's own (legacy)
    # transactions, where a SELECT runs outside any transaction.
    extra = {"sqlite_begin": None} if kind == "sqlite" else {}
    async with sql_database(kind, pool_size=RACERS, directory=tmp_path, **extra) as db:
        payment_id = await paid_payment(db.uow_factory)
        results = await race(
            RACERS,
            lambda barrier: unlocked_blind_reserve(db.uow_factory, payment_id, barrier),
            engine=db.engine,
        )
        wins, _, errors = outcomes(results)
        assert errors == []
        amount, _, _ = await final_state(db.engine, payment_id)
        # The same SQL check as above sees the race: more "successes" than money moved.
        assert amount < wins * STEP, (amount, wins)
        assert wins > BALANCE // STEP


@pytest.mark.parametrize("kind", KINDS)
async def test_without_the_lock_the_version_check_still_refuses_lost_updates(kind, tmp_path):
    extra = {"sqlite_begin": None} if kind == "sqlite" else {}
    async with sql_database(kind, pool_size=RACERS, directory=tmp_path, **extra) as db:
        payment_id = await paid_payment(db.uow_factory)
        results = await race(
            RACERS,
            lambda barrier: unlocked_versioned_reserve(db.uow_factory, payment_id, barrier),
            engine=db.engine,
        )
        wins, _, errors = outcomes(results)
        assert errors, "no racer collided: the race did not happen"
        assert all(isinstance(e, ConcurrentUpdate) for e in errors), errors
        amount, _, _ = await final_state(db.engine, payment_id)
        assert amount == wins * STEP  # nothing lost: losers were told, not silently overwritten
        assert wins < BALANCE // STEP  # but without the lock, requests that fit were refused


async def test_race_harness_refuses_a_pool_smaller_than_the_race(tmp_path):
    async with sql_database("sqlite", pool_size=2, directory=tmp_path) as db:
        with pytest.raises(AssertionError, match="pool holds 2"):
            await race(3, lambda barrier: asyncio.sleep(0), engine=db.engine)
