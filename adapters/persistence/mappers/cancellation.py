"""payment_cancel row <-> Cancellation."""

from collections.abc import Mapping
from typing import Any

from adapters.persistence.mappers.text import MESSAGE_LENGTH, clip
from domain.cancellation import Cancellation, CancellationKind
from domain.status import CancellationStatus


def cancellation_to_row(c: Cancellation) -> dict[str, Any]:
    return {
        "seq": c.id,
        "payment_seq": c.payment_id,
        "kind": c.kind.value,
        "cancel_status": int(c.status),
        "amount": c.amount,
        "tax_free": c.tax_free,
        "vat_amount": c.vat_amount,
        "checksum": c.checksum,
        "reason": c.reason,
        "requested_by": c.requested_by,
        "requested_at": c.requested_at,
        "refund_holder": c.refund_holder,
        "refund_bank": c.refund_bank,
        "refund_account": c.refund_account_masked,
        "cancellation_id": c.cancellation_id,
        "failure_message": clip(c.failure_message, MESSAGE_LENGTH),
        "completed_at": c.completed_at,
        "next_check_at": c.next_check_at,
        "checks": c.checks,
        "version": c.version,
    }


def cancellation_from_row(row: Mapping[str, Any]) -> Cancellation:
    return Cancellation(
        id=row["seq"],
        payment_id=row["payment_seq"],
        amount=row["amount"],
        tax_free=row["tax_free"],
        vat_amount=row["vat_amount"],
        checksum=row["checksum"],
        reason=row["reason"],
        requested_by=row["requested_by"],
        requested_at=row["requested_at"],
        kind=CancellationKind(row["kind"]),
        status=CancellationStatus(row["cancel_status"]),
        refund_holder=row["refund_holder"],
        refund_bank=row["refund_bank"],
        refund_account_masked=row["refund_account"],
        cancellation_id=row["cancellation_id"],
        failure_message=row["failure_message"],
        completed_at=row["completed_at"],
        next_check_at=row["next_check_at"],
        checks=row["checks"],
        version=row["version"],
    )
