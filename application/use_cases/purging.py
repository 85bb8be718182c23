"""What the purge jobs share: forget rows older than a retention, one short transaction per
batch until a batch comes short. Each purge names its rows and its retention."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.ports import Clock, UnitOfWork, UnitOfWorkFactory

Purge = Callable[[UnitOfWork, datetime, int], Awaitable[int]]  # (uow, older than, at most) → n


@dataclass(frozen=True, slots=True)
class PurgeCommand:
    retention: timedelta
    batch: int = 500


@dataclass(frozen=True, slots=True)
class PurgeResult:
    purged: int


class PurgeOlderThan:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, purge: Purge) -> None:
        self._uow = uow
        self._clock = clock
        self._purge = purge

    async def execute(self, command: PurgeCommand) -> PurgeResult:
        cut_off = self._clock.now() - command.retention
        purged = 0
        while True:
            async with self._uow() as uow:
                count = await self._purge(uow, cut_off, command.batch)
                await uow.commit()
            purged += count
            if count < command.batch:
                return PurgeResult(purged)
