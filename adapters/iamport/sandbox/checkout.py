"""The PG window flow behind IMP.request_pay: pre-validation, approve / fail / close, the
callback `rsp` and the m_redirect_url redirect."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import msgspec

from . import cards, pg
from .cards import Outcome
from .config import ChannelSpec
from .state import SandboxState
from .store import Payment

ALREADY_PAID = ("F1002", "이미 결제가 이루어진 거래건입니다.")
PREPARED_MISMATCH = ("F1001", "사전등록된 결제금액과 요청하신 결제금액이 일치하지 않습니다.")
USER_CLOSED = ("F400", "사용자가 결제를 취소하셨습니다")
WINDOW_FAILED = "결제에 실패하였습니다. (샌드박스 결제창에서 실패 선택)"
MOBILE_HINTS = ("Mobile", "Android", "iPhone", "iPad")
VBANK = {"vbank_code": "004", "vbank_name": "KB국민은행"}
TRANS_BANK = {"bank_code": "088", "bank_name": "신한은행"}
METHOD_LABELS = {
    "card": "신용카드",
    "trans": "실시간계좌이체",
    "vbank": "가상계좌",
    "phone": "휴대폰소액결제",
}


class RequestPay(msgspec.Struct):
    """IMP.request_pay parameters (docs/iamport.md §8)."""

    merchant_uid: str | None = None
    amount: int | float | None = None
    pg: str | None = None
    channelKey: str | None = None  # noqa: N815 - iamport's name
    pay_method: str = "card"
    name: str | None = None
    tax_free: int | float | None = None
    currency: str | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_tel: str | None = None
    buyer_addr: str | None = None
    buyer_postcode: str | None = None
    custom_data: Any = None
    notice_url: str | list[str] | None = None
    m_redirect_url: str | None = None
    customer_uid: str | None = None
    vbank_due: str | None = None
    digital: bool | None = None


@dataclass(slots=True)
class Window:
    id: str
    params: RequestPay
    channel: ChannelSpec
    payment: Payment
    redirect: bool  # deliver by m_redirect_url instead of the callback
    done: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    rsp: dict[str, Any]
    redirect_url: str | None
    window: Window | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "window_id": self.window.id if self.window else None,
            "rsp": self.rsp,
            "redirect_url": self.redirect_url,
        }


def open_window(
    sandbox: SandboxState,
    params: RequestPay,
    *,
    has_callback: bool,
    user_agent: str,
    base_url: str,
) -> Result | Window:
    """A Window to show, or a Result when the window is not opened (pre-validation failed)."""
    store = sandbox.store
    mobile = any(hint in user_agent for hint in MOBILE_HINTS)
    redirect = bool(params.m_redirect_url) and (mobile or not has_callback)
    channel = store.channel_for(params.pg, params.channelKey)
    refusal = _refusal(sandbox, params, channel)
    if refusal is not None:
        code, message = refusal
        return _refused(params, code, message, redirect)
    notice_url = params.notice_url[0] if isinstance(params.notice_url, list) else params.notice_url
    payment = store.new_payment(
        merchant_uid=params.merchant_uid,
        channel=channel,
        pay_method=params.pay_method,
        amount=int(params.amount),
        tax_free=int(params.tax_free or 0),
        currency=params.currency or "KRW",
        origin="mobile" if mobile else "pc",
        name=params.name,
        buyer_name=params.buyer_name,
        buyer_email=params.buyer_email,
        buyer_tel=params.buyer_tel,
        buyer_addr=params.buyer_addr,
        buyer_postcode=params.buyer_postcode,
        custom_data=None
        if params.custom_data is None
        else json.dumps(params.custom_data, ensure_ascii=False),
        notice_url=notice_url,
        user_agent=user_agent or None,
    )
    payment.receipt_url = store.receipt_url(base_url, payment.imp_uid)
    if params.customer_uid:
        payment.customer_uid = params.customer_uid
        payment.customer_uid_usage = "issue"
    window = Window(store.ids.alnum(24), params, channel, payment, redirect)
    sandbox.windows[window.id] = window
    return window


def _refusal(sandbox: SandboxState, params: RequestPay, channel: ChannelSpec):
    store = sandbox.store
    if not params.merchant_uid:
        return "F400", "merchant_uid 파라메터가 누락되었습니다."
    if (
        params.amount is None
        or params.amount < 0
        or (params.amount == 0 and not params.customer_uid)
    ):
        return "F400", "amount 파라메터가 올바르지 않습니다."
    prepared = store.prepared.get(params.merchant_uid)
    if prepared is not None and prepared.amount != params.amount:
        return PREPARED_MISMATCH
    if store.paid_for(params.merchant_uid) is not None:
        return ALREADY_PAID
    if params.pay_method not in channel.methods:
        return (
            "F400",
            f"{channel.pg_provider}에서 지원하지 않는 결제수단입니다. ({params.pay_method})",
        )
    if params.customer_uid and channel.billing != "window":
        return "F400", f"{channel.pg_provider} 결제창에서는 빌링키를 발급할 수 없습니다."
    return None


def _refused(params: RequestPay, code: str, message: str, redirect: bool) -> Result:
    rsp = {
        "success": False,
        "imp_uid": None,
        "merchant_uid": params.merchant_uid,
        "error_code": code,
        "error_msg": message,
    }
    return Result(rsp, _redirect_url(params, rsp) if redirect else None)


async def approve(sandbox: SandboxState, window: Window, card_number: str | None) -> Result:
    store = sandbox.store
    payment = window.payment
    if store.is_down(window.channel):
        pg.fail(store, payment, pg.outage_message(window.channel))
        return finish(window, "F500")
    method = payment.pay_method
    if method == "card":
        number = card_number or cards.TEST_CARDS[0].number
        card = cards.lookup(number)
        if card is None or card.outcome is Outcome.INVALID:
            pg.fail(store, payment, cards.INVALID_CARD_AT_ISSUE)
            return finish(window, "F113")
        on_file = pg.CardOnFile.of_test_card(card, number)
        if window.params.customer_uid and (payment.amount == 0 or not card.decline_reason):
            pg.issue_key(store, window.params.customer_uid, window.channel, card, number, {})
            if payment.amount == 0:  # key issue only: nothing to charge
                on_file = pg.CardOnFile(*_without_decline(on_file))
        pg.charge(store, payment, on_file)
    elif method == "vbank":
        _issue_vbank(sandbox, payment, window.params.vbank_due)
        await _notify(sandbox, payment, "ready")
        return finish(window)
    else:
        if method == "trans":
            payment.bank_code, payment.bank_name = TRANS_BANK["bank_code"], TRANS_BANK["bank_name"]
        pg.mark_paid(store, payment)
    if payment.status == "paid":
        await _notify(sandbox, payment, "paid")
        return finish(window)
    return finish(window, "F113")


def _without_decline(card: pg.CardOnFile) -> tuple:
    return card.card_name, card.card_code, card.card_number, card.card_type, None


def fail(sandbox: SandboxState, window: Window) -> Result:
    pg.fail(sandbox.store, window.payment, WINDOW_FAILED)
    return finish(window, "F500")


def close(sandbox: SandboxState, window: Window) -> Result:
    """The sponsor closed the window: the attempt stays `ready` (a vbank is simply not issued)."""
    sandbox.store.touch(window.payment)
    return finish(window, *USER_CLOSED)


async def _notify(sandbox: SandboxState, payment: Payment, status: str) -> None:
    await sandbox.webhooks.notify(
        imp_uid=payment.imp_uid,
        merchant_uid=payment.merchant_uid,
        status=status,
        notice_url=payment.notice_url,
    )


def _issue_vbank(sandbox: SandboxState, payment: Payment, vbank_due: str | None) -> None:
    store = sandbox.store
    now = store.touch(payment)
    payment.vbank_code = VBANK["vbank_code"]
    payment.vbank_name = VBANK["vbank_name"]
    payment.vbank_num = f"{store.ids.digits(6)}-{store.ids.digits(2)}-{store.ids.digits(6)}"
    payment.vbank_holder = sandbox.config.merchant_name
    payment.vbank_issued_at = now
    payment.vbank_date = _vbank_due(vbank_due, store.now(), sandbox.config.vbank_due_days)
    payment.pg_tid = store.pg_tid()


def _vbank_due(value: str | None, now: datetime, default_days: int) -> int:
    """`YYYYMMDD` (end of that day), `YYYYMMDDHHmm` or `YYYYMMDDHHmmss`, Asia/Seoul."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    formats = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
    try:
        due = datetime.strptime(digits, formats[len(digits)]).replace(tzinfo=pg.SEOUL)
        if len(digits) == 8:
            due += timedelta(hours=23, minutes=59, seconds=59)
    except (KeyError, ValueError):
        seoul = now.astimezone(pg.SEOUL) + timedelta(days=default_days)
        due = seoul.replace(hour=23, minute=59, second=59, microsecond=0)
    return int(due.timestamp())


def finish(window: Window, error_code: str | None = None, error_msg: str | None = None) -> Result:
    window.done = True
    p = window.payment
    success = error_code is None
    rsp = {
        "success": success,
        "imp_uid": p.imp_uid,
        "merchant_uid": p.merchant_uid,
        "pay_method": p.pay_method,
        "paid_amount": p.amount if p.status == "paid" else 0,
        "status": p.status,
        "name": p.name,
        "pg_provider": p.channel.pg_provider,
        "emb_pg_provider": None,
        "pg_tid": p.pg_tid,
        "buyer_name": p.buyer_name,
        "buyer_email": p.buyer_email,
        "buyer_tel": p.buyer_tel,
        "buyer_addr": p.buyer_addr,
        "buyer_postcode": p.buyer_postcode,
        "custom_data": None if p.custom_data is None else json.loads(p.custom_data),
        "paid_at": p.paid_at,
        "receipt_url": p.receipt_url,
        "apply_num": p.apply_num,
        "vbank_num": p.vbank_num,
        "vbank_name": p.vbank_name,
        "vbank_holder": p.vbank_holder,
        "vbank_date": p.vbank_date,
        "card_name": p.card_name,
        "card_quota": p.card_quota,
        "card_number": p.card_number,
        "currency": p.currency,
        "customer_uid": p.customer_uid,
        "error_code": error_code,
        "error_msg": None if success else (error_msg or p.fail_reason),
    }
    redirect_url = _redirect_url(window.params, rsp) if window.redirect else None
    return Result(rsp, redirect_url, window)


def _redirect_url(params: RequestPay, rsp: dict[str, Any]) -> str | None:
    if not params.m_redirect_url:
        return None
    query = {
        "imp_uid": rsp["imp_uid"] or "",
        "merchant_uid": rsp["merchant_uid"] or "",
        "imp_success": "true" if rsp["success"] else "false",
    }
    if not rsp["success"]:
        query["error_code"] = rsp["error_code"] or ""
        query["error_msg"] = rsp["error_msg"] or ""
    separator = "&" if "?" in params.m_redirect_url else "?"
    return params.m_redirect_url + separator + urlencode(query)


def method_label(method: str) -> str:
    return METHOD_LABELS.get(method, method)
