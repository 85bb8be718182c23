"""channel_health: the breakers every instance shares, on the fakes, SQLite and MariaDB."""

from datetime import timedelta

import pytest

from adapters.memory import FixedClock
from application.channel_health import ChannelHealthBook
from application.gateway import Approved, NotAttempted, Rejected
from domain.channel_health import Admission, BreakerPolicy, BreakerState, ChannelHealth, Forced
from tests.persistence.builders import T0
from tests.persistence.databases import sql_database
from tests.persistence.racing import race

POLICY = BreakerPolicy(failure_threshold=3, open_for=timedelta(seconds=60))
KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]


async def test_a_channel_row_is_added_once_and_round_trips(uow_factory):
    health = ChannelHealth(
        "nice",
        state=BreakerState.OPEN,
        failures=4,
        opened_at=T0,
        forced=Forced.CLOSED,
        forced_by="admin:900",
        forced_reason="PG사 확인: 정상",
        last_failure="rejected: [nice] PG사 통신 장애",
        last_failure_at=T0,
        updated_at=T0,
    )
    async with uow_factory() as uow:
        assert await uow.channel_health.add(health) is True
        assert await uow.channel_health.add(ChannelHealth("nice")) is False
        assert await uow.channel_health.add(ChannelHealth("kcp")) is True
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.channel_health.get("nice", for_update=True)
        assert stored == health
        stored.succeeded(T0 + timedelta(seconds=5))
        await uow.channel_health.save(stored)
        await uow.commit()
    async with uow_factory() as uow:
        rows = await uow.channel_health.all()
        assert await uow.channel_health.get("missing") is None
    assert [r.channel for r in rows] == ["kcp", "nice"]
    assert rows[1].last_success_at == T0 + timedelta(seconds=5)


async def test_failures_recorded_by_one_instance_refuse_requests_at_another(uow_factory):
    clock = FixedClock(T0)
    one, other = (ChannelHealthBook(uow_factory, clock, POLICY) for _ in range(2))
    for _ in range(3):
        await one.record("nice", Rejected("[nice] PG사 통신 장애", -1))
    assert await other.admit("nice") is Admission.REFUSE
    assert await other.admit("kcp") is Admission.ALLOW

    clock.advance(timedelta(seconds=61))
    assert await other.admit("nice") is Admission.PROBE
    assert await one.admit("nice") is Admission.REFUSE  # the probe is out
    await other.record("nice", Approved(None))
    assert await one.admit("nice") is Admission.ALLOW
    assert (await one.states())["nice"].state is BreakerState.CLOSED


async def test_a_book_with_fresh_for_reads_each_row_once_per_period_and_sees_its_own_changes_at_once(
    uow_factory,
):
    clock, ticks = FixedClock(T0), [0.0]
    reads = Counting(uow_factory)
    cached = ChannelHealthBook(reads, clock, POLICY, fresh_for=1.0, monotonic=lambda: ticks[0])
    other = ChannelHealthBook(uow_factory, clock, POLICY)
    for _ in range(20):  # a billing run's charges: one read of the row, then none
        assert await cached.admit("nice") is Admission.ALLOW
        await cached.record("nice", Approved(None))
        assert await cached.usable("nice")
    assert reads.opened == 1

    for _ in range(3):
        await other.record("nice", Rejected("[nice] PG사 통신 장애", -1))
    assert await cached.admit("nice") is Admission.ALLOW  # another instance's: not yet seen
    ticks[0] = 1.0
    assert await cached.admit("nice") is Admission.REFUSE  # seen once the period is over
    assert (await cached.states())["nice"].state is BreakerState.OPEN

    await cached.force("nice", Forced.CLOSED, "admin:900", "PG사 확인: 정상")
    assert await cached.admit("nice") is Admission.ALLOW  # its own change: at once
    assert (await cached.states())["nice"].forced is Forced.CLOSED


class Counting:
    """A UnitOfWorkFactory counting the units of work opened."""

    def __init__(self, factory):
        self._factory, self.opened = factory, 0

    def __call__(self):
        self.opened += 1
        return self._factory()


@pytest.mark.parametrize("kind", KINDS)
async def test_instances_racing_for_the_probe_let_exactly_one_through(kind, tmp_path):
    racers = 8
    async with sql_database(kind, pool_size=racers + 2, directory=tmp_path) as db:
        clock = FixedClock(T0)
        book = ChannelHealthBook(db.uow_factory, clock, POLICY)
        for _ in range(3):
            await book.record("nice", NotAttempted("connection refused"))
        clock.advance(timedelta(seconds=61))

        async def racer(barrier):
            mine = ChannelHealthBook(db.uow_factory, clock, POLICY)
            await barrier.wait()
            return await mine.admit("nice")

        results = await race(racers, racer, engine=db.engine)
    assert sorted(map(str, results)) == ["probe"] + ["refuse"] * (racers - 1)


@pytest.mark.parametrize("kind", KINDS)
async def test_instances_counting_a_new_channels_first_failures_at_once_all_count(kind, tmp_path):
    """A channel with no row yet: each racer's failure is counted (on MariaDB a FOR UPDATE of
    the missing row took a gap lock, and two racers inserting under theirs deadlocked)."""
    racers = 8
    async with sql_database(kind, pool_size=racers + 2, directory=tmp_path) as db:
        clock = FixedClock(T0)
        policy = BreakerPolicy(failure_threshold=100, open_for=timedelta(seconds=60))

        async def racer(barrier):
            mine = ChannelHealthBook(db.uow_factory, clock, policy)
            await barrier.wait()
            await mine.record("nice", NotAttempted("connection refused"))

        results = await race(racers, racer, engine=db.engine)
        states = await ChannelHealthBook(db.uow_factory, clock, policy).states()
    assert ([r for r in results if r is not None], states["nice"].failures) == ([], racers)
