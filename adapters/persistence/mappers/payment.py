"""payment row <-> Payment (with its virtual account and unknown outcome)."""

from collections.abc import Mapping
from typing import Any

from adapters.persistence.mappers.text import MESSAGE_LENGTH, clip
from domain.money import Amount
from domain.payment import Payment, UnknownOutcome, VirtualAccount
from domain.status import OrderType, PaymentStatus

_VBANK_COLUMNS = ("vbank_code", "vbank_name", "vbank_num", "vbank_holder", "vbank_date")


def payment_to_row(p: Payment) -> dict[str, Any]:
    vbank, unknown = p.vbank, p.unknown
    return {
        "seq": p.id,
        "user_seq": p.user_seq,
        "type_code": int(p.type),
        "order_seq": p.order_id,
        "payment_card_seq": p.payment_card_id or 0,
        "price": p.amount.total,
        "tax_free": p.amount.tax_free,
        "payment_status": int(p.status),
        "payment_dt": p.requested_at,
        "payment_succ_dt": p.paid_at,
        "payment_cancel_dt": p.cancelled_at,
        "payment_fail_dt": p.failed_at,
        "payment_cancel_message": clip(p.cancel_reason, MESSAGE_LENGTH),
        "payment_fail_message": clip(p.fail_reason, MESSAGE_LENGTH),
        "imp_uid": p.imp_uid,
        "pg": p.pg_provider,
        "pay_method": p.pay_method,
        "merchant_uid": p.merchant_uid,
        "name": p.name,
        "bank_name": p.bank_name,
        "receipt_url": p.receipt_url,
        "channel": p.channel,
        "route_reason": clip(p.route_reason, 300),
        "attempt": p.attempt,
        "cycle": p.cycle,
        "pg_tid": p.pg_tid,
        "card_name": p.card_name,
        "card_number": p.card_number,
        "vbank_code": vbank.bank_code if vbank else None,
        "vbank_name": vbank.bank_name if vbank else None,
        "vbank_num": vbank.number if vbank else None,
        "vbank_holder": vbank.holder if vbank else None,
        "vbank_date": vbank.due_at if vbank else None,
        "cancel_amount": p.cancelled_amount,
        "cancel_tax_free": p.cancelled_tax_free,
        "unpaid_proven": p.unpaid_proven,
        "unknown_operation": unknown.operation if unknown else None,
        "unknown_since": unknown.since if unknown else None,
        "unknown_next_check_at": unknown.next_check_at if unknown else None,
        "unknown_checks": unknown.checks if unknown else 0,
        "attention": p.attention,
        "attention_at": p.attention_at,
        "updated_at": p.updated_at,
        "version": p.version,
    }


def payment_from_row(row: Mapping[str, Any]) -> Payment:
    vbank = None
    if any(row[c] is not None for c in _VBANK_COLUMNS):
        vbank = VirtualAccount(
            bank_code=row["vbank_code"],
            bank_name=row["vbank_name"],
            number=row["vbank_num"],
            holder=row["vbank_holder"],
            due_at=row["vbank_date"],
        )
    unknown = None
    if row["unknown_since"] is not None:
        unknown = UnknownOutcome(
            since=row["unknown_since"],
            next_check_at=row["unknown_next_check_at"],
            checks=row["unknown_checks"],
            operation=row["unknown_operation"],
        )
    return Payment(
        id=row["seq"],
        order_id=row["order_seq"],
        user_seq=row["user_seq"],
        type=OrderType(row["type_code"]),
        merchant_uid=row["merchant_uid"],
        amount=Amount(row["price"], row["tax_free"]),
        channel=row["channel"],
        route_reason=row["route_reason"],
        name=row["name"] or "",
        requested_at=row["payment_dt"],
        pay_method=row["pay_method"],
        attempt=row["attempt"],
        cycle=row["cycle"],
        payment_card_id=row["payment_card_seq"] or None,
        status=PaymentStatus(row["payment_status"]),
        imp_uid=row["imp_uid"],
        pg_provider=row["pg"],
        pg_tid=row["pg_tid"],
        card_name=row["card_name"],
        card_number=row["card_number"],
        bank_name=row["bank_name"],
        receipt_url=row["receipt_url"],
        vbank=vbank,
        paid_at=row["payment_succ_dt"],
        failed_at=row["payment_fail_dt"],
        cancelled_at=row["payment_cancel_dt"],
        fail_reason=row["payment_fail_message"],
        cancel_reason=row["payment_cancel_message"],
        cancelled_amount=row["cancel_amount"],
        cancelled_tax_free=row["cancel_tax_free"],
        unpaid_proven=bool(row["unpaid_proven"]),
        unknown=unknown,
        attention=row["attention"],
        attention_at=row["attention_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )
