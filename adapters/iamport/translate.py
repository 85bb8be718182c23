"""Pure translation: iamport's answers (HTTP status + envelope + wire types) → the port's outcomes.

No I/O here. `classify` is the one place that reads an HTTP status and an envelope; it branches
on the status, on `code != 0` and on whether `response` is there, never on the exact code value or
on the message text (iamport has no stable code table; see ADR 0006 for the table).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

import msgspec

from adapters.iamport import wire
from adapters.iamport.redact import scrub
from application.gateway import (
    Approved,
    BillingKeyInfo,
    Declined,
    GatewayCancel,
    GatewayConfigurationError,
    GatewayPayment,
    GatewayReceipt,
    IamportStatus,
    NotAttempted,
    NotFound,
    Pending,
    PreparedAmount,
    Rejected,
    Unknown,
)

Outcome = Approved | Declined | Pending | Rejected | NotAttempted | Unknown | NotFound
Reader = Callable[[msgspec.Raw], Outcome]


class Missing(Enum):
    """What a 404 means for an operation: a lookup found nothing, or a command was refused."""

    NOT_FOUND = "not_found"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paged listing; `next` is the next page number, 0 when this is the last."""

    payments: list[GatewayPayment]
    next: int = 0


# -- values ----------------------------------------------------------------------------------------
def moment(ts: int | None) -> datetime | None:
    """iamport unix seconds → aware UTC datetime; 0 / null mean "not reached"."""
    if not ts:
        return None
    return datetime.fromtimestamp(ts, UTC)


def won(value: int | float | None) -> int:
    """An iamport `number` as integer KRW; a fractional amount is not a KRW amount we can trust."""
    if value is None:
        return 0
    if isinstance(value, float):
        if not value.is_integer():
            raise wire.WireError(f"non-integral amount {value!r}")
        return int(value)
    return value


def status(value: str) -> IamportStatus:
    try:
        return IamportStatus(value)
    except ValueError:
        raise wire.WireError(f"unrecognised payment status {value[:20]!r}") from None


# -- wire → DTO ------------------------------------------------------------------------------------
def cancel_entry(w: wire.WireCancel) -> GatewayCancel:
    return GatewayCancel(
        amount=won(w.amount),
        cancelled_at=moment(w.cancelled_at),
        reason=w.reason,
        pg_tid=w.pg_tid,
        receipt_url=w.receipt_url,
        cancellation_id=w.cancellation_id,
    )


def payment(w: wire.WirePayment, secrets: Iterable[str] = ()) -> GatewayPayment:
    """`secrets`: card data the request carried, kept out of the PG's free-text reasons."""
    return GatewayPayment(
        imp_uid=w.imp_uid,
        merchant_uid=w.merchant_uid or "",  # "" never matches an order of ours
        status=status(w.status),
        amount=won(w.amount),
        cancel_amount=won(w.cancel_amount),
        currency=w.currency or "KRW",
        pay_method=w.pay_method,
        pg_provider=w.pg_provider,
        emb_pg_provider=w.emb_pg_provider,
        pg_id=w.pg_id,
        pg_tid=w.pg_tid,
        channel=w.channel,
        sandbox=bool(w.sandbox),
        name=w.name,
        card_name=w.card_name,
        card_number=w.card_number,
        card_type=w.card_type,
        apply_num=w.apply_num,
        bank_name=w.bank_name,
        vbank_code=w.vbank_code,
        vbank_name=w.vbank_name,
        vbank_num=w.vbank_num,
        vbank_holder=w.vbank_holder,
        vbank_date=moment(w.vbank_date),
        started_at=moment(w.started_at),
        paid_at=moment(w.paid_at),
        failed_at=moment(w.failed_at),
        cancelled_at=moment(w.cancelled_at),
        fail_reason=_text(w.fail_reason, secrets),
        cancel_reason=_text(w.cancel_reason, secrets),
        receipt_url=w.receipt_url,
        customer_uid=w.customer_uid,
        customer_uid_usage=w.customer_uid_usage,
        cancel_history=tuple(cancel_entry(c) for c in w.cancel_history or ()),
    )


def _text(value: str | None, secrets: Iterable[str]) -> str | None:
    return scrub(value, secrets) if value else value


def customer(w: wire.WireCustomer) -> BillingKeyInfo:
    return BillingKeyInfo(
        customer_uid=w.customer_uid,
        pg_provider=w.pg_provider,
        pg_id=w.pg_id,
        card_name=w.card_name,
        card_code=w.card_code,
        card_number=w.card_number,
        card_type=w.card_type,
        sandbox=bool(w.sandbox),
        inserted=moment(w.inserted),
    )


def prepared(w: wire.WirePrepared) -> PreparedAmount:
    return PreparedAmount(merchant_uid=w.merchant_uid, amount=won(w.amount))


# -- DTO → outcome ---------------------------------------------------------------------------------
def payment_outcome(
    p: GatewayPayment, secrets: Iterable[str] = ()
) -> Approved | Declined | Pending:
    """Lookups and charges alike: paid / cancelled → Approved, failed → Declined, ready → Pending.

    A charge answered `cancelled` did move money (and was refunded since): Approved, the use case
    reads the status.
    """
    if p.status is IamportStatus.FAILED:
        return Declined(scrub(p.fail_reason or "declined by the card company", secrets), p)
    if p.status is IamportStatus.READY:
        return Pending(p)
    return Approved(p)


# -- readers: what `response` holds for each operation (used by `classify`) ------------------------
def read_payment_status(raw: msgspec.Raw, secrets: Iterable[str] = ()) -> Outcome:
    """One payment, judged by its status (lookups, again, onetime)."""
    secrets = tuple(secrets)
    return payment_outcome(payment(wire.decode(raw, wire.WirePayment), secrets), secrets)


def read_payment(raw: msgspec.Raw) -> Outcome:
    """One payment, whatever its status (cancel, close vbank: iamport did what was asked)."""
    return Approved(payment(wire.decode(raw, wire.WirePayment)))


def read_payments(raw: msgspec.Raw) -> Outcome:
    return Approved([payment(w) for w in wire.decode(raw, list[wire.WirePayment])])


def read_page(raw: msgspec.Raw) -> Outcome:
    page = wire.decode(raw, wire.WirePaymentPage)
    return Approved(Page([payment(w) for w in page.list], page.next))


def read_customer(raw: msgspec.Raw) -> Outcome:
    return Approved(customer(wire.decode(raw, wire.WireCustomer)))


def read_receipt(raw: msgspec.Raw) -> Outcome:
    w = wire.decode(raw, wire.WireReceipt)
    return Approved(
        GatewayReceipt(
            imp_uid=w.imp_uid,
            apply_num=w.apply_num,
            type=w.type,
            amount=won(w.amount),
            vat=won(w.vat),
            receipt_url=w.receipt_url,
            applied_at=moment(w.applied_at),
            cancelled_at=moment(w.cancelled_at),
        )
    )


def read_prepared(raw: msgspec.Raw) -> Outcome:
    return Approved(prepared(wire.decode(raw, wire.WirePrepared)))


# -- the classification table (ADR 0006) -----------------------------------------------------------
def classify(
    http_status: int,
    body: bytes,
    read: Reader,
    *,
    missing: Missing = Missing.REJECTED,
    secrets: Iterable[str] = (),
) -> Outcome:
    """HTTP status × envelope `code` × `response` → one outcome.

    2xx, code 0, response   → `read(response)` (Approved / Declined / Pending)
    207, any code, response → `read(response)` (multi-get: some ids failed)
    2xx, code ≠ 0           → Rejected(iamport's message, code)
    2xx, code 0, no response, or a body we cannot read → Unknown
    404 with iamport's envelope (code ≠ 0, a message) → NotFound (lookups) or Rejected (commands)
    404 without it (a route that is not iamport's) → GatewayConfigurationError
    other 4xx (401 included once the client gave up) → Rejected
    anything else (5xx, 3xx) → Unknown
    """
    secrets = tuple(secrets)
    if 200 <= http_status < 300:
        try:
            envelope = wire.decode_envelope(body)
        except wire.WireError as exc:
            return Unknown(f"HTTP {http_status}: {exc}")
        if envelope.code != 0 and not (http_status == 207 and envelope.has_response):
            message = envelope.message or f"iamport code {envelope.code}"
            return Rejected(scrub(message, secrets), envelope.code)
        if not envelope.has_response:
            return Unknown(f"HTTP {http_status}, code 0 without a response")
        try:
            return read(envelope.response)
        except wire.WireError as exc:
            return Unknown(f"HTTP {http_status}: {exc}")
    message, code = _failure(body, secrets)
    if http_status == 404:
        if not message or not code:
            # Not iamport's "no such thing": a wrong base URL would make every lookup "not
            # found", and an unpaid-looking window payment could then be called unpaid.
            raise GatewayConfigurationError(
                "iamport answered HTTP 404 without its envelope: check the iamport base URL"
            )
        return NotFound(message) if missing is Missing.NOT_FOUND else Rejected(message, code)
    if 400 <= http_status < 500:
        return Rejected(message or f"HTTP {http_status}", code)
    return Unknown(f"HTTP {http_status}" + (f": {message}" if message else ""))


def _failure(body: bytes, secrets: tuple[str, ...]) -> tuple[str | None, int | None]:
    """iamport's message and code from an error body, if it is an envelope at all."""
    try:
        envelope = wire.decode_envelope(body)
    except wire.WireError:
        return None, None
    return (scrub(envelope.message, secrets) if envelope.message else None), envelope.code


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def outcome_name(outcome: object) -> str:
    """`NotAttempted(...)` → "not_attempted" (for logs and metrics)."""
    return _CAMEL.sub("_", type(outcome).__name__).lower()
