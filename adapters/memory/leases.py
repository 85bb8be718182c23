"""WorkLeases in memory: the same rules as the SQL leases, over the store's rows.

Leases live in `InMemoryStore.leases`, keyed by (table, id) like the SQL lease columns (two
kinds of work on one table share a row's lease). Their expiry is measured by `store.db_clock`
— the database's clock, not the application's (a FixedClock in tests), so advancing the
application's clock does not expire a lease, as it would not in a real database. A claim takes
the store's writer lock: claims are serialised as BEGIN IMMEDIATE serialises them on SQLite.
"""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from application.ports import ExpiredLease, Work


class LeaseHost(Protocol):
    """What the leases need of the in-memory unit of work (adapters/memory/store.py)."""

    store: Any
    staged_leases: dict[tuple[str, int], tuple[str, datetime] | None]

    async def lock(self) -> None: ...


BIG = 1 << 62

# work → (table the lease is on, the repository query that lists due rows, oldest first)
_DUE: dict[Work, tuple[str, Callable[[Any, datetime], Awaitable[list[Any]]]]] = {
    Work.DUE_CHARGES: ("order", lambda u, at: u.orders.due_subscriptions(at, BIG)),
    Work.UNKNOWN_PAYMENTS: ("payment", lambda u, at: u.payments.unresolved(at, BIG)),
    Work.UNKNOWN_CANCELLATIONS: ("cancel", lambda u, at: u.cancellations.unresolved(at, BIG)),
    Work.DUE_WEBHOOKS: ("inbox", lambda u, at: u.webhooks.due(at, BIG)),
    Work.VBANKS_PAST_DUE: ("payment", lambda u, at: u.payments.vbanks_past_due(at, BIG)),
    Work.STALE_ORDERS: ("order", lambda u, at: u.orders.stale_unpaid(at, BIG)),
    Work.EVENT_DELIVERIES: ("delivery", lambda u, at: u.events.due(at, BIG)),
}


class InMemoryWorkLeases:
    def __init__(self, uow: LeaseHost) -> None:
        self._uow = uow

    @property
    def _leases(self) -> dict[tuple[str, int], tuple[str, datetime]]:
        return self._uow.store.leases

    def _held(self, table: str, row_id: int, now: datetime) -> tuple[str, datetime] | None:
        lease = self._leases.get((table, row_id))
        return lease if lease is not None and lease[1] >= now else None

    async def claim(
        self, work: Work, owner: str, due_at: datetime, limit: int, lease: timedelta
    ) -> list[int]:
        if lease <= timedelta():
            raise ValueError("a lease must be positive")
        await self._uow.lock()
        table, due = _DUE[work]
        now = self._uow.store.db_clock()
        ids = [row.id for row in await due(self._uow, due_at)]
        taken = [i for i in ids if self._held(table, i, now) is None][:limit]
        for row_id in taken:
            self._uow.staged_leases[(table, row_id)] = (owner, now + lease)
        return taken

    async def renew(self, work: Work, ids: Sequence[int], owner: str, lease: timedelta) -> int:
        await self._uow.lock()
        table, _ = _DUE[work]
        now = self._uow.store.db_clock()
        renewed = 0
        for row_id in ids:
            held = self._held(table, row_id, now)
            if held is not None and held[0] == owner:
                self._uow.staged_leases[(table, row_id)] = (owner, now + lease)
                renewed += 1
        return renewed

    async def release(self, work: Work, ids: Sequence[int], owner: str) -> None:
        await self._uow.lock()
        table, _ = _DUE[work]
        for row_id in ids:
            held = self._leases.get((table, row_id))
            if held is not None and held[0] == owner:
                self._uow.staged_leases[(table, row_id)] = None

    async def expired(self, work: Work, due_at: datetime, limit: int) -> list[ExpiredLease]:
        table, due = _DUE[work]
        now = self._uow.store.db_clock()
        found = []
        for row in await due(self._uow, due_at):
            lease = self._leases.get((table, row.id))
            if lease is not None and lease[1] < now:
                found.append(ExpiredLease(work, row.id, lease[0], lease[1]))
        return sorted(found, key=lambda e: (e.lease_until, e.row_id))[:limit]
