"""Operator repairs (role admin): POST /api/admin/webhooks/{message_id}/reprocess,
POST /api/admin/cancellations/{cancellation_id}/settle."""

from typing import Annotated

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from adapters.http.auth import Principal, admin_guard
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.admin import inbox_view
from adapters.http.wire.payments import admin_payment_view, cancellation_view
from adapters.http.wire.repairs import (
    ReprocessView,
    SettleCancellationRequest,
    SettledCancellationView,
)
from application.use_cases.reprocess_webhook import ReprocessWebhook, ReprocessWebhookCommand
from application.use_cases.settle_cancellation import (
    CancellationOutcome,
    SettleUnknownCancellation,
    SettleUnknownCancellationCommand,
)

MessageId = Annotated[int, PathParameter(gt=0, lt=2**53, description="inbox message id")]
CancellationId = Annotated[int, PathParameter(gt=0, lt=2**53, description="cancellation id")]


class AdminRepairController(Controller):
    path = "/api/admin"
    guards = [admin_guard]
    tags = ["admin"]

    @post(
        "/webhooks/{message_id:int}/reprocess",
        operation_id="adminReprocessWebhook",
        summary="Process a stored webhook again from iamport's record (idempotent; unmatched too)",
        status_code=200,
        responses=problems(*ADMIN),
    )
    async def reprocess(
        self,
        message_id: MessageId,
        me: NamedDependency[Principal],
        reprocess_webhook: NamedDependency[ReprocessWebhook],
    ) -> ReprocessView:
        done = await reprocess_webhook.execute(
            ReprocessWebhookCommand(me.actor(operator=True), message_id)
        )
        return ReprocessView(
            inbox_view(done.message), str(done.result.state.value), done.result.detail
        )

    @post(
        "/cancellations/{cancellation_id:int}/settle",
        operation_id="adminSettleCancellation",
        summary="Settle a refund whose outcome is unknown: succeeded or rejected, with a reason",
        status_code=200,
        responses=problems(*ADMIN, 409, 422),
    )
    async def settle_cancellation(
        self,
        cancellation_id: CancellationId,
        data: JSONBody[SettleCancellationRequest],
        me: NamedDependency[Principal],
        settle_unknown_cancellation: NamedDependency[SettleUnknownCancellation],
    ) -> SettledCancellationView:
        result = await settle_unknown_cancellation.execute(
            SettleUnknownCancellationCommand(
                me.actor(operator=True),
                cancellation_id,
                CancellationOutcome(data.outcome),
                data.reason,
                data.cancellation_id,
            )
        )
        return SettledCancellationView(
            cancellation_view(result.cancellation), admin_payment_view(result.payment)
        )
