"""iamport V1 wire types (msgspec), mirroring the swagger definitions.

Tolerant on purpose: unknown fields are ignored, every field that is not an identifier may be
`null` or absent, and decoding is lax (`strict=False`: `"0"` → 0, `5900.0` → 5900). Timestamps
are unix seconds with `0` meaning "not reached"; `custom_data` is a JSON *string*. Turning these
into the port's types is `translate.py`'s job; nothing here knows about outcomes.
"""

import builtins
import json
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

Number = int | float

NULL = msgspec.Raw(b"null")


class WireError(ValueError):
    """A body iamport sent that we cannot read (not JSON, wrong shape, unknown status)."""


class _Wire(msgspec.Struct, kw_only=True, frozen=True):
    pass


class Envelope(_Wire):
    """ResponseAnnotation: `code` 0 = OK; `response` kept raw until `code` says what it holds."""

    code: int
    message: str | None = None
    response: msgspec.Raw = NULL

    @property
    def has_response(self) -> bool:
        return bytes(self.response).strip() not in (b"", b"null")


class WireToken(_Wire):
    """AuthAnnotation."""

    access_token: str
    now: int
    expired_at: int


class WirePrepared(_Wire):
    """PaymentPrepareAnnotation (its swagger `required` list is a copy-paste error; ignored)."""

    merchant_uid: str
    amount: Number
    currency: str | None = None


class WireCancel(_Wire):
    """PaymentCancelAnnotation (`cancellation_id` is absent in real samples)."""

    pg_tid: str | None = None
    amount: Number = 0
    cancelled_at: int | None = None
    reason: str | None = None
    receipt_url: str | None = None
    cancellation_id: str | None = None


class WireDeposit(_Wire):
    """VbankDepositAnnotation."""

    pg_tid: str | None = None
    amount: Number = 0
    depositor_name: str | None = None
    deposited_at: int | None = None


class WirePromotion(_Wire):
    id: str | None = None
    discount: Number | None = None


class WirePayment(_Wire):
    """PaymentAnnotation. Only `imp_uid`, `status` and `amount` are needed to read one (the
    swagger also requires `merchant_uid`, but a real cancel answer was quoted without it)."""

    imp_uid: str
    status: str
    amount: Number
    merchant_uid: str | None = None
    cancel_amount: Number | None = None
    currency: str | None = None
    sandbox: bool | None = None
    pay_method: str | None = None
    channel: str | None = None
    pg_provider: str | None = None
    emb_pg_provider: str | None = None
    pg_tid: str | None = None
    pg_id: str | None = None
    escrow: bool | None = None
    apply_num: str | None = None
    bank_code: str | None = None
    bank_name: str | None = None
    card_code: str | None = None
    card_name: str | None = None
    card_issuer_code: str | None = None
    card_issuer_name: str | None = None
    card_publisher_code: str | None = None
    card_publisher_name: str | None = None
    card_quota: int | None = None
    card_number: str | None = None  # masked by the PG
    card_type: int | None = None  # 0 credit, 1 check; null for some PGs
    vbank_code: str | None = None
    vbank_name: str | None = None
    vbank_num: str | None = None
    vbank_holder: str | None = None
    vbank_date: int | None = None
    vbank_issued_at: int | None = None
    name: str | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_tel: str | None = None
    buyer_addr: str | None = None
    buyer_postcode: str | None = None
    custom_data: str | dict[str, Any] | None = None  # a JSON string on the wire
    user_agent: str | None = None
    started_at: int | None = None
    paid_at: int | None = None
    failed_at: int | None = None
    cancelled_at: int | None = None
    fail_reason: str | None = None
    cancel_reason: str | None = None
    receipt_url: str | None = None
    cancel_history: list[WireCancel] | None = None
    deposit_history: list[WireDeposit] | None = None
    cancel_receipt_urls: list[str] | None = None
    cash_receipt_issued: bool | None = None
    customer_uid: str | None = None
    customer_uid_usage: str | None = None
    promotion: WirePromotion | None = None

    def custom_data_object(self) -> Any:
        """`custom_data` parsed (it is a JSON string on the wire); the raw string if not JSON."""
        if not isinstance(self.custom_data, str):
            return self.custom_data
        try:
            return json.loads(self.custom_data)
        except ValueError:
            return self.custom_data


class WirePaymentPage(_Wire):
    """PagedPaymentAnnotation: `previous` / `next` are page numbers, 0 when there is none."""

    total: int = 0
    previous: int = 0
    next: int = 0
    list: builtins.list[WirePayment] = msgspec.field(default_factory=builtins.list)


class WireReceipt(_Wire):
    """ReceiptAnnotation (a 현금영수증)."""

    imp_uid: str
    apply_num: str | None = None
    receipt_tid: str | None = None
    type: str | None = None
    amount: Number = 0
    vat: Number = 0
    receipt_url: str | None = None
    applied_at: int | None = None
    cancelled_at: int | None = None


class WireCustomer(_Wire):
    """CustomerAnnotation (a billing key)."""

    customer_uid: str
    pg_provider: str | None = None
    pg_id: str | None = None
    sandbox: bool | None = None
    customer_id: str | None = None
    card_name: str | None = None
    card_code: str | None = None
    card_issuer_code: str | None = None
    card_issuer_name: str | None = None
    card_publisher_code: str | None = None
    card_publisher_name: str | None = None
    card_number: str | None = None  # masked
    card_type: int | None = None
    customer_name: str | None = None
    customer_tel: str | None = None
    customer_email: str | None = None
    customer_addr: str | None = None
    customer_postcode: str | None = None
    inserted: int | None = None
    updated: int | None = None


class WireSchedule(_Wire):
    """ScheduleResultAnnotation (decoded for completeness; the client does not schedule)."""

    customer_uid: str
    merchant_uid: str
    imp_uid: str | None = None
    customer_id: str | None = None
    pg_provider: str | None = None
    pg_id: str | None = None
    schedule_at: int | None = None
    executed_at: int | None = None
    revoked_at: int | None = None
    amount: Number | None = None
    currency: str | None = None
    name: str | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_tel: str | None = None
    buyer_addr: str | None = None
    buyer_postcode: str | None = None
    custom_data: str | dict[str, Any] | None = None
    schedule_status: str | None = None
    payment_status: str | None = None
    fail_reason: str | None = None


def decode_envelope(body: bytes) -> Envelope:
    try:
        return msgspec.json.decode(body, type=Envelope, strict=False)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:
        raise WireError(f"not an iamport envelope ({_short(exc)})") from None


def decode(raw: bytes | msgspec.Raw, type: type[T]) -> T:
    """Decode `response` (or any iamport JSON) into a wire type; WireError when it does not fit."""
    try:
        return msgspec.json.decode(bytes(raw), type=type, strict=False)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:
        raise WireError(f"unexpected {getattr(type, '__name__', type)} ({_short(exc)})") from None


def _short(exc: Exception) -> str:
    # msgspec errors name the path and the expected type, never the value: safe to show.
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 at byte {exc.start}"
    return str(exc)[:200]
