"""현금영수증 on the wire. The identifier comes in once and goes back masked only."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from domain.cash_receipt import CashReceipt, ReceiptIdentifier, ReceiptKind

Identifier = Annotated[
    str,
    Meta(
        pattern=r"^[0-9\- ]{10,16}$",
        description="personal: a mobile number (010-1234-5678); business: a 10-digit 사업자번호",
    ),
]


class CashReceiptRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Ask for a 현금영수증 of a paid 계좌이체 / 가상계좌 payment."""

    kind: Literal["personal", "business"]  # 소득공제 (phone) | 지출증빙 (사업자번호)
    identifier: Identifier

    def parsed(self) -> ReceiptIdentifier:
        return ReceiptIdentifier.parse(ReceiptKind(self.kind), self.identifier)

    def __repr__(self) -> str:
        return "CashReceiptRequest(<identifier hidden>)"

    __str__ = __repr__


class CashReceiptView(msgspec.Struct):
    id: int
    payment_id: int
    status: Literal["issuing", "issued", "cancelling", "failed", "cancelled"]
    kind: Literal["personal", "business"]
    identifier: str  # masked: only the last four digits
    amount: int | None
    vat: int | None
    apply_num: str | None
    receipt_url: str | None
    requested_by: str
    requested_at: datetime
    issued_at: datetime | None
    cancelled_at: datetime | None
    failure_message: str | None


class CashReceiptList(msgspec.Struct):
    items: list[CashReceiptView]


def cash_receipt_view(r: CashReceipt) -> CashReceiptView:
    return CashReceiptView(
        id=r.id,
        payment_id=r.payment_id,
        status=r.status.name.lower(),  # type: ignore[arg-type]
        kind=r.kind.value,  # type: ignore[arg-type]
        identifier=r.identifier_masked,
        amount=r.amount,
        vat=r.vat,
        apply_num=r.apply_num,
        receipt_url=r.receipt_url,
        requested_by=r.requested_by,
        requested_at=r.requested_at,
        issued_at=r.issued_at,
        cancelled_at=r.cancelled_at,
        failure_message=r.failure_message,
    )
