"""Forget idempotency keys once no client can still be retrying with them."""

from dataclasses import dataclass
from datetime import timedelta

from application.ports import Clock, UnitOfWorkFactory

# Longer than any client retries one request (and than the abandoned-key lease): a key that
# old is not repeated; its effects live on in the orders, payments and refunds it created.
DEFAULT_RETENTION = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class PurgeIdempotencyKeysCommand:
    retention: timedelta = DEFAULT_RETENTION
    batch: int = 500


@dataclass(frozen=True, slots=True)
class PurgeIdempotencyKeysResult:
    purged: int


class PurgeIdempotencyKeys:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: PurgeIdempotencyKeysCommand) -> PurgeIdempotencyKeysResult:
        cut_off = self._clock.now() - command.retention
        purged = 0
        while True:  # one short transaction per batch
            async with self._uow() as uow:
                count = await uow.idempotency.purge(cut_off, command.batch)
                await uow.commit()
            purged += count
            if count < command.batch:
                return PurgeIdempotencyKeysResult(purged)
