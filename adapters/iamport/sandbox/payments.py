"""Amount pre-registration, cancels and vbank revocation: /payments/prepare, /payments/cancel,
DELETE /vbanks/{imp_uid}."""

from __future__ import annotations

import msgspec
from litestar import Request, Response, delete, get, post, put
from litestar.params import FromPath

from . import outages, pg, wire
from .state import SandboxDep, SandboxState
from .store import Payment, Prepared

Amount = int | float


class Prepare(msgspec.Struct):
    merchant_uid: str | None = None
    amount: Amount | None = None
    currency: str | None = None


class Cancel(msgspec.Struct):
    imp_uid: str | None = None
    merchant_uid: str | None = None
    amount: Amount | None = None
    tax_free: Amount | None = None
    vat_amount: Amount | None = None
    checksum: Amount | None = None
    reason: str | None = None
    refund_holder: str | None = None
    refund_bank: str | None = None
    refund_account: str | None = None
    refund_tel: str | None = None
    enable_webhook: bool = False


def _prepared_body(p: Prepared) -> dict:
    return {"merchant_uid": p.merchant_uid, "amount": p.amount, "currency": p.currency}


async def _prepare_body(request: Request) -> Prepare:
    body = wire.convert(await wire.body_of(request), Prepare)
    if not body.merchant_uid or body.amount is None:
        raise wire.BadRequest("merchant_uid, amount 파라메터가 누락되었습니다.")
    return body


@post("/payments/prepare", status_code=200, operation_id="prepare")
async def prepare(request: Request, sandbox: SandboxDep) -> Response:
    body = await _prepare_body(request)
    prepared = sandbox.store.prepared
    if body.merchant_uid in prepared:
        return wire.fail(1, "결제정보 사전등록에 실패하였습니다(이미 등록된 merchant_uid입니다).")
    prepared[body.merchant_uid] = Prepared(body.merchant_uid, wire.krw(body.amount), body.currency)
    return wire.ok(_prepared_body(prepared[body.merchant_uid]))


@put("/payments/prepare", operation_id="updatePrepare")
async def update_prepare(request: Request, sandbox: SandboxDep) -> Response:
    body = await _prepare_body(request)
    prepared = sandbox.store.prepared
    if body.merchant_uid not in prepared:
        return wire.fail(-1, "사전등록된 결제정보가 존재하지 않습니다.", 404)
    prepared[body.merchant_uid] = Prepared(body.merchant_uid, wire.krw(body.amount), body.currency)
    return wire.ok(_prepared_body(prepared[body.merchant_uid]))


@get("/payments/prepare/{merchant_uid:str}", operation_id="getPrepare")
async def get_prepare(merchant_uid: FromPath[str], sandbox: SandboxDep) -> Response:
    prepared = sandbox.store.prepared.get(merchant_uid)
    if prepared is None:  # UNVERIFIED at iamport (SW lists only 200/401)
        return wire.fail(-1, "사전등록된 결제정보가 존재하지 않습니다.", 404)
    return wire.ok(_prepared_body(prepared))


def _cancel_target(sandbox: SandboxState, body: Cancel) -> Payment | None:
    store = sandbox.store
    if body.imp_uid:  # imp_uid wins, even when it is wrong and merchant_uid is right
        return store.payments.get(body.imp_uid)
    if body.merchant_uid:
        payments = store.by_merchant_uid(body.merchant_uid)
        paid = [p for p in payments if p.status == "paid"]
        cancelled = [p for p in payments if p.status == "cancelled"]
        for group in (paid, cancelled):
            if group:
                return max(group, key=lambda p: p.seq)
    return None


def _int(value: Amount | None) -> int | None:
    return None if value is None else int(value)


@post("/payments/cancel", status_code=200, operation_id="cancelPayment")
async def cancel(request: Request, sandbox: SandboxDep) -> Response:
    body = wire.convert(await wire.body_of(request), Cancel)
    payment = _cancel_target(sandbox, body)
    if payment is None:
        return wire.fail(1, "취소할 결제건이 존재하지 않습니다.")
    await outages.hang(sandbox, payment.channel, request)  # pg.cancel then refuses it
    outcome = pg.cancel(
        sandbox.store,
        payment,
        pg.CancelRequest(
            amount=_int(body.amount),
            tax_free=_int(body.tax_free),
            vat_amount=_int(body.vat_amount),
            checksum=_int(body.checksum),
            reason=body.reason,
            refund_holder=body.refund_holder,
            refund_bank=body.refund_bank,
            refund_account=body.refund_account,
        ),
    )
    if isinstance(outcome, str):
        return wire.fail(1, outcome)
    if body.enable_webhook:
        await notify_cancelled(sandbox, payment, outcome.cancellation_id)
    return wire.ok(wire.payment_body(payment))


async def notify_cancelled(sandbox: SandboxDep, payment: Payment, cancellation_id: str) -> None:
    await sandbox.webhooks.notify(
        imp_uid=payment.imp_uid,
        merchant_uid=payment.merchant_uid,
        status="cancelled",
        notice_url=payment.notice_url,
        cancellation_id=cancellation_id,
    )


@delete("/vbanks/{imp_uid:str}", status_code=200, operation_id="revokeVbank")
async def revoke_vbank(imp_uid: FromPath[str], sandbox: SandboxDep) -> Response:
    payment = sandbox.store.payments.get(imp_uid)
    if payment is None:
        return wire.not_found()
    if payment.pay_method != "vbank":
        return wire.fail(-1, "가상계좌 결제건이 아닙니다.", 400)
    if payment.status != "ready" or not payment.vbank_num:
        return wire.fail(-1, "입금대기(ready) 상태의 가상계좌가 아닙니다.", 400)
    if sandbox.store.is_down(payment.channel):
        return wire.fail(-1, pg.outage_message(payment.channel))
    now = sandbox.store.touch(payment)
    payment.status = "cancelled"
    payment.cancelled_at = now
    payment.cancel_reason = "가상계좌 발급취소"
    return wire.ok(wire.payment_body(payment))


ROUTES = [prepare, update_prepare, get_prepare, cancel, revoke_vbank]
