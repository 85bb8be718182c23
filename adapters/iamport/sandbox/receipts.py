"""현금영수증 (cash receipts) of cash-like payments: GET / POST / DELETE /receipts/{imp_uid}.

As iamport's swagger: issued for a paid `trans` or `vbank` payment, for its balance (a
partially refunded payment's remainder), once; 400 when a field is missing, the payment is not
paid or a receipt is already issued; DELETE cancels it (400 when none was issued); GET answers
404 when none exists. The identifier (phone number, 사업자번호) is kept masked only.
"""

from __future__ import annotations

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath

from . import wire
from .state import SandboxDep
from .store import Receipt

CASH_METHODS = ("trans", "vbank")


class Issue(msgspec.Struct):
    identifier: str | None = None
    identifier_type: str | None = None
    type: str | None = None
    tax_free: int | float | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_tel: str | None = None
    product_type: str | None = None

    def __repr__(self) -> str:
        return "Issue(<identifier hidden>)"


def _mask(identifier: str) -> str:
    digits = "".join(c for c in identifier if c.isdigit())
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def receipt_body(r: Receipt) -> dict:
    return {
        "imp_uid": r.imp_uid,
        "receipt_tid": r.receipt_tid,
        "apply_num": r.apply_num,
        "type": r.type,
        "amount": r.amount,
        "vat": r.vat,
        "receipt_url": r.receipt_url,
        "applied_at": r.applied_at,
        "cancelled_at": r.cancelled_at,
    }


@get("/receipts/{imp_uid:str}", operation_id="getReceipt")
async def get_receipt(imp_uid: FromPath[str], sandbox: SandboxDep) -> Response:
    receipt = sandbox.store.receipts.get(imp_uid)
    if receipt is None:
        return wire.fail(-1, "현금영수증 발행된 내역이 존재하지 않습니다.", 404)
    return wire.ok(receipt_body(receipt))


@post("/receipts/{imp_uid:str}", status_code=200, operation_id="issueReceipt")
async def issue_receipt(imp_uid: FromPath[str], request: Request, sandbox: SandboxDep) -> Response:
    body = wire.convert(await wire.body_of(request), Issue)
    store = sandbox.store
    payment = store.payments.get(imp_uid)
    if payment is None:  # the swagger documents no 404 here
        return wire.fail(-1, "존재하지 않는 결제정보입니다.", 400)
    if not body.identifier or not any(c.isdigit() for c in body.identifier):
        return wire.fail(-1, "identifier 파라메터가 누락되었습니다.", 400)
    if payment.pay_method not in CASH_METHODS:
        return wire.fail(-1, "현금성 거래(가상계좌, 계좌이체)가 아닙니다.", 400)
    if payment.status != "paid":
        return wire.fail(-1, "결제완료(paid) 상태의 결제건이 아닙니다.", 400)
    existing = store.receipts.get(imp_uid)
    if existing is not None and not existing.cancelled_at:
        return wire.fail(-1, "이미 현금영수증이 발행된 거래건입니다.", 400)
    if store.is_down(payment.channel):
        return wire.fail(-1, "현금영수증 발행에 실패하였습니다.", 500)
    amount = payment.amount - payment.cancel_amount
    tax_free = min(int(body.tax_free or 0), amount)
    receipt = Receipt(
        imp_uid=imp_uid,
        type="company" if body.type == "company" else "person",
        amount=amount,
        vat=(amount - tax_free) // 11,
        identifier_masked=_mask(body.identifier),
        apply_num=store.ids.digits(9),
        receipt_tid=store.ids.alnum(20),
        applied_at=store.clock.timestamp(),
        receipt_url=f"{sandbox.base_url(request)}/receipt/{imp_uid}",
    )
    store.receipts[imp_uid] = receipt
    return wire.ok(receipt_body(receipt))


@delete("/receipts/{imp_uid:str}", status_code=200, operation_id="cancelReceipt")
async def cancel_receipt(imp_uid: FromPath[str], sandbox: SandboxDep) -> Response:
    store = sandbox.store
    receipt = store.receipts.get(imp_uid)
    if receipt is None or receipt.cancelled_at:
        return wire.fail(-1, "현금영수증이 발급된 적이 없는 거래건입니다.", 400)
    payment = store.payments.get(imp_uid)
    if payment is not None and store.is_down(payment.channel):
        return wire.fail(-1, "현금영수증 발급취소에 실패하였습니다.", 500)
    receipt.cancelled_at = store.clock.timestamp()
    return wire.ok(receipt_body(receipt))


ROUTES = [get_receipt, issue_receipt, cancel_receipt]
