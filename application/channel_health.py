"""Channel health shared by every instance: the breakers live in the database (one row per
channel, `channel_health`), read without a lock and changed under the row's lock.

A success on a closed breaker with no failures writes nothing, so a healthy PG costs one read
per charge, not a write.
"""

from collections.abc import Callable, Mapping
from datetime import datetime

from application.gateway import NotAttempted, NotFound, Rejected, Unknown
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.channel_health import (
    Admission,
    BreakerPolicy,
    BreakerState,
    ChannelHealth,
    Forced,
)

Observer = Callable[[ChannelHealth, datetime], None]


def pg_failure(outcome: object) -> str | None:
    """Why `outcome` counts against the PG (rejected before approval, not attempted, no
    answer), or None when the PG answered (approved, declined, pending) or nothing was asked."""
    match outcome:
        case Rejected(message=message):
            return f"rejected: {message}"
        case NotAttempted(reason=reason):
            return f"not attempted: {reason}"
        case Unknown(reason=reason):
            return f"no answer: {reason}"
    return None


def _ignore(health: ChannelHealth, now: datetime) -> None:
    return None


class ChannelHealthBook:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        policy: BreakerPolicy,
        observer: Observer = _ignore,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._observer = observer

    @property
    def policy(self) -> BreakerPolicy:
        return self._policy

    def now(self) -> datetime:
        return self._clock.now()

    async def states(self) -> Mapping[str, ChannelHealth]:
        """Every channel's breaker as stored (a channel without a row is closed)."""
        async with self._uow() as uow:
            rows = await uow.channel_health.all()
        now = self._clock.now()
        for row in rows:
            self._observer(row, now)
        return {row.channel: row for row in rows}

    async def usable(self, channel: str) -> bool:
        """Whether a request could be let through now (read only; no probe is taken)."""
        async with self._uow() as uow:
            seen = await uow.channel_health.get(channel)
        return seen is None or seen.usable(self._clock.now(), self._policy)

    async def admit(self, channel: str) -> Admission:
        """Whether a request may go to `channel` now; PROBE takes the one probe slot."""
        now = self._clock.now()
        async with self._uow() as uow:
            seen = await uow.channel_health.get(channel)
        if seen is None:
            return Admission.ALLOW
        if (unlocked := seen.admission(now, self._policy)) is not Admission.PROBE:
            # ALLOW, or REFUSE without taking the row's lock: an open breaker is read by every
            # charge of a billing run. Stale at worst, and a refused request is not attempted.
            return unlocked
        async with self._uow() as uow:
            health = await _locked(uow, channel)
            admission = health.admit(now, self._policy)
            await uow.channel_health.save(health)
            await uow.commit()
        self._observer(health, now)
        return admission

    async def record(self, channel: str, outcome: object) -> None:
        """Count one gateway outcome of `channel`."""
        if isinstance(outcome, NotFound):
            return
        failure = pg_failure(outcome)
        now = self._clock.now()
        async with self._uow() as uow:
            seen = await uow.channel_health.get(channel)
        if failure is None and (
            seen is None or (seen.state is BreakerState.CLOSED and seen.failures == 0)
        ):
            return
        if seen is None:
            await self._create(channel)
        async with self._uow() as uow:
            health = await _locked(uow, channel)
            if failure is None:
                health.succeeded(now)
            else:
                health.failed(failure, now, self._policy)
            await uow.channel_health.save(health)
            await uow.commit()
        self._observer(health, now)

    async def force(
        self, channel: str, mode: Forced | None, by: str, reason: str | None
    ) -> ChannelHealth:
        now = self._clock.now()
        await self._create(channel)
        async with self._uow() as uow:
            health = await _locked(uow, channel)
            health.force(mode, by, reason, now)
            await uow.channel_health.save(health)
            await uow.commit()
        self._observer(health, now)
        return health

    async def _create(self, channel: str) -> None:
        """The channel's row, created (closed) on first use in a transaction of its own: a
        `SELECT … FOR UPDATE` of a missing row takes a gap lock on MariaDB, and two instances
        inserting under their gap locks deadlock. Plain inserts of one key only wait; one wins."""
        async with self._uow() as uow:
            if await uow.channel_health.add(ChannelHealth(channel)):
                await uow.commit()


async def _locked(uow: UnitOfWork, channel: str) -> ChannelHealth:
    """The channel's row, locked. It exists: rows are created first (`_create`), never deleted."""
    health = await uow.channel_health.get(channel, for_update=True)
    assert health is not None, f"channel_health {channel!r} has no row"
    return health
