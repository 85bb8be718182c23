"""HistoryRepository on payment_history (rows are appended by the other repositories)."""

from sqlalchemy import select, union_all

from adapters.persistence.mappers.history import history_from_row
from adapters.persistence.repositories.base import StagedReader
from adapters.persistence.tables import cash_receipt, payment, payment_cancel
from adapters.persistence.tables import payment_history as h
from domain.history import HistoryEntry


class SqlHistoryRepository(StagedReader):
    async def for_entity(self, entity: str, entity_id: int) -> list[HistoryEntry]:
        query = select(h).where(h.c.entity == entity, h.c.entity_id == entity_id).order_by(h.c.seq)
        return [history_from_row(r) for r in await self._rows(query)]

    async def for_order(self, order_id: int) -> list[HistoryEntry]:
        payments = select(payment.c.seq).where(payment.c.order_seq == order_id)
        cancels = (
            select(payment_cancel.c.seq)
            .join(payment, payment.c.seq == payment_cancel.c.payment_seq)
            .where(payment.c.order_seq == order_id)
        )
        receipts = (
            select(cash_receipt.c.seq)
            .join(payment, payment.c.seq == cash_receipt.c.payment_seq)
            .where(payment.c.order_seq == order_id)
        )
        parts = union_all(
            select(h).where(h.c.entity == "order", h.c.entity_id == order_id),
            select(h).where(h.c.entity == "payment", h.c.entity_id.in_(payments)),
            select(h).where(h.c.entity == "cancellation", h.c.entity_id.in_(cancels)),
            select(h).where(h.c.entity == "cash_receipt", h.c.entity_id.in_(receipts)),
        ).subquery()
        query = select(parts).order_by(parts.c.occurred_at, parts.c.seq)
        return [history_from_row(r) for r in await self._rows(query)]
