"""Jobs take their rows through WorkLeases (application/ports.py): claim, work, release."""

import os
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from application.ports import UnitOfWorkFactory, Work


def this_worker() -> str:
    """The lease owner naming this process: host and pid (unique among live instances)."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def claim(
    uow: UnitOfWorkFactory,
    work: Work,
    owner: str,
    due_at: datetime,
    limit: int,
    lease: timedelta,
) -> list[int]:
    async with uow() as u:
        ids = await u.leases.claim(work, owner, due_at, limit, lease)
        await u.commit()
    return ids


async def release(uow: UnitOfWorkFactory, work: Work, ids: Sequence[int], owner: str) -> None:
    if not ids:
        return
    async with uow() as u:
        await u.leases.release(work, ids, owner)
        await u.commit()


DEFAULT_LEASE = timedelta(minutes=5)  # longer than one gateway call with the default timeouts


@asynccontextmanager
async def claimed(
    uow: UnitOfWorkFactory,
    work: Work,
    owner: str,
    due_at: datetime,
    limit: int,
    lease: timedelta = DEFAULT_LEASE,
) -> AsyncIterator[list[int]]:
    """The ids of up to `limit` due rows of `work`, leased to `owner` for the `with` block."""
    ids = await claim(uow, work, owner, due_at, limit, lease)
    try:
        yield ids
    finally:
        await release(uow, work, ids, owner)
