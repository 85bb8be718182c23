"""CashReceiptRepository on cash_receipt."""

from datetime import datetime

from sqlalchemy import select

from adapters.persistence.mappers.cash_receipt import receipt_from_row, receipt_to_row
from adapters.persistence.repositories.base import SqlRepository
from adapters.persistence.tables import cash_receipt as t
from adapters.persistence.tables import payment as p
from domain.cash_receipt import CashReceipt
from domain.status import CashReceiptStatus, PaymentStatus

_IN_FLIGHT = [int(CashReceiptStatus.ISSUING), int(CashReceiptStatus.CANCELLING)]


class SqlCashReceiptRepository(SqlRepository):
    async def add(self, receipt: CashReceipt) -> None:
        await self._insert(t, receipt_to_row(receipt), f"cash receipt {receipt.id}")
        await self._append_history(receipt)

    async def get(self, receipt_id: int, *, for_update: bool = False) -> CashReceipt | None:
        query = select(t).where(t.c.seq == receipt_id)
        if for_update:
            query = query.with_for_update()
        row = await self._row(query)
        return receipt_from_row(row) if row else None

    async def save(self, receipt: CashReceipt) -> None:
        await self._update_versioned(t, receipt_to_row(receipt), f"cash receipt {receipt.id}")
        receipt.version += 1
        await self._append_history(receipt)

    async def for_payment(self, payment_id: int) -> list[CashReceipt]:
        query = select(t).where(t.c.payment_seq == payment_id).order_by(t.c.seq)
        return [receipt_from_row(r) for r in await self._rows(query)]

    async def unresolved(self, now: datetime, limit: int) -> list[CashReceipt]:
        query = (
            select(t)
            .where(t.c.receipt_status.in_(_IN_FLIGHT), t.c.next_check_at <= now)
            .order_by(t.c.next_check_at, t.c.seq)
            .limit(limit)
        )
        return [receipt_from_row(r) for r in await self._rows(query)]

    async def to_cancel(self, limit: int) -> list[CashReceipt]:
        query = (
            select(t)
            .join(p, p.c.seq == t.c.payment_seq)
            .where(
                t.c.receipt_status == int(CashReceiptStatus.ISSUED),
                t.c.failure_message.is_(None),
                p.c.payment_status == int(PaymentStatus.CANCELLED),
            )
            .order_by(t.c.seq)
            .limit(limit)
        )
        return [receipt_from_row(r) for r in await self._rows(query)]
