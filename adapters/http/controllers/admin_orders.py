"""GET /api/admin/orders and /api/admin/orders/{order_id} (role admin)."""

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, PathParameter

from adapters.http.auth import Principal, admin_guard
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.admin import OrderStatusName
from adapters.http.wire.common import Limit, Offset, UserSeqQuery
from adapters.http.wire.orders import OrderList, OrderView, order_view
from adapters.http.wire.payments import admin_payment_view
from application.ports import Page
from application.use_cases.queries import GetOrder, GetOrderCommand, ListOrders, ListOrdersCommand
from domain.status import OrderStatus

OrderId = Annotated[int, PathParameter(gt=0, lt=2**53, description="order id")]


class AdminOrderController(Controller):
    path = "/api/admin/orders"
    guards = [admin_guard]
    tags = ["admin"]

    @get("/", operation_id="adminListOrders", summary="Search orders", responses=problems(*ADMIN))
    async def search(
        self,
        me: NamedDependency[Principal],
        list_orders: NamedDependency[ListOrders],
        user_seq: UserSeqQuery = None,
        status: FromQuery[list[OrderStatusName] | None] = None,
        created_from: FromQuery[datetime | None] = None,
        created_to: FromQuery[datetime | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> OrderList:
        found = await list_orders.execute(
            ListOrdersCommand(
                me.actor(operator=True),
                user_seq=user_seq,
                status=tuple(OrderStatus[s.upper()] for s in status or ()),
                created_from=created_from,
                created_to=created_to,
                page=Page(limit=limit, offset=offset),
            )
        )
        latest = found.latest_payments
        return OrderList(
            [order_view(o, latest=latest.get(o.id)) for o in found.orders], limit, offset
        )

    @get(
        "/{order_id:int}",
        operation_id="adminGetOrder",
        summary="Any order, with its payments (as operators see them) and history",
        responses=problems(*ADMIN),
    )
    async def get_order(
        self,
        order_id: OrderId,
        me: NamedDependency[Principal],
        get_order: NamedDependency[GetOrder],
    ) -> OrderView:
        found = await get_order.execute(GetOrderCommand(me.actor(operator=True), order_id))
        payments = [admin_payment_view(p.payment) for p in found.payments]
        return order_view(found.order, payments, found.history, found.latest_payment)
