"""Jobs take their rows through WorkLeases (application/ports.py): claim, work, release."""

import os
import socket
from collections.abc import Sequence
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
