"""iamport wire encoding: the envelope, request bodies (JSON or form), Payment / Customer bodies."""

from __future__ import annotations

import json
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import msgspec
from litestar import Request, Response

from .store import Customer, Payment

T = TypeVar("T", bound=msgspec.Struct)


class BadRequest(Exception):
    """A request iamport refuses before doing anything: code -1, HTTP 200 (or 400 on the
    operations whose swagger documents a 400)."""

    def __init__(self, message: str, status_code: int = 200) -> None:
        super().__init__(message)
        self.status_code = status_code


def ok(response: Any, status_code: int = 200) -> Response:
    return Response({"code": 0, "message": None, "response": response}, status_code=status_code)


def fail(code: int, message: str, status_code: int = 200) -> Response:
    """A failure envelope: business failures are HTTP 200 with code != 0 and response null."""
    return Response({"code": code, "message": message, "response": None}, status_code=status_code)


def unauthorized(message: str = "Unauthorized") -> Response:
    return fail(-1, message, 401)


def not_found(message: str = "존재하지 않는 결제정보입니다.") -> Response:
    return fail(-1, message, 404)


def parse_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Form / query pairs → dict; `key[]` (and repeated keys) become lists."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key.endswith("[]"):
            data.setdefault(key[:-2], []).append(value)
        elif key in data:
            previous = data[key]
            data[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[key] = value
    return data


async def body_of(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in content_type:
        return parse_pairs(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    try:
        data = json.loads(raw)
    except ValueError:
        try:
            return parse_pairs(
                parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            )
        except ValueError:
            raise BadRequest("요청 본문을 해석할 수 없습니다.") from None
    if not isinstance(data, dict):
        raise BadRequest("요청 본문을 해석할 수 없습니다.")
    return data


def query_of(request: Request) -> dict[str, Any]:
    return parse_pairs(
        parse_qsl(request.scope.get("query_string", b"").decode(), keep_blank_values=True)
    )


def convert(data: dict[str, Any], kind: type[T]) -> T:
    """Lax conversion: form strings become numbers / booleans, numbers become strings."""
    fields = {f.encode_name: f.type for f in msgspec.structs.fields(kind)}
    cleaned = {}
    for key, value in data.items():
        if key not in fields:
            continue
        if value == "" and fields[key] is not str:
            continue  # an empty form field means "not given"
        if isinstance(value, bool | int | float) and _wants_str(fields[key]):
            value = str(value).lower() if isinstance(value, bool) else _num_str(value)
        if isinstance(value, dict) and _wants_str(fields[key]):
            value = json.dumps(value, ensure_ascii=False)
        cleaned[key] = value
    try:
        return msgspec.convert(cleaned, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise BadRequest(f"요청 파라메터가 올바르지 않습니다: {exc}") from None


def _wants_str(annotation: Any) -> bool:
    return annotation is str or annotation == (str | None)


def _num_str(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def krw(value: int | float) -> int | float:
    return int(value) if float(value).is_integer() else value


def payment_body(p: Payment) -> dict[str, Any]:
    """Every PaymentAnnotation field; N/A strings null, unreached timestamps 0."""
    return {
        "imp_uid": p.imp_uid,
        "merchant_uid": p.merchant_uid,
        "pay_method": p.pay_method,
        "channel": p.origin,
        "pg_provider": p.channel.pg_provider,
        "emb_pg_provider": None,
        "pg_tid": p.pg_tid,
        "pg_id": p.channel.pg_id,
        "sandbox": p.sandbox,
        "escrow": False,
        "apply_num": p.apply_num,
        "bank_code": p.bank_code,
        "bank_name": p.bank_name,
        "card_code": p.card_code,
        "card_name": p.card_name,
        "card_issuer_code": None,
        "card_issuer_name": None,
        "card_publisher_code": None,
        "card_publisher_name": None,
        "card_quota": p.card_quota,
        "card_number": p.card_number,
        "card_type": p.card_type,
        "vbank_code": p.vbank_code,
        "vbank_name": p.vbank_name,
        "vbank_num": p.vbank_num,
        "vbank_holder": p.vbank_holder,
        "vbank_date": p.vbank_date,
        "vbank_issued_at": p.vbank_issued_at,
        "name": p.name,
        "amount": p.amount,
        "cancel_amount": p.cancel_amount,
        "currency": p.currency,
        "buyer_name": p.buyer_name,
        "buyer_email": p.buyer_email,
        "buyer_tel": p.buyer_tel,
        "buyer_addr": p.buyer_addr,
        "buyer_postcode": p.buyer_postcode,
        "custom_data": p.custom_data,
        "user_agent": p.user_agent,
        "status": p.status,
        "started_at": p.started_at,
        "paid_at": p.paid_at,
        "failed_at": p.failed_at,
        "cancelled_at": p.cancelled_at,
        "fail_reason": p.fail_reason,
        "cancel_reason": p.cancel_reason,
        "receipt_url": p.receipt_url,
        "cancel_history": [
            {
                "pg_tid": c.pg_tid,
                "amount": c.amount,
                "cancelled_at": c.cancelled_at,
                "reason": c.reason,
                "receipt_url": c.receipt_url,
                "cancellation_id": c.cancellation_id,
            }
            for c in p.cancellations
        ],
        "cancel_receipt_urls": [c.receipt_url for c in p.cancellations],
        "deposit_history": list(p.deposits),
        "cash_receipt_issued": False,
        "customer_uid": p.customer_uid,
        "customer_uid_usage": p.customer_uid_usage,
        "promotion": None,
    }


def customer_body(c: Customer) -> dict[str, Any]:
    return {
        "customer_uid": c.customer_uid,
        "pg_provider": c.channel.pg_provider,
        "pg_id": c.channel.pg_id,
        "sandbox": c.channel.test,
        "customer_id": c.customer_id,
        "card_name": c.card_name,
        "card_code": c.card_code,
        "card_issuer_code": None,
        "card_issuer_name": None,
        "card_publisher_code": None,
        "card_publisher_name": None,
        "card_number": c.card_number,
        "card_type": c.card_type,
        "customer_name": c.customer_name,
        "customer_tel": c.customer_tel,
        "customer_email": c.customer_email,
        "customer_addr": c.customer_addr,
        "customer_postcode": c.customer_postcode,
        "inserted": c.inserted,
        "updated": c.updated,
    }


def paged(items: list[Any], page: int, limit: int) -> dict[str, Any]:
    total = len(items)
    start = (page - 1) * limit
    return {
        "total": total,
        "previous": page - 1 if page > 1 else 0,
        "next": page + 1 if start + limit < total else 0,
        "list": items[start : start + limit],
    }
