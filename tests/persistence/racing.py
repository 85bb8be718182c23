"""A race harness others can reuse (use-case races: concurrent refunds, completes).

    async with sql_database("mariadb", pool_size=RACERS) as db:
        results = await race(RACERS, lambda barrier: my_racer(db.uow_factory, barrier))

Each racer gets the same asyncio.Barrier and must `await barrier.wait()` right before its
locking read, so all of them reach the database together. The pool is warmed first (and must
hold every racer) so no racer is late because it waited for a connection.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

Racer = Callable[[asyncio.Barrier], Awaitable[Any]]


async def warm_pool(engine: AsyncEngine, connections: int) -> None:
    """Open `connections` pooled connections at once, then give them back."""
    pool_capacity = engine.pool.size() + max(engine.pool._max_overflow, 0)  # type: ignore[attr-defined]
    if pool_capacity < connections:
        raise AssertionError(
            f"pool holds {pool_capacity} connections, the race needs {connections}"
        )
    opened = [await engine.connect() for _ in range(connections)]
    for connection in opened:
        await connection.close()


async def race(n: int, racer: Racer, *, engine: AsyncEngine | None = None) -> list[Any]:
    """Run `n` racers released together; results (or exceptions) in racer order."""
    if engine is not None:
        await warm_pool(engine, n)
    barrier = asyncio.Barrier(n)
    return await asyncio.wait_for(
        asyncio.gather(*(racer(barrier) for _ in range(n)), return_exceptions=True), timeout=60
    )
