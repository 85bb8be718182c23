"""OrderRepository on payment_order."""

from datetime import datetime

from sqlalchemy import bindparam, func, select

from adapters.persistence.mappers.order import order_from_row, order_to_row
from adapters.persistence.repositories.base import SqlRepository, ints, paged
from adapters.persistence.tables import payment
from adapters.persistence.tables import payment_order as t
from application.ports import OrderFilter, Page
from domain.order import Order
from domain.status import OrderStatus, OrderType

_ACTIVE_ROUTINE = (int(OrderStatus.ROUTINE), int(OrderStatus.ROUTINE_PAST_DUE))
_BY_ID = select(t).where(t.c.seq == bindparam("id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
# The order of a payment, in one statement: FOR UPDATE locks the order row, not the payment row
# the subquery reads (a payment's order never changes), so the lock order stays order, payment.
_OF_PAYMENT = select(payment.c.order_seq).where(payment.c.merchant_uid == bindparam("merchant_uid"))
_BY_MERCHANT_UID = select(t).where(t.c.seq == _OF_PAYMENT.scalar_subquery())
_BY_MERCHANT_UID_LOCKED = _BY_MERCHANT_UID.with_for_update()


class SqlOrderRepository(SqlRepository):
    async def add(self, order: Order) -> None:
        await self._insert(t, order_to_row(order), f"order {order.id}")
        await self._append_history(order)

    async def get(self, order_id: int, *, for_update: bool = False) -> Order | None:
        row = await self._row(_BY_ID_LOCKED if for_update else _BY_ID, {"id": order_id})
        return self._loaded(order_to_row, order_from_row(row)) if row else None

    async def get_by_merchant_uid(
        self, merchant_uid: str, *, for_update: bool = False
    ) -> Order | None:
        query = _BY_MERCHANT_UID_LOCKED if for_update else _BY_MERCHANT_UID
        row = await self._row(query, {"merchant_uid": merchant_uid})
        return self._loaded(order_to_row, order_from_row(row)) if row else None

    async def save(self, order: Order) -> None:
        await self._update_versioned(t, order_to_row(order), f"order {order.id}")
        order.version += 1
        await self._append_history(order)

    async def search(self, filter: OrderFilter, page: Page = Page()) -> list[Order]:
        f, query = filter, select(t)
        if f.user_seq is not None:
            query = query.where(t.c.user_seq == f.user_seq)
        if f.status:
            query = query.where(t.c.order_status.in_(ints(f.status)))
        if f.type is not None:
            query = query.where(t.c.type_code == int(f.type))
        if f.created_from is not None:
            query = query.where(t.c.created_at >= f.created_from)
        if f.created_to is not None:
            query = query.where(t.c.created_at < f.created_to)
        rows = await self._rows(paged(query.order_by(t.c.seq.desc()), page))
        return [order_from_row(r) for r in rows]

    async def due_subscriptions(self, now: datetime, limit: int) -> list[Order]:
        query = (
            select(t)
            .where(t.c.order_status.in_(_ACTIVE_ROUTINE), t.c.next_charge_at <= now)
            .order_by(t.c.next_charge_at, t.c.seq)
            .limit(limit)
        )
        return [order_from_row(r) for r in await self._rows(query)]

    async def count_active_using_card(self, card_id: int) -> int:
        query = select(func.count()).where(
            t.c.type_code == int(OrderType.MONTHLY),
            t.c.routine_card_seq == card_id,
            t.c.order_status.in_((int(OrderStatus.ORDERED), *_ACTIVE_ROUTINE)),
        )
        conn = await self._conn()
        return int((await conn.execute(query)).scalar_one())

    async def stale_unpaid(self, created_before: datetime, limit: int) -> list[Order]:
        query = (
            select(t)
            .where(
                t.c.order_status == int(OrderStatus.ORDERED),
                t.c.type_code != int(OrderType.MONTHLY),
                t.c.created_at < created_before,
            )
            .order_by(t.c.created_at, t.c.seq)
            .limit(limit)
        )
        return [order_from_row(r) for r in await self._rows(query)]
