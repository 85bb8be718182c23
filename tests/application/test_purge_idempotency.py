"""Idempotency keys older than the retention are forgotten, in batches; younger ones stay."""

from datetime import timedelta

from adapters.memory import FixedClock, InMemoryStore
from application.records import IdempotencyRecord
from application.use_cases.purge_idempotency import (
    PurgeIdempotencyKeys,
    PurgeIdempotencyKeysCommand,
)


async def test_keys_older_than_the_retention_are_purged_in_batches() -> None:
    clock, store = FixedClock(), InMemoryStore()
    async with store() as uow:
        for i in range(7):
            age = timedelta(hours=25) if i < 5 else timedelta(hours=23)
            await uow.idempotency.add(
                IdempotencyRecord("user:1 POST /api/orders", f"k{i}", "f" * 64, clock.now() - age)
            )
        await uow.commit()

    result = await PurgeIdempotencyKeys(store, clock).execute(PurgeIdempotencyKeysCommand(batch=2))

    assert (result.purged, sorted(k for _, k in store.idempotency)) == (5, ["k5", "k6"])
