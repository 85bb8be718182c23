"""WebhookInbox on webhook_inbox: every notification received, with its processing state."""

from datetime import datetime

from sqlalchemy import or_, select, update

from adapters.persistence.mappers.records import inbox_from_row, inbox_to_row
from adapters.persistence.repositories.base import SqlRepository, paged
from adapters.persistence.tables import webhook_inbox as t
from application.ports import ConcurrentUpdate, Page
from application.records import InboxMessage, InboxState

_DUE_STATES = (InboxState.RECEIVED.value, InboxState.FAILED.value)


class SqlWebhookInbox(SqlRepository):
    async def add(self, message: InboxMessage) -> None:
        await self._insert(t, inbox_to_row(message), f"webhook message {message.id}")

    async def get(self, message_id: int, *, for_update: bool = False) -> InboxMessage | None:
        query = select(t).where(t.c.seq == message_id)
        if for_update:
            query = query.with_for_update()
        row = await self._row(query)
        return inbox_from_row(row) if row else None

    async def save(self, message: InboxMessage) -> None:
        row = inbox_to_row(message)
        del row["seq"]
        conn = await self._conn()
        result = await conn.execute(update(t).where(t.c.seq == message.id).values(**row))
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"webhook message {message.id} does not exist")

    async def due(self, now: datetime, limit: int) -> list[InboxMessage]:
        query = (
            select(t)
            .where(
                t.c.inbox_state.in_(_DUE_STATES),
                or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now),
            )
            .order_by(t.c.seq)
            .limit(limit)
        )
        return [inbox_from_row(r) for r in await self._rows(query)]

    async def search(self, state: str | None, page: Page = Page()) -> list[InboxMessage]:
        query = select(t)
        if state is not None:
            query = query.where(t.c.inbox_state == str(state))
        rows = await self._rows(paged(query.order_by(t.c.seq.desc()), page))
        return [inbox_from_row(r) for r in rows]

    async def for_payment(
        self, imp_uid: str | None, merchant_uid: str, limit: int
    ) -> list[InboxMessage]:
        names = t.c.merchant_uid == merchant_uid
        if imp_uid is not None:
            names = or_(names, t.c.imp_uid == imp_uid)
        query = select(t).where(names).order_by(t.c.seq.desc()).limit(limit)
        return [inbox_from_row(r) for r in await self._rows(query)]
