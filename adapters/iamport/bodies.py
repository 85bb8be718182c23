"""Request bodies and query strings for iamport, built from the port's request types (pure).

`None` values are left out (iamport reads an absent field as its default). Card fields go out as
iamport documents them: `card_number` "dddd-dddd-dddd-dddd", `expiry` "YYYY-MM".
"""

from collections.abc import Iterable
from typing import Any

from application.gateway import (
    AgainRequest,
    BillingKeyRequest,
    Buyer,
    CancelRequest,
    OnetimeRequest,
    ReceiptRequest,
)
from domain.card_credentials import CardCredentials


def compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def card_fields(card: CardCredentials) -> dict[str, Any]:
    return {
        "card_number": card.dashed_number,
        "expiry": card.expiry,
        "birth": card.birth,
        "pwd_2digit": card.pwd_2digit,
    }


def card_secrets(card: CardCredentials) -> tuple[str, ...]:
    """The strings that must never come back out (in a message, a log, an exception)."""
    return (card.number, card.digits, card.dashed_number, card.expiry, card.birth)


def buyer_fields(buyer: Buyer) -> dict[str, Any]:
    return {"buyer_name": buyer.name, "buyer_email": buyer.email, "buyer_tel": buyer.tel}


def prepare(merchant_uid: str, amount: int) -> dict[str, Any]:
    return {"merchant_uid": merchant_uid, "amount": amount}


def cancel(request: CancelRequest) -> dict[str, Any]:
    return compact(
        {
            "imp_uid": request.imp_uid,
            "amount": request.amount,
            "checksum": request.checksum,
            "reason": request.reason,
            "tax_free": request.tax_free,
            "vat_amount": request.vat_amount,
            "refund_holder": request.refund_holder,
            "refund_bank": request.refund_bank,
            "refund_account": request.refund_account,
            "refund_tel": request.refund_tel,
        }
    )


def billing_key(request: BillingKeyRequest) -> dict[str, Any]:
    return compact(
        {
            "pg": request.pg,
            **card_fields(request.card),
            "customer_name": request.customer_name,
            "customer_email": request.customer_email,
            "customer_tel": request.customer_tel,
        }
    )


def again(request: AgainRequest) -> dict[str, Any]:
    return compact(
        {
            "customer_uid": request.customer_uid,
            "merchant_uid": request.merchant_uid,
            "amount": request.amount,
            "name": request.name,
            "tax_free": request.tax_free,
            **buyer_fields(request.buyer),
            "notice_url": request.notice_url,
        }
    )


def onetime(request: OnetimeRequest) -> dict[str, Any]:
    return compact(
        {
            "merchant_uid": request.merchant_uid,
            "amount": request.amount,
            **card_fields(request.card),
            "customer_uid": request.customer_uid,
            "pg": request.pg,
            "name": request.name,
            "tax_free": request.tax_free,
            "card_quota": request.card_quota,
            **buyer_fields(request.buyer),
            "notice_url": request.notice_url,
        }
    )


def receipt(request: ReceiptRequest) -> dict[str, Any]:
    return compact(
        {
            "identifier": request.identifier,
            "identifier_type": request.identifier_type,
            "type": request.type,
            "tax_free": request.tax_free,
            **buyer_fields(request.buyer),
        }
    )


def receipt_secrets(request: ReceiptRequest) -> tuple[str, ...]:
    """The identifier, as sent and as a PG may echo it (grouped by dashes)."""
    d = request.identifier
    grouped = f"{d[:3]}-{d[3:-4]}-{d[-4:]}" if len(d) == 11 else f"{d[:3]}-{d[3:5]}-{d[5:]}"
    return (d, grouped)


def id_list(key: str, ids: Iterable[str]) -> list[tuple[str, str]]:
    """`imp_uid[]=a&imp_uid[]=b` as httpx query params."""
    return [(f"{key}[]", i) for i in ids]
