"""POST/GET /api/subscriptions, PATCH /api/subscriptions/{order_id}, POST .../cancel."""

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, PathParameter

from adapters.http.auth import Principal, user_guard
from adapters.http.idempotency import IDEMPOTENT, IdempotentOperation
from adapters.http.openapi import USER, problems
from adapters.http.rate_limit import PAYMENT, limited
from adapters.http.wire.billing import (
    CancelSubscriptionRequest,
    ChangeSubscriptionRequest,
    ChargeView,
    StartSubscriptionRequest,
    SubscriptionList,
    buyer_of,
    charge_view,
)
from adapters.http.wire.orders import OrderView, order_view
from application.use_cases.subscriptions import (
    CancelSubscription,
    CancelSubscriptionCommand,
    ChangeSubscription,
    ChangeSubscriptionCommand,
    ListSubscriptions,
    ListSubscriptionsCommand,
    StartSubscription,
    StartSubscriptionCommand,
)

OrderId = Annotated[int, PathParameter(gt=0, lt=2**53, description="the sponsorship's order id")]


class SubscriptionController(Controller):
    path = "/api/subscriptions"
    guards = [user_guard]
    tags = ["subscriptions"]

    @post(
        "/",
        operation_id="startSubscription",
        summary="Start a monthly sponsorship; the first cycle is charged now",
        middleware=[IDEMPOTENT],
        operation_class=IdempotentOperation,
        opt=limited(PAYMENT),
        responses=problems(*USER, 409, 422, 429, 503),
    )
    async def start(
        self,
        data: JSONBody[StartSubscriptionRequest],
        me: NamedDependency[Principal],
        start_subscription: NamedDependency[StartSubscription],
    ) -> ChargeView:
        result = await start_subscription.execute(
            StartSubscriptionCommand(
                user_seq=me.user_seq,
                card_id=data.card_id,
                amount=data.amount,
                billing_day=data.billing_day,
                name=data.name,
                content_type_code=data.content_type_code,
                content_seq=data.content_seq,
                tax_free=data.tax_free,
                buyer=buyer_of(data.buyer),
            )
        )
        return charge_view(result)

    @get(
        "/",
        operation_id="listSubscriptions",
        summary="My monthly sponsorships",
        responses=problems(*USER),
    )
    async def list_subscriptions(
        self,
        me: NamedDependency[Principal],
        list_subscriptions: NamedDependency[ListSubscriptions],
        active_only: FromQuery[bool] = False,
    ) -> SubscriptionList:
        found = await list_subscriptions.execute(
            ListSubscriptionsCommand(me.user_seq, active_only=active_only)
        )
        latest = found.latest_payments
        return SubscriptionList([order_view(o, latest=latest.get(o.id)) for o in found.orders])

    @patch(
        "/{order_id:int}",
        operation_id="changeSubscription",
        summary="Change card, amount (from the next cycle) or billing day",
        responses=problems(*USER, 409),
    )
    async def change(
        self,
        order_id: OrderId,
        data: JSONBody[ChangeSubscriptionRequest],
        me: NamedDependency[Principal],
        change_subscription: NamedDependency[ChangeSubscription],
    ) -> OrderView:
        result = await change_subscription.execute(
            ChangeSubscriptionCommand(
                actor=me.actor(),
                order_id=order_id,
                card_id=data.card_id,
                amount=data.amount,
                tax_free=data.tax_free,
                billing_day=data.billing_day,
            )
        )
        return order_view(result.order)

    @post(
        "/{order_id:int}/cancel",
        operation_id="cancelSubscription",
        summary="Stop future charges (past charges are not refunded)",
        status_code=200,
        responses=problems(*USER, 409),
    )
    async def cancel(
        self,
        order_id: OrderId,
        data: JSONBody[CancelSubscriptionRequest],
        me: NamedDependency[Principal],
        cancel_subscription: NamedDependency[CancelSubscription],
    ) -> OrderView:
        result = await cancel_subscription.execute(
            CancelSubscriptionCommand(actor=me.actor(), order_id=order_id, reason=data.reason)
        )
        return order_view(result.order)
