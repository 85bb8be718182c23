"""Browser side: GET /js/iamport.js, the approval page (/window/...) and receipts."""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources
from string import Template

import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from . import cards, checkout, wire
from .checkout import RequestPay, Result, Window
from .state import SandboxDep, SandboxState

ACTIONS = ("approve", "fail", "close")


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text("utf-8")


class OpenWindow(msgspec.Struct):
    params: dict = msgspec.field(default_factory=dict)
    merchant_code: str | None = None
    tier_code: str | None = None
    has_callback: bool = True


@get("/js/iamport.js", media_type="application/javascript; charset=utf-8", include_in_schema=False)
async def iamport_js(sandbox: SandboxDep) -> str:
    base = sandbox.config.public_url
    injected = json.dumps(base.rstrip("/")) if base else "null"
    return _asset("iamport.js").replace("/*BASE_URL*/ null", injected)


@post("/window/open", status_code=200, include_in_schema=False)
async def open_window(request: Request, sandbox: SandboxDep) -> Response:
    body = msgspec.convert(await wire.body_of(request), OpenWindow, strict=False)
    if body.merchant_code != sandbox.config.merchant_code:
        result = checkout.Result(
            {
                "success": False,
                "imp_uid": None,
                "merchant_uid": body.params.get("merchant_uid"),
                "error_code": "F0000",
                "error_msg": "가맹점 식별코드가 올바르지 않습니다. (IMP.init)",
            },
            None,
        )
        return Response({**result.as_dict(), "window_url": None})
    params = wire.convert(body.params, RequestPay)
    base_url = sandbox.base_url(request)
    opened = checkout.open_window(
        sandbox,
        params,
        has_callback=body.has_callback,
        user_agent=request.headers.get("user-agent", ""),
        base_url=base_url,
    )
    if isinstance(opened, Result):
        return Response({**opened.as_dict(), "window_url": None})
    if sandbox.store.is_down(opened.channel):  # the PG is down: the window fails at once
        result = await checkout.approve(sandbox, opened, None)
        return Response({**result.as_dict(), "window_url": None})
    return Response(
        {
            "window_id": opened.id,
            "window_url": f"{base_url}/window/{opened.id}",
            "rsp": None,
            "redirect_url": None,
        }
    )


def _window(sandbox: SandboxState, window_id: str) -> Window:
    window = sandbox.windows.get(window_id)
    if window is None:
        raise NotFoundException("결제창이 존재하지 않습니다.")
    return window


@get("/window/{window_id:str}", media_type=MediaType.HTML, include_in_schema=False)
async def approval_page(window_id: FromPath[str], sandbox: SandboxDep) -> str:
    window = _window(sandbox, window_id)
    if window.done:
        return _result_page(checkout.finish(window))
    p = window.payment
    billing = bool(window.params.customer_uid)
    extra_rows = ""
    if billing:
        extra_rows += f"<dt>빌링키</dt><dd id='imp-customer-uid'>{html.escape(window.params.customer_uid)} 발급</dd>"
    card_select = ""
    if p.pay_method == "card":
        options = "".join(
            f"<option value='{c.number}'>{html.escape(c.label)}</option>" for c in cards.TEST_CARDS
        )
        card_select = (
            "<label for='imp-card-select'>테스트 카드</label>"
            f"<select id='imp-card-select' name='card_number' data-testid='card-select'>{options}</select>"
        )
    approve_label = {
        "vbank": "가상계좌 발급",
        "card": "카드 등록" if billing and p.amount == 0 else "결제하기",
    }
    return Template(_asset("approval.html")).substitute(
        window_id=window.id,
        merchant_name=html.escape(sandbox.config.merchant_name),
        pg_label=html.escape(f"{window.channel.pg_provider}.{window.channel.pg_id}"),
        method_label=checkout.method_label(p.pay_method),
        order_name=html.escape(p.name or ""),
        amount_label=f"{p.amount:,}원",
        extra_rows=extra_rows,
        card_select=card_select,
        approve_label=approve_label.get(p.pay_method, "결제하기"),
    )


@post("/window/{window_id:str}/{action:str}", status_code=200, include_in_schema=False)
async def window_action(
    window_id: FromPath[str], action: FromPath[str], request: Request, sandbox: SandboxDep
) -> Response:
    window = _window(sandbox, window_id)
    if action not in ACTIONS:
        raise NotFoundException(f"unknown action {action}")
    if window.done:
        result = checkout.finish(window)
        status = 409
    else:
        status = 200
        if action == "approve":
            data = await wire.body_of(request)
            number = data.get("card_number")
            result = await checkout.approve(sandbox, window, str(number) if number else None)
        elif action == "fail":
            result = checkout.fail(sandbox, window)
        else:
            result = checkout.close(sandbox, window)
    if "application/json" in request.headers.get("accept", ""):
        return Response(result.as_dict(), status_code=status)
    return Response(_result_page(result), media_type=MediaType.HTML, status_code=status)


def _result_page(result: Result) -> str:
    payload = json.dumps(
        {"type": "iamport-sandbox:result", **result.as_dict()}, ensure_ascii=False
    ).replace("</", "<\\/")
    message = (
        "결제가 완료되었습니다." if result.rsp.get("success") else result.rsp.get("error_msg") or ""
    )
    return (
        "<!doctype html><html lang='ko'><head><meta charset='utf-8'><title>결제 결과</title></head>"
        f"<body><p id='imp-result' data-testid='result'>{html.escape(message)}</p>"
        f"<script>var result = {payload};"
        "if (window.parent && window.parent !== window) { window.parent.postMessage(result, '*'); }"
        " else if (result.redirect_url) { window.location.href = result.redirect_url; }"
        "</script></body></html>"
    )


@get("/receipt/{imp_uid:str}", media_type=MediaType.HTML, include_in_schema=False)
async def receipt(imp_uid: FromPath[str], sandbox: SandboxDep) -> str:
    p = sandbox.store.payments.get(imp_uid)
    if p is None:
        raise NotFoundException("영수증이 존재하지 않습니다.")
    rows = {
        "거래번호": p.imp_uid,
        "주문번호": p.merchant_uid,
        "상태": p.status,
        "결제금액": f"{p.amount:,}원",
        "취소금액": f"{p.cancel_amount:,}원",
        "카드": f"{p.card_name or ''} {p.card_number or ''}".strip(),
    }
    body = "".join(f"<tr><th>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows.items())
    return f"<!doctype html><meta charset='utf-8'><title>매출전표</title><table>{body}</table>"


ROUTES = [iamport_js, open_window, approval_page, window_action, receipt]
