"""현금영수증: POST/GET /api/payments/{payment_id}/cash-receipts (the sponsor's own payment) and
POST/GET /api/admin/payments/{payment_id}/cash-receipts (an operator: any payment; re-issue)."""

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from adapters.http.auth import Principal, admin_guard, user_guard
from adapters.http.openapi import ADMIN, USER, problems
from adapters.http.wire.cash_receipts import (
    CashReceiptList,
    CashReceiptRequest,
    CashReceiptView,
    cash_receipt_view,
)
from application.use_cases.actor import Actor
from application.use_cases.cash_receipts import (
    ListCashReceipts,
    ListCashReceiptsQuery,
    RequestCashReceipt,
    RequestCashReceiptCommand,
)

PaymentId = Annotated[int, PathParameter(gt=0, lt=2**53, description="payment id")]


async def _request(
    use_case: RequestCashReceipt, actor: Actor, payment_id: int, data: CashReceiptRequest
) -> CashReceiptView:
    receipt = await use_case.execute(RequestCashReceiptCommand(actor, payment_id, data.parsed()))
    return cash_receipt_view(receipt)


async def _list(use_case: ListCashReceipts, actor: Actor, payment_id: int) -> CashReceiptList:
    found = await use_case.execute(ListCashReceiptsQuery(actor, payment_id))
    return CashReceiptList([cash_receipt_view(r) for r in found])


class CashReceiptController(Controller):
    path = "/api/payments"
    guards = [user_guard]
    tags = ["payments"]

    @post(
        "/{payment_id:int}/cash-receipts",
        operation_id="requestCashReceipt",
        summary="Ask for a 현금영수증 of my paid 계좌이체 / 가상계좌 payment",
        responses=problems(*USER, 409, 503),
    )
    async def request_receipt(
        self,
        payment_id: PaymentId,
        data: JSONBody[CashReceiptRequest],
        me: NamedDependency[Principal],
        request_cash_receipt: NamedDependency[RequestCashReceipt],
    ) -> CashReceiptView:
        return await _request(request_cash_receipt, me.actor(), payment_id, data)

    @get(
        "/{payment_id:int}/cash-receipts",
        operation_id="listCashReceipts",
        summary="The 현금영수증 of my payment (identifiers masked)",
        responses=problems(*USER),
    )
    async def list_receipts(
        self,
        payment_id: PaymentId,
        me: NamedDependency[Principal],
        list_cash_receipts: NamedDependency[ListCashReceipts],
    ) -> CashReceiptList:
        return await _list(list_cash_receipts, me.actor(), payment_id)


class AdminCashReceiptController(Controller):
    path = "/api/admin/payments"
    guards = [admin_guard]
    tags = ["admin"]

    @post(
        "/{payment_id:int}/cash-receipts",
        operation_id="adminIssueCashReceipt",
        summary="Issue (or re-issue, after a failed or cancelled one) a payment's 현금영수증",
        responses=problems(*ADMIN, 409, 503),
    )
    async def issue(
        self,
        payment_id: PaymentId,
        data: JSONBody[CashReceiptRequest],
        me: NamedDependency[Principal],
        request_cash_receipt: NamedDependency[RequestCashReceipt],
    ) -> CashReceiptView:
        return await _request(request_cash_receipt, me.actor(operator=True), payment_id, data)

    @get(
        "/{payment_id:int}/cash-receipts",
        operation_id="adminListCashReceipts",
        summary="A payment's 현금영수증, every one (identifiers masked)",
        responses=problems(*ADMIN),
    )
    async def list_all(
        self,
        payment_id: PaymentId,
        me: NamedDependency[Principal],
        list_cash_receipts: NamedDependency[ListCashReceipts],
    ) -> CashReceiptList:
        return await _list(list_cash_receipts, me.actor(operator=True), payment_id)
