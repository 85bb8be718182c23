"""Billing keys and non-auth payments: /subscribe/customers, /subscribe/payments/again|onetime."""

from __future__ import annotations

import json
import logging

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody

from . import cards, outages, pg, wire
from .state import SandboxDep, SandboxState
from .store import Payment

log = logging.getLogger(__name__)

Amount = int | float
NO_NON_AUTH_MODULE = "비인증결제모듈 사용정보를 찾을 수 없습니다."


def _unknown_customer(customer_uid: str) -> str:
    return f"요청하신 customer_uid({customer_uid})로 등록된 정보를 찾을 수 없습니다."


CUSTOMER_FIELDS = (
    "customer_id",
    "customer_name",
    "customer_tel",
    "customer_email",
    "customer_addr",
    "customer_postcode",
)


class CardData(msgspec.Struct):
    """Raw card data: never logged or echoed (its repr shows the masked number only)."""

    card_number: str | None = None
    expiry: str | None = None
    birth: str | None = None
    pwd_2digit: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({cards.mask(self.card_number or '')})"


class IssueKey(CardData):
    pg: str | None = None
    channel_key: str | None = None  # swagger marks it required; older clients never send it
    customer_id: str | None = None
    customer_name: str | None = None
    customer_tel: str | None = None
    customer_email: str | None = None
    customer_addr: str | None = None
    customer_postcode: str | None = None


class Again(msgspec.Struct):
    merchant_uid: str | None = None
    amount: Amount | None = None
    tax_free: Amount | None = None
    currency: str | None = None
    name: str | None = None  # swagger marks it required on `again`; clients omit it
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_tel: str | None = None
    buyer_addr: str | None = None
    buyer_postcode: str | None = None
    card_quota: int | None = None
    custom_data: JSONBody[str | None] = None
    notice_url: str | None = None
    customer_uid: str | None = None


class Onetime(Again):
    pg: str | None = None
    card_number: str | None = None
    expiry: str | None = None
    birth: str | None = None
    pwd_2digit: str | None = None

    def __repr__(self) -> str:
        return f"Onetime({self.merchant_uid}, {cards.mask(self.card_number or '')})"


Buyer = Again


@post("/subscribe/customers/{customer_uid:str}", status_code=200, operation_id="issueBillingKey")
async def issue_billing_key(
    customer_uid: FromPath[str], request: Request, sandbox: SandboxDep
) -> Response:
    body = wire.convert(await wire.body_of(request), IssueKey)
    if not body.card_number or not body.expiry:
        raise wire.BadRequest("card_number, expiry 파라메터가 누락되었습니다.")
    store = sandbox.store
    channel = store.channel_for(body.pg, body.channel_key)
    if channel.billing != "rest":
        return wire.fail(1, NO_NON_AUTH_MODULE)
    if (down := await outages.refusal(sandbox, channel, request)) is not None:
        return down
    card = pg.check_card(body.card_number, body.expiry, store)
    if isinstance(card, str):
        log.info("billing key refused for %s: %s", cards.mask(body.card_number), card)
        return wire.fail(-1, card)
    details = {f: getattr(body, f) for f in CUSTOMER_FIELDS}
    customer = pg.issue_key(store, customer_uid, channel, card, body.card_number, details)
    return wire.ok(wire.customer_body(customer))


@get("/subscribe/customers/{customer_uid:str}", operation_id="getBillingKey")
async def get_billing_key(customer_uid: FromPath[str], sandbox: SandboxDep) -> Response:
    customer = sandbox.store.customers.get(customer_uid)
    if customer is None:
        return wire.fail(-1, _unknown_customer(customer_uid), 404)
    return wire.ok(wire.customer_body(customer))


@delete("/subscribe/customers/{customer_uid:str}", status_code=200, operation_id="deleteBillingKey")
async def delete_billing_key(customer_uid: FromPath[str], sandbox: SandboxDep) -> Response:
    customer = sandbox.store.customers.pop(customer_uid, None)
    if customer is None:
        return wire.fail(-1, _unknown_customer(customer_uid), 404)
    return wire.ok(wire.customer_body(customer))


@get("/subscribe/customers", operation_id="getBillingKeys")
async def get_billing_keys(request: Request, sandbox: SandboxDep) -> Response:
    uids = wire.query_of(request).get("customer_uid") or []
    uids = uids if isinstance(uids, list) else [uids]
    if not uids:
        raise wire.BadRequest("customer_uid[] 파라메터가 필요합니다.")
    found = [sandbox.store.customers[u] for u in uids if u in sandbox.store.customers]
    if not found:
        return wire.fail(-1, "등록된 고객정보가 없습니다.", 404)
    status = 207 if len(found) < len(uids) else 200
    return wire.ok([wire.customer_body(c) for c in found], status_code=status)


def _new_api_payment(sandbox: SandboxState, body: Buyer, channel, base_url: str) -> Payment:
    payment = sandbox.store.new_payment(
        merchant_uid=body.merchant_uid,
        channel=channel,
        pay_method="card",
        amount=int(body.amount),
        tax_free=int(body.tax_free or 0),
        currency=body.currency or "KRW",
        origin="api",
        name=body.name,
        buyer_name=body.buyer_name,
        buyer_email=body.buyer_email,
        buyer_tel=body.buyer_tel,
        buyer_addr=body.buyer_addr,
        buyer_postcode=body.buyer_postcode,
        card_quota=body.card_quota or 0,
        custom_data=_custom_data(body.custom_data),
        notice_url=body.notice_url,
        user_agent="sorry_not_supported",
    )
    payment.receipt_url = sandbox.store.receipt_url(base_url, payment.imp_uid)
    return payment


def _custom_data(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        json.loads(value)
        return value
    except ValueError:
        return json.dumps(value, ensure_ascii=False)


def _check_amounts(body: Buyer) -> None:
    if not body.merchant_uid or body.amount is None:
        raise wire.BadRequest("merchant_uid, amount 파라메터가 누락되었습니다.")
    if body.amount <= 0 or not 0 <= (body.tax_free or 0) <= body.amount:
        raise wire.BadRequest("amount / tax_free 값이 올바르지 않습니다.")


async def _after_charge(sandbox: SandboxDep, payment: Payment) -> Response:
    if payment.status == "paid":  # no webhook for an immediate failure (WH1)
        await sandbox.webhooks.notify(
            imp_uid=payment.imp_uid,
            merchant_uid=payment.merchant_uid,
            status="paid",
            notice_url=payment.notice_url,
        )
    return wire.ok(wire.payment_body(payment))


@post("/subscribe/payments/again", status_code=200, operation_id="again")
async def again(request: Request, sandbox: SandboxDep) -> Response:
    body = wire.convert(await wire.body_of(request), Again)
    if not body.customer_uid:
        raise wire.BadRequest("customer_uid 파라메터가 누락되었습니다.")
    _check_amounts(body)
    store = sandbox.store
    customer = store.customers.get(body.customer_uid)
    if customer is None:
        return wire.fail(1, "등록되지 않은 구매자입니다.")
    if (down := await outages.refusal(sandbox, customer.channel, request)) is not None:
        return down
    if sandbox.config.again_rejects_paid_merchant_uid and store.paid_for(body.merchant_uid):
        return wire.fail(1, "이미 결제가 완료된 merchant_uid입니다.")
    payment = _new_api_payment(sandbox, body, customer.channel, sandbox.base_url(request))
    payment.customer_uid = customer.customer_uid
    payment.customer_uid_usage = "payment"
    pg.charge(store, payment, pg.CardOnFile.of_customer(customer))
    return await _after_charge(sandbox, payment)


@post("/subscribe/payments/onetime", status_code=200, operation_id="onetime")
async def onetime(request: Request, sandbox: SandboxDep) -> Response:
    body = wire.convert(await wire.body_of(request), Onetime)
    if not body.card_number or not body.expiry:
        raise wire.BadRequest("card_number, expiry 파라메터가 누락되었습니다.")
    _check_amounts(body)
    store = sandbox.store
    channel = store.channel_for(body.pg)
    if channel.billing != "rest":
        return wire.fail(1, NO_NON_AUTH_MODULE)
    if (down := await outages.refusal(sandbox, channel, request)) is not None:
        return down
    card = pg.check_card(body.card_number, body.expiry, store)
    if isinstance(card, str):
        message = cards.INVALID_CARD_AT_ONETIME if card == cards.INVALID_CARD_AT_ISSUE else card
        return wire.fail(-1, message)
    payment = _new_api_payment(sandbox, body, channel, sandbox.base_url(request))
    if body.customer_uid:  # the card is also stored as a billing key
        pg.issue_key(store, body.customer_uid, channel, card, body.card_number, {})
        payment.customer_uid = body.customer_uid
        payment.customer_uid_usage = "issue"
    pg.charge(store, payment, pg.CardOnFile.of_test_card(card, body.card_number))
    return await _after_charge(sandbox, payment)


ROUTES = [issue_billing_key, get_billing_key, delete_billing_key, get_billing_keys, again, onetime]
