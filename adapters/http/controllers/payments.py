"""POST /api/payments/complete, GET /api/payments/{payment_id}, POST .../{payment_id}/refund."""

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from adapters.http.auth import Principal, user_guard
from adapters.http.idempotency import IDEMPOTENT, IdempotentOperation
from adapters.http.openapi import USER, problems
from adapters.http.wire.payments import (
    CompletePaymentRequest,
    CompletionView,
    PaymentView,
    RefundRequest,
    RefundView,
    completion_view,
    payment_view,
    refund_view,
)
from application.use_cases.complete_payment import CompletePayment, CompletePaymentCommand
from application.use_cases.queries import GetPayment, GetPaymentCommand
from application.use_cases.refund import RequestRefund

PaymentId = Annotated[int, PathParameter(gt=0, lt=2**53, description="payment id")]


class PaymentController(Controller):
    path = "/api/payments"
    guards = [user_guard]
    tags = ["payments"]

    @post(
        "/complete",
        operation_id="completePayment",
        summary="The browser says paid: verify with iamport and apply its record",
        status_code=200,
        responses=problems(*USER, 422, 503),
    )
    async def complete(
        self,
        data: JSONBody[CompletePaymentRequest],
        me: NamedDependency[Principal],
        complete_payment: NamedDependency[CompletePayment],
    ) -> CompletionView:
        result = await complete_payment.execute(
            CompletePaymentCommand(data.imp_uid, data.merchant_uid, me.user_seq)
        )
        return completion_view(result)

    @get(
        "/{payment_id:int}",
        operation_id="getPayment",
        summary="One of my payments, with its refunds",
        responses=problems(*USER),
    )
    async def get_payment(
        self,
        payment_id: PaymentId,
        me: NamedDependency[Principal],
        get_payment: NamedDependency[GetPayment],
    ) -> PaymentView:
        found = await get_payment.execute(GetPaymentCommand(me.actor(), payment_id))
        return payment_view(found.payment, found.cancellations)

    @post(
        "/{payment_id:int}/refund",
        operation_id="refundPayment",
        summary="Refund my payment (full or partial) within the refund rules",
        middleware=[IDEMPOTENT],
        operation_class=IdempotentOperation,
        responses=problems(*USER, 409, 422, 503),
    )
    async def refund(
        self,
        payment_id: PaymentId,
        data: JSONBody[RefundRequest],
        me: NamedDependency[Principal],
        request_refund: NamedDependency[RequestRefund],
    ) -> RefundView:
        result = await request_refund.execute(data.command(me.actor(), payment_id))
        return refund_view(result)
