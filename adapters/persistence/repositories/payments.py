"""PaymentRepository on payment."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from adapters.persistence.mappers.payment import payment_from_row, payment_to_row
from adapters.persistence.repositories.base import SqlRepository, ints, paged
from adapters.persistence.tables import payment as t
from application.ports import Page, PaymentFilter
from domain.payment import Payment
from domain.status import PaymentStatus

_PAID = (int(PaymentStatus.PAID), int(PaymentStatus.ROUTINE_PAID))
_BY_ID = select(t).where(t.c.seq == bindparam("id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
_BY_MERCHANT_UID = select(t).where(t.c.merchant_uid == bindparam("merchant_uid"))
_BY_MERCHANT_UID_LOCKED = _BY_MERCHANT_UID.with_for_update()
_BY_IMP_UID = select(t).where(t.c.imp_uid == bindparam("imp_uid"))
# One column: a completion checks who owns the payment before asking iamport, and the full row
# (45 columns to describe, convert and map) is read again under the lock anyway.
_OWNER = select(t.c.user_seq).where(t.c.merchant_uid == bindparam("merchant_uid"))
_OF_ORDER = select(t).where(t.c.order_seq == bindparam("order")).order_by(t.c.seq)


class SqlPaymentRepository(SqlRepository):
    async def add(self, payment: Payment) -> None:
        await self._insert(
            t, payment_to_row(payment), f"payment {payment.id} ({payment.merchant_uid})"
        )
        await self._append_history(payment)

    async def _one(self, query: Select[Any], params: dict[str, Any]) -> Payment | None:
        row = await self._row(query, params)
        return self._loaded(payment_to_row, payment_from_row(row)) if row else None

    async def get(self, payment_id: int, *, for_update: bool = False) -> Payment | None:
        return await self._one(_BY_ID_LOCKED if for_update else _BY_ID, {"id": payment_id})

    async def get_by_merchant_uid(
        self, merchant_uid: str, *, for_update: bool = False
    ) -> Payment | None:
        query = _BY_MERCHANT_UID_LOCKED if for_update else _BY_MERCHANT_UID
        return await self._one(query, {"merchant_uid": merchant_uid})

    async def get_by_imp_uid(self, imp_uid: str) -> Payment | None:
        return await self._one(_BY_IMP_UID, {"imp_uid": imp_uid})

    async def owner_of(self, merchant_uid: str) -> int | None:
        row = await self._row(_OWNER, {"merchant_uid": merchant_uid})
        return None if row is None else int(row["user_seq"])

    async def save(self, payment: Payment) -> None:
        await self._update_versioned(
            t, payment_to_row(payment), f"payment {payment.id} ({payment.merchant_uid})"
        )
        payment.version += 1
        await self._append_history(payment)

    async def for_order(self, order_id: int) -> list[Payment]:
        rows = await self._rows(_OF_ORDER, {"order": order_id})
        return [self._loaded(payment_to_row, payment_from_row(r)) for r in rows]

    async def latest_for_orders(self, order_ids: Sequence[int]) -> dict[int, Payment]:
        if not order_ids:
            return {}
        newest = (
            select(func.max(t.c.seq))
            .where(t.c.order_seq.in_(list(order_ids)))
            .group_by(t.c.order_seq)
            .scalar_subquery()
        )
        rows = await self._rows(select(t).where(t.c.seq.in_(newest)))
        return {p.order_id: p for p in map(payment_from_row, rows)}

    async def search(self, filter: PaymentFilter, page: Page = Page()) -> list[Payment]:
        f, query = filter, select(t)
        equal = {
            "user_seq": f.user_seq,
            "order_seq": f.order_id,
            "pay_method": f.pay_method,
            "channel": f.channel,
            "merchant_uid": f.merchant_uid,
            "imp_uid": f.imp_uid,
        }
        for column, value in equal.items():
            if value is not None:
                query = query.where(t.c[column] == value)
        if f.status:
            query = query.where(t.c.payment_status.in_(ints(f.status)))
        if f.requested_from is not None:
            query = query.where(t.c.payment_dt >= f.requested_from)
        if f.requested_to is not None:
            query = query.where(t.c.payment_dt < f.requested_to)
        if f.paid_from is not None:
            query = query.where(t.c.payment_succ_dt >= f.paid_from)
        if f.paid_to is not None:
            query = query.where(t.c.payment_succ_dt < f.paid_to)
        if f.unknown_only:
            query = query.where(t.c.unknown_since.is_not(None))
        if f.attention_only:
            query = query.where(t.c.attention_at.is_not(None))
        rows = await self._rows(paged(query.order_by(t.c.seq.desc()), page))
        return [payment_from_row(r) for r in rows]

    async def unresolved(self, now: datetime, limit: int) -> list[Payment]:
        query = (
            select(t)
            .where(
                t.c.payment_status == int(PaymentStatus.REQUESTED),
                t.c.unknown_since.is_not(None),
                t.c.unknown_next_check_at <= now,
            )
            .order_by(t.c.unknown_next_check_at, t.c.seq)
            .limit(limit)
        )
        return [payment_from_row(r) for r in await self._rows(query)]

    async def vbanks_past_due(self, now: datetime, limit: int) -> list[Payment]:
        query = (
            select(t)
            .where(t.c.payment_status == int(PaymentStatus.READY), t.c.vbank_date < now)
            .order_by(t.c.seq)
            .limit(limit)
        )
        return [payment_from_row(r) for r in await self._rows(query)]

    async def refundable(
        self, after_id: int, limit: int, paid_since: datetime | None = None
    ) -> list[Payment]:
        query = (
            select(t)
            .where(
                t.c.seq > after_id,
                t.c.payment_status.in_(_PAID),
                t.c.cancel_amount < t.c.price,
            )
            .order_by(t.c.seq)
            .limit(limit)
        )
        if paid_since is not None:
            query = query.where(t.c.payment_succ_dt >= paid_since)
        return [payment_from_row(r) for r in await self._rows(query)]
