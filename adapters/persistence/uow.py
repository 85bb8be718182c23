"""The SQL unit of work: one connection, one transaction at a time, opened only when needed.

`async with factory() as uow:` takes nothing from the pool. The first statement checks out a
connection and begins a transaction (BEGIN IMMEDIATE on SQLite); `commit()` / `rollback()` end
it and hand the connection back. So a use case that commits before calling iamport holds no
transaction, lock or connection during the call, and may keep using the same UoW afterwards
(the next statement begins a new transaction).

The pool does not roll back a returned connection (docs/adr/0030): a connection whose COMMIT
or ROLLBACK failed is invalidated instead of returned, as it may still hold a transaction.
"""

from typing import Any, Self

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.persistence.repositories.base import insert_into
from adapters.persistence.repositories.cancellations import SqlCancellationRepository
from adapters.persistence.repositories.cards import SqlCardRepository
from adapters.persistence.repositories.cash_receipts import SqlCashReceiptRepository
from adapters.persistence.repositories.channel_health import SqlChannelHealthRepository
from adapters.persistence.repositories.events import SqlEventOutbox
from adapters.persistence.repositories.history import SqlHistoryRepository
from adapters.persistence.repositories.idempotency import SqlIdempotencyStore
from adapters.persistence.repositories.inbox import SqlWebhookInbox
from adapters.persistence.repositories.leases import SqlWorkLeases
from adapters.persistence.repositories.orders import SqlOrderRepository
from adapters.persistence.repositories.payments import SqlPaymentRepository
from adapters.persistence.repositories.reconcile_reports import SqlReconcileReports
from adapters.persistence.tables import event_outbox, payment_history


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._staged: dict[Table, list[dict[str, Any]]] = {payment_history: [], event_outbox: []}
        self.orders = SqlOrderRepository(self)
        self.payments = SqlPaymentRepository(self)
        self.cancellations = SqlCancellationRepository(self)
        self.receipts = SqlCashReceiptRepository(self)
        self.cards = SqlCardRepository(self)
        self.history = SqlHistoryRepository(self)
        self.webhooks = SqlWebhookInbox(self)
        self.idempotency = SqlIdempotencyStore(self)
        self.leases = SqlWorkLeases(self)
        self.channel_health = SqlChannelHealthRepository(self)
        self.reconcile_reports = SqlReconcileReports(self)
        self.events = SqlEventOutbox(self)

    async def connection(self) -> AsyncConnection:
        """The connection of the current transaction, checked out (and begun) on first use."""
        if self._connection is None:
            self._connection = await self._engine.connect()
            await self._connection.begin()
        return self._connection

    def stage(self, history: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
        self._staged[payment_history] += history
        self._staged[event_outbox] += events

    async def flush(self) -> None:
        for table, rows in self._staged.items():
            if rows:
                staged, self._staged[table] = rows, []
                await (await self.connection()).execute(insert_into(table), staged)

    @property
    def in_transaction(self) -> bool:
        return self._connection is not None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.rollback()

    async def commit(self) -> None:
        await self.flush()
        await self._end(commit=True)

    async def rollback(self) -> None:
        for rows in self._staged.values():
            rows.clear()
        await self._end(commit=False)

    async def _end(self, *, commit: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            await (connection.commit() if commit else connection.rollback())
        except BaseException:
            await connection.invalidate()
            raise
        finally:
            await connection.close()


class SqlUnitOfWorkFactory:
    """A UnitOfWorkFactory: `factory()` is a new SqlUnitOfWork on the app's engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)
