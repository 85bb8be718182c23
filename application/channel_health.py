"""Channel health shared by every instance: the breakers live in the database (one row per
channel, `channel_health`), read without a lock and changed under the row's lock.

A success on a closed breaker with no failures writes nothing, so a healthy PG costs one read
per charge, not a write. With `fresh_for` (the container's: one second) the unlocked reads are
served from what this instance last read or wrote for that long: a billing run at hundreds of
charges a second reads each row about once a second, not four times a charge. Another
instance's change is seen within `fresh_for` (an open breaker lets a few more requests through
at worst, a refused one is not attempted); this instance's own changes are seen at once.
"""

import asyncio
import copy
import time
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
        *,
        fresh_for: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._observer = observer
        self._fresh_for = fresh_for
        self._monotonic = monotonic
        self._seen: dict[str, tuple[float, ChannelHealth | None]] = {}  # channel → (read at, row)
        self._all_read_at: float | None = None
        self._reading = asyncio.Lock()

    @property
    def policy(self) -> BreakerPolicy:
        return self._policy

    def now(self) -> datetime:
        return self._clock.now()

    def _fresh(self, read_at: float | None) -> bool:
        return read_at is not None and self._monotonic() - read_at < self._fresh_for

    def _remember(self, channel: str, row: ChannelHealth | None) -> None:
        if self._fresh_for > 0:
            self._seen[channel] = (self._monotonic(), copy.copy(row))

    async def states(self) -> Mapping[str, ChannelHealth]:
        """Every channel's breaker as stored (a channel without a row is closed)."""
        if self._fresh_for <= 0:
            return await self._read_all()
        async with self._reading:  # one read at a time; the others take what it read
            if not self._fresh(self._all_read_at):
                await self._read_all()
        return {c: copy.copy(row) for c, (_, row) in self._seen.items() if row is not None}

    async def _read_all(self) -> dict[str, ChannelHealth]:
        async with self._uow() as uow:
            rows = await uow.channel_health.all()
        now = self._clock.now()
        if self._fresh_for > 0:
            self._seen.clear()
            for row in rows:
                self._remember(row.channel, row)
            self._all_read_at = self._monotonic()
        for row in rows:
            self._observer(row, now)
        return {row.channel: row for row in rows}

    async def _get(self, channel: str) -> ChannelHealth | None:
        """The channel's row read without a lock (or as seen within `fresh_for`)."""
        if self._fresh_for <= 0:
            return await self._read(channel)
        async with self._reading:
            seen = self._seen.get(channel)
            if seen is not None and self._fresh(seen[0]):
                return copy.copy(seen[1])
            if seen is None and self._fresh(self._all_read_at):
                return None  # it had no row when all were read
            return await self._read(channel)

    async def _read(self, channel: str) -> ChannelHealth | None:
        async with self._uow() as uow:
            row = await uow.channel_health.get(channel)
        self._remember(channel, row)
        return row

    async def usable(self, channel: str) -> bool:
        """Whether a request could be let through now (read only; no probe is taken)."""
        seen = await self._get(channel)
        return seen is None or seen.usable(self._clock.now(), self._policy)

    async def admit(self, channel: str) -> Admission:
        """Whether a request may go to `channel` now; PROBE takes the one probe slot."""
        now = self._clock.now()
        seen = await self._get(channel)
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
        self._remember(channel, health)
        self._observer(health, now)
        return admission

    async def record(self, channel: str, outcome: object) -> None:
        """Count one gateway outcome of `channel`."""
        if isinstance(outcome, NotFound):
            return
        failure = pg_failure(outcome)
        now = self._clock.now()
        seen = await self._get(channel)
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
        self._remember(channel, health)
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
        self._remember(channel, health)
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
