"""GET /api/admin/payments, .../{payment_id} (its story), .../{payment_id}/refund-check;
POST .../{payment_id}/refund, /manual-refund, /settle, /acknowledge (role admin)."""

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter

from adapters.http.auth import Principal, admin_guard
from adapters.http.idempotency import IDEMPOTENT, IdempotentOperation
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.admin import (
    PaymentStatusName,
    PaymentStoryView,
    RefundCheckView,
    SettleRequest,
    refund_check_view,
    story_view,
)
from adapters.http.wire.common import ImpUidQuery, Limit, MerchantUidQuery, Offset, UserSeqQuery
from adapters.http.wire.payments import (
    AcknowledgeRequest,
    AdminPaymentList,
    AdminPaymentView,
    ManualRefundRequest,
    RefundRequest,
    RefundView,
    admin_payment_view,
    refund_view,
)
from application.ports import Page
from application.use_cases.attention import AcknowledgeAttention, AcknowledgeAttentionCommand
from application.use_cases.payment_story import GetPaymentStory, PaymentStoryQuery
from application.use_cases.queries import SearchPayments, SearchPaymentsCommand
from application.use_cases.refund import RecordManualRefund, RequestRefund
from application.use_cases.refund_check import CheckRefund, RefundCheckQuery
from application.use_cases.settle_unknown import (
    SettleTo,
    SettleUnknownPayment,
    SettleUnknownPaymentCommand,
)
from domain.status import PaymentStatus

PaymentId = Annotated[int, PathParameter(gt=0, lt=2**53, description="payment id")]
Method = Annotated[str | None, QueryParameter(pattern=r"^[a-z_]{1,20}$")]
ChannelName = Annotated[str | None, QueryParameter(pattern=r"^[a-z0-9_]{1,40}$")]
AmountQuery = Annotated[int | None, QueryParameter(gt=0, le=100_000_000, description="KRW")]
BankQuery = Annotated[str | None, QueryParameter(pattern=r"^[0-9A-Za-z]{2,4}$")]


class AdminPaymentController(Controller):
    path = "/api/admin/payments"
    guards = [admin_guard]
    tags = ["admin"]

    @get(
        "/",
        operation_id="adminSearchPayments",
        summary="Search payments by status, method, channel, user, period, merchant_uid, imp_uid; "
        "unknown_only: outcomes still unknown; attention_only: reported to operators",
        responses=problems(*ADMIN),
    )
    async def search(
        self,
        search_payments: NamedDependency[SearchPayments],
        status: FromQuery[list[PaymentStatusName] | None] = None,
        method: Method = None,
        channel: ChannelName = None,
        user_seq: UserSeqQuery = None,
        requested_from: FromQuery[datetime | None] = None,
        requested_to: FromQuery[datetime | None] = None,
        merchant_uid: MerchantUidQuery = None,
        imp_uid: ImpUidQuery = None,
        unknown_only: FromQuery[bool] = False,
        attention_only: FromQuery[bool] = False,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> AdminPaymentList:
        found = await search_payments.execute(
            SearchPaymentsCommand(
                status=tuple(PaymentStatus[s.upper()] for s in status or ()),
                pay_method=method,
                channel=channel,
                user_seq=user_seq,
                requested_from=requested_from,
                requested_to=requested_to,
                merchant_uid=merchant_uid,
                imp_uid=imp_uid,
                unknown_only=unknown_only,
                attention_only=attention_only,
                page=Page(limit=limit, offset=offset),
            )
        )
        return AdminPaymentList([admin_payment_view(p) for p in found.payments], limit, offset)

    @get(
        "/{payment_id:int}",
        operation_id="adminPaymentStory",
        summary="One payment's story: its timeline (cause, iamport data seen), cancellations, "
        "webhooks and attention notes",
        responses=problems(*ADMIN),
    )
    async def story(
        self,
        payment_id: PaymentId,
        me: NamedDependency[Principal],
        get_payment_story: NamedDependency[GetPaymentStory],
    ) -> PaymentStoryView:
        found = await get_payment_story.execute(
            PaymentStoryQuery(me.actor(operator=True), payment_id)
        )
        return story_view(found)

    @get(
        "/{payment_id:int}/refund-check",
        operation_id="adminRefundCheck",
        summary="What a refund would do before it is sent: its tax split, or the rule that "
        "would refuse it (manual: a manual bank refund)",
        responses=problems(*ADMIN),
    )
    async def refund_check(
        self,
        payment_id: PaymentId,
        me: NamedDependency[Principal],
        check_refund: NamedDependency[CheckRefund],
        amount: AmountQuery = None,
        manual: FromQuery[bool] = False,
        refund_bank: BankQuery = None,
    ) -> RefundCheckView:
        found = await check_refund.execute(
            RefundCheckQuery(me.actor(operator=True), payment_id, amount, manual, refund_bank)
        )
        return refund_check_view(found)

    @post(
        "/{payment_id:int}/refund",
        operation_id="adminRefundPayment",
        summary="Refund any payment through iamport (past the sponsor's business window)",
        middleware=[IDEMPOTENT],
        operation_class=IdempotentOperation,
        responses=problems(*ADMIN, 409, 422, 503),
    )
    async def refund(
        self,
        payment_id: PaymentId,
        data: JSONBody[RefundRequest],
        me: NamedDependency[Principal],
        request_refund: NamedDependency[RequestRefund],
    ) -> RefundView:
        result = await request_refund.execute(data.command(me.actor(operator=True), payment_id))
        return refund_view(result)

    @post(
        "/{payment_id:int}/manual-refund",
        operation_id="adminManualRefund",
        summary="Record a refund the operator made by bank transfer (past the PG window)",
        middleware=[IDEMPOTENT],
        operation_class=IdempotentOperation,
        responses=problems(*ADMIN, 409, 422),
    )
    async def manual_refund(
        self,
        payment_id: PaymentId,
        data: JSONBody[ManualRefundRequest],
        me: NamedDependency[Principal],
        record_manual_refund: NamedDependency[RecordManualRefund],
    ) -> RefundView:
        result = await record_manual_refund.execute(
            data.command(me.actor(operator=True), payment_id)
        )
        return refund_view(result)

    @post(
        "/{payment_id:int}/settle",
        operation_id="adminSettleUnknown",
        summary="Settle an unknown outcome by hand, with a reason",
        status_code=200,
        responses=problems(*ADMIN, 409, 422),
    )
    async def settle(
        self,
        payment_id: PaymentId,
        data: JSONBody[SettleRequest],
        me: NamedDependency[Principal],
        settle_unknown_payment: NamedDependency[SettleUnknownPayment],
    ) -> AdminPaymentView:
        result = await settle_unknown_payment.execute(
            SettleUnknownPaymentCommand(
                operator=me.actor(operator=True),
                payment_id=payment_id,
                to=SettleTo(data.outcome),
                reason=data.reason,
                imp_uid=data.imp_uid,
            )
        )
        return admin_payment_view(result.payment)

    @post(
        "/{payment_id:int}/acknowledge",
        operation_id="adminAcknowledgeAttention",
        summary="Clear what was reported on a payment (attention), with a reason",
        status_code=200,
        responses=problems(*ADMIN, 409, 422),
    )
    async def acknowledge(
        self,
        payment_id: PaymentId,
        data: JSONBody[AcknowledgeRequest],
        me: NamedDependency[Principal],
        acknowledge_attention: NamedDependency[AcknowledgeAttention],
    ) -> AdminPaymentView:
        payment = await acknowledge_attention.execute(
            AcknowledgeAttentionCommand(me.actor(operator=True), payment_id, data.reason)
        )
        return admin_payment_view(payment)
