"""Forget idempotency keys once no client can still be retrying with them."""

from dataclasses import dataclass
from datetime import timedelta

from application.ports import Clock, UnitOfWorkFactory
from application.use_cases.purging import PurgeCommand, PurgeOlderThan

# Longer than any client retries one request (and than the abandoned-key lease): a key that
# old is not repeated; its effects live on in the orders, payments and refunds it created.
DEFAULT_RETENTION = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class PurgeIdempotencyKeysCommand(PurgeCommand):
    retention: timedelta = DEFAULT_RETENTION


class PurgeIdempotencyKeys(PurgeOlderThan):
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        super().__init__(uow, clock, lambda uow, before, n: uow.idempotency.purge(before, n))
