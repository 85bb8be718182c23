"""What every SQL repository shares: the UoW's connection, versioned saves, history rows
and the outgoing events they mean."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Select, Table, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.events.schema import outbox_events
from adapters.persistence.mappers.events import outbox_to_row
from adapters.persistence.mappers.history import history_to_row
from adapters.persistence.tables import event_outbox, payment_history
from application.ports import ConcurrentUpdate, Page


class ConnectionSource(Protocol):
    """The unit of work a repository runs in (adapters/persistence/uow.py)."""

    async def connection(self) -> AsyncConnection: ...


def is_duplicate_key(exc: IntegrityError) -> bool:
    """A UNIQUE / PRIMARY KEY violation (not a foreign key or NOT NULL one)."""
    orig = exc.orig
    args = getattr(orig, "args", ())
    if args and args[0] == 1062:  # MySQL ER_DUP_ENTRY
        return True
    name = getattr(orig, "sqlite_errorname", "")
    if name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        return True
    message = str(orig)
    return "UNIQUE constraint failed" in message or "Duplicate entry" in message


class SqlRepository:
    def __init__(self, uow: ConnectionSource) -> None:
        self._uow = uow

    async def _conn(self) -> AsyncConnection:
        return await self._uow.connection()

    async def _rows(self, query: Select[Any]) -> Sequence[Mapping[str, Any]]:
        conn = await self._conn()
        return (await conn.execute(query)).mappings().all()

    async def _row(self, query: Select[Any]) -> Mapping[str, Any] | None:
        conn = await self._conn()
        return (await conn.execute(query)).mappings().first()

    async def _insert(self, table: Table, row: Mapping[str, Any], what: str) -> None:
        conn = await self._conn()
        try:
            await conn.execute(insert(table).values(**row))
        except IntegrityError as exc:
            if is_duplicate_key(exc):
                raise ConcurrentUpdate(f"{what} exists already") from exc
            raise

    async def _update_versioned(self, table: Table, row: Mapping[str, Any], what: str) -> None:
        """UPDATE ... WHERE seq = :id AND version = :v, bumping the version; 0 rows means
        another transaction saved first (or the row does not exist)."""
        values = {k: v for k, v in row.items() if k not in ("seq", "version")}
        conn = await self._conn()
        query = (
            update(table)
            .where(table.c.seq == row["seq"], table.c.version == row["version"])
            .values(**values, version=table.c.version + 1)
        )
        try:
            result = await conn.execute(query)
        except IntegrityError as exc:
            if is_duplicate_key(exc):
                raise ConcurrentUpdate(f"{what}: a unique value belongs to another row") from exc
            raise
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"{what} changed concurrently (or does not exist)")

    async def _append_history(self, aggregate: Any) -> None:
        """Writes the aggregate's pending history, and the events it means to the outbox, in
        the transaction of the state change."""
        pending = aggregate.pending_history
        if not pending:
            return
        conn = await self._conn()
        await conn.execute(insert(payment_history), [history_to_row(e) for e in pending])
        events = outbox_events(aggregate, pending)
        if events:
            await conn.execute(insert(event_outbox), [outbox_to_row(e) for e in events])
        pending.clear()


def paged(query: Select[Any], page: Page) -> Select[Any]:
    return query.limit(page.limit).offset(page.offset)


def ints(values: Iterable[Any]) -> list[int]:
    return [int(v) for v in values]
