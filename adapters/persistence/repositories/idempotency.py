"""IdempotencyStore on idempotency_key."""

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from adapters.persistence.mappers.records import idempotency_from_row, idempotency_to_row
from adapters.persistence.repositories.base import SqlRepository, is_duplicate_key
from adapters.persistence.tables import idempotency_key as t
from application.ports import ConcurrentUpdate
from application.records import IdempotencyRecord


class SqlIdempotencyStore(SqlRepository):
    async def get(
        self, scope: str, key: str, *, for_update: bool = False
    ) -> IdempotencyRecord | None:
        query = select(t).where(t.c.scope == scope, t.c.idem_key == key)
        if for_update:
            query = query.with_for_update()
        row = await self._row(query)
        return idempotency_from_row(row) if row else None

    async def add(self, record: IdempotencyRecord) -> bool:
        conn = await self._conn()
        try:
            # A savepoint, so a duplicate leaves the caller's transaction usable.
            async with conn.begin_nested():
                await conn.execute(insert(t).values(**idempotency_to_row(record)))
        except IntegrityError as exc:
            if is_duplicate_key(exc):
                return False
            raise
        return True

    async def save(self, record: IdempotencyRecord) -> None:
        row = idempotency_to_row(record)
        del row["scope"], row["idem_key"]
        conn = await self._conn()
        result = await conn.execute(
            update(t).where(t.c.scope == record.scope, t.c.idem_key == record.key).values(**row)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"idempotency key {record.key!r} does not exist")

    async def purge(self, created_before: datetime, limit: int) -> int:
        conn = await self._conn()
        oldest = (
            select(t.c.scope, t.c.idem_key)
            .where(t.c.created_at < created_before)
            .order_by(t.c.created_at)
            .limit(limit)
        )
        keys = [(r.scope, r.idem_key) for r in await conn.execute(oldest)]
        for scope, key in keys:
            await conn.execute(delete(t).where(t.c.scope == scope, t.c.idem_key == key))
        return len(keys)
