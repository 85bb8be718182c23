"""CancellationRepository on payment_cancel."""

from datetime import datetime

from sqlalchemy import select

from adapters.persistence.mappers.cancellation import cancellation_from_row, cancellation_to_row
from adapters.persistence.repositories.base import SqlRepository
from adapters.persistence.tables import payment_cancel as t
from domain.cancellation import Cancellation
from domain.status import CancellationStatus


class SqlCancellationRepository(SqlRepository):
    async def add(self, cancellation: Cancellation) -> None:
        await self._insert(t, cancellation_to_row(cancellation), f"cancellation {cancellation.id}")
        await self._append_history(cancellation)

    async def get(self, cancellation_id: int, *, for_update: bool = False) -> Cancellation | None:
        query = select(t).where(t.c.seq == cancellation_id)
        if for_update:
            query = query.with_for_update()
        row = await self._row(query)
        return cancellation_from_row(row) if row else None

    async def save(self, cancellation: Cancellation) -> None:
        await self._update_versioned(
            t, cancellation_to_row(cancellation), f"cancellation {cancellation.id}"
        )
        cancellation.version += 1
        await self._append_history(cancellation)

    async def for_payment(self, payment_id: int) -> list[Cancellation]:
        query = select(t).where(t.c.payment_seq == payment_id).order_by(t.c.seq)
        return [cancellation_from_row(r) for r in await self._rows(query)]

    async def unresolved(self, now: datetime, limit: int) -> list[Cancellation]:
        query = (
            select(t)
            .where(
                t.c.cancel_status.in_(
                    [int(CancellationStatus.REQUESTED), int(CancellationStatus.UNKNOWN)]
                ),
                t.c.next_check_at <= now,
            )
            .order_by(t.c.next_check_at, t.c.seq)
            .limit(limit)
        )
        return [cancellation_from_row(r) for r in await self._rows(query)]
