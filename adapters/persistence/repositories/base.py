"""What every SQL repository shares: the UoW's connection, versioned saves, history rows
and the outgoing events they mean.

History and outbox rows are staged on the unit of work and written at its commit, all of one
transaction in one INSERT per table (a completion saves a payment and an order: one history
INSERT, not two). Reading history or events flushes them first, so a transaction sees its own.

Statements are built once per table and given their values as parameters (SQLAlchemy then
compiles each shape once; building a statement per call cost more CPU than running it). A
versioned save sets only the columns that differ from the row as this unit of work loaded or
last saved it (`_loaded`); without that row it sets them all.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import Insert, Select, Table, Update, bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.events.schema import outbox_events
from adapters.persistence.mappers.events import outbox_to_row
from adapters.persistence.mappers.history import history_to_row
from application.ports import ConcurrentUpdate, Page


class ConnectionSource(Protocol):
    """The unit of work a repository runs in (adapters/persistence/uow.py)."""

    async def connection(self) -> AsyncConnection: ...

    def stage(self, history: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
        """Rows to insert into payment_history and event_outbox before this transaction's
        COMMIT."""

    async def flush(self) -> None:
        """Insert the staged rows now."""


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


A = TypeVar("A")


@cache
def insert_into(table: Table) -> Insert:
    return insert(table)


@cache
def _versioned_update(table: Table) -> Update:
    """UPDATE … SET version = version + 1 [, the columns given] WHERE seq = :b_seq AND
    version = :b_version."""
    return (
        update(table)
        .where(table.c.seq == bindparam("b_seq"), table.c.version == bindparam("b_version"))
        .values(version=table.c.version + 1)
    )


class SqlRepository:
    def __init__(self, uow: ConnectionSource) -> None:
        self._uow = uow
        self._seen: dict[int, dict[str, Any]] = {}  # seq → row as loaded / last saved here

    async def _conn(self) -> AsyncConnection:
        return await self._uow.connection()

    async def _rows(
        self, query: Select[Any], params: Mapping[str, Any] | None = None
    ) -> Sequence[Mapping[str, Any]]:
        conn = await self._conn()
        return (await conn.execute(query, params)).mappings().all()

    async def _row(
        self, query: Select[Any], params: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any] | None:
        conn = await self._conn()
        return (await conn.execute(query, params)).mappings().first()

    def _loaded(self, to_row: Callable[[A], dict[str, Any]], aggregate: A) -> A:
        """Remember `aggregate` as loaded, so that its save sets only what changed."""
        row = to_row(aggregate)
        self._seen[row["seq"]] = row
        return aggregate

    async def _insert(self, table: Table, row: Mapping[str, Any], what: str) -> None:
        conn = await self._conn()
        try:
            await conn.execute(insert_into(table), dict(row))
        except IntegrityError as exc:
            if is_duplicate_key(exc):
                raise ConcurrentUpdate(f"{what} exists already") from exc
            raise

    async def _update_versioned(self, table: Table, row: Mapping[str, Any], what: str) -> None:
        """UPDATE ... WHERE seq = :id AND version = :v, bumping the version; 0 rows means
        another transaction saved first (or the row does not exist)."""
        before = self._seen.get(row["seq"])
        if before is not None and before.get("version") != row["version"]:
            before = None  # loaded at another version: set every column
        values = {
            k: v
            for k, v in row.items()
            if k not in ("seq", "version") and (before is None or k not in before or before[k] != v)
        }
        conn = await self._conn()
        params = {**values, "b_seq": row["seq"], "b_version": row["version"]}
        try:
            result = await conn.execute(_versioned_update(table), params)
        except IntegrityError as exc:
            if is_duplicate_key(exc):
                raise ConcurrentUpdate(f"{what}: a unique value belongs to another row") from exc
            raise
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"{what} changed concurrently (or does not exist)")
        self._seen[row["seq"]] = {**row, "version": row["version"] + 1}

    async def _append_history(self, aggregate: Any) -> None:
        """Stages the aggregate's pending history, and the events it means to the outbox, for
        the commit of the transaction of the state change."""
        pending = aggregate.pending_history
        if not pending:
            return
        self._uow.stage(
            [history_to_row(e) for e in pending],
            [outbox_to_row(e) for e in outbox_events(aggregate, pending)],
        )
        pending.clear()


class StagedReader(SqlRepository):
    """A repository reading the rows other repositories stage (history, outbox events)."""

    async def _conn(self) -> AsyncConnection:
        await self._uow.flush()
        return await super()._conn()


def paged(query: Select[Any], page: Page) -> Select[Any]:
    return query.limit(page.limit).offset(page.offset)


def ints(values: Iterable[Any]) -> list[int]:
    return [int(v) for v in values]
