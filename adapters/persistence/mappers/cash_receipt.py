"""cash_receipt row <-> CashReceipt."""

from collections.abc import Mapping
from typing import Any

from adapters.persistence.mappers.text import MESSAGE_LENGTH, clip
from domain.cash_receipt import CashReceipt, ReceiptKind
from domain.status import CashReceiptStatus

_COLUMNS = {  # entity attribute → column, where they differ
    "id": "seq",
    "payment_id": "payment_seq",
    "status": "receipt_status",
}
_FIELDS = (
    "id",
    "payment_id",
    "imp_uid",
    "identifier_masked",
    "requested_by",
    "requested_at",
    "amount",
    "vat",
    "apply_num",
    "receipt_url",
    "issued_at",
    "cancelled_at",
    "next_check_at",
    "checks",
    "version",
)


def receipt_to_row(r: CashReceipt) -> dict[str, Any]:
    row = {_COLUMNS.get(f, f): getattr(r, f) for f in _FIELDS}
    row["kind"] = r.kind.value
    row["receipt_status"] = int(r.status)
    row["failure_message"] = clip(r.failure_message, MESSAGE_LENGTH)
    return row


def receipt_from_row(row: Mapping[str, Any]) -> CashReceipt:
    values = {f: row[_COLUMNS.get(f, f)] for f in _FIELDS}
    return CashReceipt(
        **values,
        kind=ReceiptKind(row["kind"]),
        status=CashReceiptStatus(row["receipt_status"]),
        failure_message=row["failure_message"],
    )
