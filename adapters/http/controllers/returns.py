"""GET /payments/return: the m_redirect_url landing of mobile browsers.

iamport redirects the browser here with `imp_uid, merchant_uid, imp_success` in the query. The
query is a hint like a webhook: it is stored in the inbox and processed (iamport's record is
re-fetched and verified), then the payment's state is shown as a small Korean page. Nothing
from the query is echoed back except through our own record.
"""

from html import escape
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.openapi import ResponseSpec

from adapters.http.auth import NO_TOKEN, PUBLIC
from adapters.http.controllers.webhooks import _process
from adapters.http.network import client_ip
from adapters.http.openapi import problems
from adapters.http.rate_limit import WEBHOOK, limited
from adapters.http.wire.common import ImpUidQuery, MerchantUidQuery
from application.use_cases.handle_webhook import (
    ProcessWebhook,
    ReceiveWebhook,
    ReceiveWebhookCommand,
)
from application.use_cases.queries import SearchPayments, SearchPaymentsCommand
from domain.identifiers import parse_issue_merchant_uid
from domain.payment import Payment
from domain.status import PaymentStatus

FORM = "application/x-www-form-urlencoded"

PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - 돌고</title>
<style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}}
h1{{font-size:1.4rem}} dl{{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}}
dt{{color:#666}} a{{color:#0a58ca}}</style></head>
<body><main data-status="{status}"><h1>{title}</h1><p>{message}</p>{details}
<p><a href="/">처음으로</a></p></main></body></html>"""


def _won(amount: int) -> str:
    return f"{amount:,}원"


def _details(rows: list[tuple[str, str | None]]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows if v)
    return f"<dl>{items}</dl>" if items else ""


def render(payment: Payment | None, *, card_window: bool = False) -> tuple[str, str]:
    """(status, html) of the landing page for `payment`."""
    if card_window:
        return "card", _page(
            "card",
            "카드 등록 확인 중",
            "카드 등록 요청을 받았습니다. 앱으로 돌아가 등록 결과를 확인해 주세요.",
            [],
        )
    if payment is None:
        return "not_found", _page(
            "not_found", "주문을 찾을 수 없습니다", "결제 정보를 찾지 못했습니다.", []
        )
    base = [("주문번호", payment.merchant_uid), ("금액", _won(payment.amount.total))]
    status = payment.status
    if status in (PaymentStatus.PAID, PaymentStatus.ROUTINE_PAID):
        return "paid", _page("paid", "결제가 완료되었습니다", "후원해 주셔서 감사합니다.", base)
    if status is PaymentStatus.READY and payment.vbank is not None:
        v = payment.vbank
        due = v.due_at.strftime("%Y-%m-%d %H:%M") if v.due_at else None
        rows = [*base, ("은행", v.bank_name), ("계좌번호", v.number), ("예금주", v.holder)]
        rows.append(("입금기한", due))
        return "ready", _page(
            "ready", "가상계좌가 발급되었습니다", "입금기한 안에 입금해 주세요.", rows
        )
    if status is PaymentStatus.FAILED:
        rows = [*base, ("사유", payment.fail_reason)]
        return "failed", _page("failed", "결제가 완료되지 않았습니다", "다시 시도해 주세요.", rows)
    if status is PaymentStatus.CANCELLED:
        return "cancelled", _page(
            "cancelled", "취소된 결제입니다", "이 결제는 취소되었습니다.", base
        )
    return "pending", _page(
        "pending",
        "결제 결과를 확인하고 있습니다",
        "잠시 후 주문 내역에서 결과를 확인해 주세요.",
        base,
    )


def _page(status: str, title: str, message: str, rows: list[tuple[str, str | None]]) -> str:
    return PAGE.format(
        status=status, title=escape(title), message=escape(message), details=_details(rows)
    )


class PaymentReturnController(Controller):
    path = "/payments"
    tags = ["payments"]
    opt = PUBLIC

    @get(
        "/return",
        operation_id="paymentReturn",
        summary="m_redirect_url landing: verifies with iamport and shows the result (HTML)",
        media_type=MediaType.HTML,
        security=NO_TOKEN,
        opt=limited(WEBHOOK),  # like a webhook, each landing makes an iamport lookup
        responses={
            **problems(429),  # a malformed query is problem+json, not Litestar's default 400
            404: ResponseSpec(
                data_container=str,
                media_type=MediaType.HTML,
                description="no payment of ours has this merchant_uid: the page says so",
                generate_examples=False,
            ),
        },
    )
    async def landing(
        self,
        request: Request[Any, Any, Any],
        config: NamedDependency[Any],
        receive_webhook: NamedDependency[ReceiveWebhook],
        process_webhook: NamedDependency[ProcessWebhook],
        search_payments: NamedDependency[SearchPayments],
        merchant_uid: MerchantUidQuery = None,
        imp_uid: ImpUidQuery = None,
    ) -> Response[str]:
        if imp_uid and merchant_uid:
            body = urlencode({"imp_uid": imp_uid, "merchant_uid": merchant_uid})
            message_id = await receive_webhook.execute(
                ReceiveWebhookCommand(body, FORM, client_ip(request, config.trusted_proxies))
            )
            await _process(process_webhook, message_id)
        if merchant_uid and parse_issue_merchant_uid(merchant_uid) is not None:
            status, html = render(None, card_window=True)
        else:
            found = (
                await search_payments.execute(SearchPaymentsCommand(merchant_uid=merchant_uid))
                if merchant_uid
                else None
            )
            status, html = render(found.payments[0] if found and found.payments else None)
        return Response(
            html,
            media_type=MediaType.HTML,
            status_code=404 if status == "not_found" else 200,
            headers={"Cache-Control": "no-store"},
        )
