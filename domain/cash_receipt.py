"""CashReceipt (`cash_receipt`): a 현금영수증 of a paid 계좌이체 or 가상계좌 payment.

The identifier (a phone number for 소득공제, a 사업자번호 for 지출증빙) is like card data:
it lives in a ReceiptIdentifier for one call and only its masked form is ever kept.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain import state_machine as sm
from domain.errors import InvalidValue
from domain.history import HistoryEntry, Transitions
from domain.masking import mask_account, scrub_digits
from domain.payment import Payment
from domain.status import CashReceiptEvent, CashReceiptStatus, PaymentStatus

CASH_METHODS = frozenset({"trans", "vbank"})  # iamport issues receipts for these only

_SEPARATORS = re.compile(r"[\s-]")
_PHONE = re.compile(r"^01[016789]\d{7,8}$")
_BUSINESS = re.compile(r"^\d{10}$")


def receipt_refusal(payment: Payment) -> str | None:
    """Why `payment` can have no cash receipt, or None: iamport issues them for paid 계좌이체
    and 가상계좌 payments only."""
    if payment.pay_method not in CASH_METHODS:
        return "cash receipts are issued for 계좌이체 (trans) and 가상계좌 (vbank) payments only"
    if payment.status is not PaymentStatus.PAID or not payment.imp_uid:
        return "the payment is not paid"
    return None


class ReceiptKind(StrEnum):
    PERSONAL = "personal"  # 소득공제용: a phone number; iamport type "person"
    BUSINESS = "business"  # 지출증빙용: a 사업자번호; iamport type "company"

    @property
    def iamport_type(self) -> str:
        return "person" if self is ReceiptKind.PERSONAL else "company"

    @property
    def identifier_type(self) -> str:
        return "phone" if self is ReceiptKind.PERSONAL else "business"


@dataclass(frozen=True, slots=True)
class ReceiptIdentifier:
    """Digits only; repr and str show the masked form."""

    kind: ReceiptKind
    digits: str = field(repr=False)

    @classmethod
    def parse(cls, kind: ReceiptKind, value: str) -> "ReceiptIdentifier":
        digits = _SEPARATORS.sub("", value) if isinstance(value, str) else ""
        pattern = _PHONE if kind is ReceiptKind.PERSONAL else _BUSINESS
        if not pattern.match(digits):
            what = "a mobile number" if kind is ReceiptKind.PERSONAL else "a 10-digit 사업자번호"
            raise InvalidValue("identifier", f"must be {what}")
        return cls(kind, digits)

    @property
    def masked(self) -> str:
        return mask_account(self.digits) or ""

    def scrub(self, text: str) -> str:
        """`text` (iamport's message, whose wording varies) with any echo of this identifier
        masked, whatever separators it was written with."""
        return scrub_digits(text, self.digits, self.masked)

    def __repr__(self) -> str:
        return f"ReceiptIdentifier({self.kind}, {self.masked})"

    __str__ = __repr__


@dataclass(eq=False)
class CashReceipt(Transitions):
    id: int
    payment_id: int
    imp_uid: str
    kind: ReceiptKind
    identifier_masked: str
    requested_by: str  # user:<seq> | operator:<seq>
    requested_at: datetime
    status: CashReceiptStatus = CashReceiptStatus.ISSUING
    amount: int | None = None  # as iamport issued it (the payment's balance then)
    vat: int | None = None
    apply_num: str | None = None  # 국세청 발행번호
    receipt_url: str | None = None
    issued_at: datetime | None = None
    cancelled_at: datetime | None = None
    failure_message: str | None = None  # iamport's refusal (of the issue, or of the cancel)
    next_check_at: datetime | None = None  # set while a sent call's outcome is unknown
    checks: int = 0
    version: int = 0
    pending_history: list[HistoryEntry] = field(default_factory=list, repr=False)

    @property
    def active(self) -> bool:
        """Issued or on its way: the payment has (or may have) a receipt."""
        return self.status in (
            CashReceiptStatus.ISSUING,
            CashReceiptStatus.ISSUED,
            CashReceiptStatus.CANCELLING,
        )

    def issued(
        self,
        at: datetime,
        cause: str,
        *,
        amount: int,
        vat: int,
        apply_num: str | None,
        receipt_url: str | None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self._move(sm.CASH_RECEIPT, CashReceiptEvent.ISSUED, at, cause, data)
        self.amount, self.vat, self.apply_num, self.receipt_url = (
            amount,
            vat,
            apply_num,
            receipt_url,
        )
        self.issued_at = at
        self.next_check_at = None

    def issue_failed(self, at: datetime, cause: str, message: str) -> None:
        self._move(sm.CASH_RECEIPT, CashReceiptEvent.ISSUE_FAILED, at, cause, {"message": message})
        self.failure_message = message
        self.next_check_at = None

    def cancel_requested(self, at: datetime, check_at: datetime, cause: str) -> None:
        self._move(sm.CASH_RECEIPT, CashReceiptEvent.CANCEL_REQUESTED, at, cause, None)
        self.next_check_at = check_at
        self.checks = 0

    def cancelled(self, at: datetime, cause: str) -> None:
        self._move(sm.CASH_RECEIPT, CashReceiptEvent.CANCELLED, at, cause, None)
        self.cancelled_at = at
        self.next_check_at = None

    def cancel_rejected(self, at: datetime, cause: str, message: str, *, retry: bool) -> None:
        """Back to ISSUED. `retry`: the cancel did not take and is sent again; otherwise iamport
        refused it, and the refusal (kept) waits for an operator."""
        self._move(
            sm.CASH_RECEIPT, CashReceiptEvent.CANCEL_REJECTED, at, cause, {"message": message}
        )
        self.failure_message = None if retry else message
        self.next_check_at = None

    def still_unknown(self, next_check_at: datetime) -> None:
        self.checks += 1
        self.next_check_at = next_check_at
