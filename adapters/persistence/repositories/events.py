"""EventOutbox on event_outbox / event_delivery / event_delivery_attempt.

Outbox rows are inserted by the other repositories (base.py) with the state change. The fan-out
reads undispatched events with FOR UPDATE SKIP LOCKED on MySQL/MariaDB, so instances at the
same moment take different ones (SQLite serialises writers, BEGIN IMMEDIATE, instead);
deliveries are claimed through WorkLeases (Work.EVENT_DELIVERIES, leases.py).
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, insert, select, update

from adapters.persistence.mappers.events import (
    attempt_from_row,
    attempt_to_row,
    delivery_from_row,
    delivery_to_row,
    outbox_from_row,
)
from adapters.persistence.repositories.base import StagedReader, paged
from adapters.persistence.tables import event_delivery as d
from adapters.persistence.tables import event_delivery_attempt as a
from adapters.persistence.tables import event_outbox as o
from application.outbox import (
    DeliveryAttempt,
    DeliveryFilter,
    DeliveryState,
    EventDelivery,
    OutboxEvent,
)
from application.ports import ConcurrentUpdate, Page


class SqlEventOutbox(StagedReader):
    async def undispatched(self, limit: int) -> list[OutboxEvent]:
        query = (
            select(o)
            .where(o.c.dispatched.is_(False))
            .order_by(o.c.seq)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [outbox_from_row(r) for r in await self._rows(query)]

    async def mark_dispatched(self, event_ids: Sequence[str]) -> None:
        if not event_ids:
            return
        conn = await self._conn()
        await conn.execute(
            update(o).where(o.c.event_id.in_(list(event_ids))).values(dispatched=True)
        )

    async def get(self, event_id: str) -> OutboxEvent | None:
        row = await self._row(select(o).where(o.c.event_id == event_id))
        return outbox_from_row(row) if row else None

    async def search(self, type: str | None, page: Page = Page()) -> list[OutboxEvent]:
        query = select(o)
        if type is not None:
            query = query.where(o.c.event_type == type)
        rows = await self._rows(paged(query.order_by(o.c.seq.desc()), page))
        return [outbox_from_row(r) for r in rows]

    async def add_delivery(self, delivery: EventDelivery) -> None:
        what = f"delivery of {delivery.event_id} to {delivery.endpoint}"
        await self._insert(d, delivery_to_row(delivery), what)

    async def due(self, now: datetime, limit: int) -> list[EventDelivery]:
        query = (
            select(d)
            .where(d.c.delivery_state == DeliveryState.PENDING.value, d.c.next_attempt_at <= now)
            .order_by(d.c.next_attempt_at, d.c.seq)
            .limit(limit)
        )
        return [delivery_from_row(r) for r in await self._rows(query)]

    async def get_delivery(
        self, delivery_id: int, *, for_update: bool = False
    ) -> EventDelivery | None:
        query = select(d).where(d.c.seq == delivery_id)
        if for_update:
            query = query.with_for_update()
        row = await self._row(query)
        return delivery_from_row(row) if row else None

    async def save_delivery(
        self, delivery: EventDelivery, attempt: DeliveryAttempt | None = None
    ) -> None:
        row = delivery_to_row(delivery)
        del row["seq"]
        conn = await self._conn()
        result = await conn.execute(update(d).where(d.c.seq == delivery.id).values(**row))
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"delivery {delivery.id} does not exist")
        if attempt is not None:
            await conn.execute(insert(a).values(**attempt_to_row(attempt)))

    async def deliveries(self, filter: DeliveryFilter, page: Page = Page()) -> list[EventDelivery]:
        f, query = filter, select(d)
        if f.state is not None:
            query = query.where(d.c.delivery_state == f.state.value)
        if f.endpoint is not None:
            query = query.where(d.c.endpoint == f.endpoint)
        if f.event_id is not None:
            query = query.where(d.c.event_id == f.event_id)
        rows = await self._rows(paged(query.order_by(d.c.seq.desc()), page))
        return [delivery_from_row(r) for r in rows]

    async def attempts(self, delivery_id: int) -> list[DeliveryAttempt]:
        query = select(a).where(a.c.delivery_seq == delivery_id).order_by(a.c.seq)
        return [attempt_from_row(r) for r in await self._rows(query)]

    async def purge_delivered(self, occurred_before: datetime, limit: int) -> int:
        unfinished = exists().where(
            d.c.event_id == o.c.event_id, d.c.delivery_state != DeliveryState.DELIVERED.value
        )
        candidates = (
            select(o.c.event_id)
            .where(o.c.dispatched.is_(True), o.c.occurred_at < occurred_before, ~unfinished)
            .order_by(o.c.seq)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        conn = await self._conn()
        ids = [r.event_id for r in await conn.execute(candidates)]
        if not ids:
            return 0
        # Lock their deliveries; one resent since the SELECT keeps its event.
        locked = select(d.c.seq, d.c.event_id, d.c.delivery_state).where(d.c.event_id.in_(ids))
        rows = (await conn.execute(locked.with_for_update())).all()
        kept = {r.event_id for r in rows if r.delivery_state != DeliveryState.DELIVERED.value}
        ids = [i for i in ids if i not in kept]
        seqs = [r.seq for r in rows if r.event_id in ids]
        if seqs:
            await conn.execute(delete(a).where(a.c.delivery_seq.in_(seqs)))
            await conn.execute(delete(d).where(d.c.seq.in_(seqs)))
        if ids:
            await conn.execute(delete(o).where(o.c.event_id.in_(ids)))
        return len(ids)
