"""POST/GET /api/orders, GET /api/orders/{order_id}, POST /api/orders/{order_id}/checkout."""

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import RequestBody
from litestar.params import JSONBody, PathParameter

from adapters.http.auth import Principal, user_guard
from adapters.http.idempotency import IDEMPOTENT, IdempotentOperation, OptionalBodyOperation
from adapters.http.openapi import USER, problems
from adapters.http.rate_limit import PAYMENT, limited
from adapters.http.wire.common import Limit, Offset
from adapters.http.wire.orders import (
    Checkout,
    CreateOrderRequest,
    OrderList,
    OrderView,
    RetryCheckoutRequest,
    checkout_view,
    order_view,
)
from adapters.http.wire.payments import payment_view
from application.ports import Page
from application.use_cases.create_checkout import (
    CreateCheckout,
    CreateCheckoutCommand,
    RetryCheckout,
    RetryCheckoutCommand,
)
from application.use_cases.queries import GetOrder, GetOrderCommand, ListOrders, ListOrdersCommand

OrderId = Annotated[int, PathParameter(gt=0, lt=2**53, description="order id")]


@dataclass
class RetryCheckoutOperation(OptionalBodyOperation):
    """retryCheckout's body may be left out; its description says what it changes."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.request_body, RequestBody):
            self.request_body.description = (
                "Optional. `pay_method` (card | trans | vbank | phone) pays the new attempt by "
                "another method; without a body (or without `pay_method`) the order's method of "
                "its latest attempt is kept."
            )


class OrderController(Controller):
    path = "/api/orders"
    guards = [user_guard]
    tags = ["orders"]

    @post(
        "/",
        operation_id="createOrder",
        summary="Create a one-time order; answers the exact IMP.request_pay parameters",
        middleware=[IDEMPOTENT],
        operation_class=IdempotentOperation,
        opt=limited(PAYMENT),
        responses=problems(*USER, 409, 422, 429, 503),
    )
    async def create(
        self,
        data: JSONBody[CreateOrderRequest],
        me: NamedDependency[Principal],
        create_checkout: NamedDependency[CreateCheckout],
    ) -> Checkout:
        result = await create_checkout.execute(
            CreateCheckoutCommand(
                user_seq=me.user_seq,
                content_type_code=data.content_type_code,
                content_seq=data.content_seq,
                name=data.name,
                amount=data.amount,
                pay_method=data.pay_method,
                tax_free=data.tax_free,
                buyer_name=data.buyer_name,
                buyer_tel=data.buyer_tel,
                buyer_email=data.buyer_email,
            )
        )
        return checkout_view(result)

    @post(
        "/{order_id:int}/checkout",
        operation_id="retryCheckout",
        summary="Pay an unpaid one-time order again (a new attempt, new parameters), "
        "optionally by another method",
        middleware=[IDEMPOTENT],
        operation_class=RetryCheckoutOperation,
        opt=limited(PAYMENT),
        responses=problems(*USER, 409, 422, 429, 503),
    )
    async def retry(
        self,
        order_id: OrderId,
        me: NamedDependency[Principal],
        retry_checkout: NamedDependency[RetryCheckout],
        data: JSONBody[RetryCheckoutRequest | None] = None,
    ) -> Checkout:
        method = data.pay_method if data is not None else None
        result = await retry_checkout.execute(
            RetryCheckoutCommand(order_id, me.user_seq, pay_method=method)
        )
        return checkout_view(result)

    @get(
        "/", operation_id="listOrders", summary="My orders, newest first", responses=problems(*USER)
    )
    async def list_orders(
        self,
        me: NamedDependency[Principal],
        list_orders: NamedDependency[ListOrders],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> OrderList:
        found = await list_orders.execute(
            ListOrdersCommand(me.actor(), page=Page(limit=limit, offset=offset))
        )
        latest = found.latest_payments
        return OrderList(
            [order_view(o, latest=latest.get(o.id)) for o in found.orders], limit, offset
        )

    @get(
        "/{order_id:int}",
        operation_id="getOrder",
        summary="One of my orders, with its payments and history",
        responses=problems(*USER),
    )
    async def get_order(
        self,
        order_id: OrderId,
        me: NamedDependency[Principal],
        get_order: NamedDependency[GetOrder],
    ) -> OrderView:
        found = await get_order.execute(GetOrderCommand(me.actor(), order_id))
        payments = [payment_view(p.payment, p.cancellations) for p in found.payments]
        return order_view(found.order, payments, found.history, found.latest_payment)
