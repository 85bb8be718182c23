"""The iamport gateway port and the one closed set of outcomes it returns.

Every call answers with exactly one of:
  Approved  — iamport approved / did what was asked (value: what it returned)
  Declined  — HTTP 200, code 0, status `failed`: iamport's own record that nothing was charged
  Pending   — vbank issued (or, on lookups, a `ready` payment)
  Rejected  — HTTP 200 with code != 0 and no response: iamport did not approve this request
  NotAttempted — the request never reached iamport (connection refused, DNS, ...)
  Unknown   — sent, no usable answer (timeout, 5xx, dropped connection): never guess
  NotFound  — lookups only
A bad key or missing setting raises GatewayConfigurationError; it is not an outcome.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from domain.card_credentials import CardCredentials
from domain.order import Buyer

T = TypeVar("T")


class GatewayConfigurationError(Exception):
    """iamport refused our credentials, or a required setting is missing."""


class IamportStatus(StrEnum):
    READY = "ready"
    PAID = "paid"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class GatewayCancel:
    amount: int
    cancelled_at: datetime | None
    reason: str | None = None
    pg_tid: str | None = None
    receipt_url: str | None = None
    cancellation_id: str | None = None


@dataclass(frozen=True, slots=True)
class GatewayPayment:
    """An iamport payment as the core sees it (PaymentAnnotation, translated)."""

    imp_uid: str
    merchant_uid: str
    status: IamportStatus
    amount: int
    cancel_amount: int = 0
    currency: str = "KRW"
    pay_method: str | None = None
    pg_provider: str | None = None
    emb_pg_provider: str | None = None
    pg_id: str | None = None
    pg_tid: str | None = None
    channel: str | None = None  # pc | mobile | api
    sandbox: bool = False  # taken on a test channel
    name: str | None = None
    card_name: str | None = None
    card_number: str | None = None  # masked by the PG
    card_type: int | None = None
    apply_num: str | None = None
    bank_name: str | None = None
    vbank_code: str | None = None
    vbank_name: str | None = None
    vbank_num: str | None = None
    vbank_holder: str | None = None
    vbank_date: datetime | None = None
    started_at: datetime | None = None
    paid_at: datetime | None = None
    failed_at: datetime | None = None
    cancelled_at: datetime | None = None
    fail_reason: str | None = None
    cancel_reason: str | None = None
    receipt_url: str | None = None
    customer_uid: str | None = None
    customer_uid_usage: str | None = None
    cancel_history: tuple[GatewayCancel, ...] = ()

    def evidence(self) -> dict[str, object]:
        """The facts worth keeping in history (no personal data beyond masked values)."""
        return {
            "imp_uid": self.imp_uid,
            "merchant_uid": self.merchant_uid,
            "status": str(self.status),
            "amount": self.amount,
            "cancel_amount": self.cancel_amount,
            "currency": self.currency,
            "pay_method": self.pay_method,
            "pg_provider": self.pg_provider,
            "pg_id": self.pg_id,
            "sandbox": self.sandbox,
            "fail_reason": self.fail_reason,
        }


@dataclass(frozen=True, slots=True)
class BillingKeyInfo:
    """A billing key as iamport holds it (CustomerAnnotation, translated)."""

    customer_uid: str
    pg_provider: str | None = None
    pg_id: str | None = None
    card_name: str | None = None
    card_code: str | None = None
    card_number: str | None = None  # masked
    card_type: int | None = None
    sandbox: bool = False
    inserted: datetime | None = None


@dataclass(frozen=True, slots=True)
class GatewayReceipt:
    """A 현금영수증 as iamport holds it (ReceiptAnnotation, translated)."""

    imp_uid: str
    apply_num: str | None = None  # 국세청 발행번호
    type: str | None = None  # person | company
    amount: int = 0
    vat: int = 0
    receipt_url: str | None = None
    applied_at: datetime | None = None
    cancelled_at: datetime | None = None  # set once cancelled


@dataclass(frozen=True, slots=True)
class PreparedAmount:
    merchant_uid: str
    amount: int


# -- the closed set of outcomes ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Approved(Generic[T]):
    value: T


@dataclass(frozen=True, slots=True)
class Declined:
    reason: str
    payment: GatewayPayment | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    payment: GatewayPayment


@dataclass(frozen=True, slots=True)
class Rejected:
    message: str
    code: int | None = None


@dataclass(frozen=True, slots=True)
class NotAttempted:
    reason: str


@dataclass(frozen=True, slots=True)
class Unknown:
    reason: str


@dataclass(frozen=True, slots=True)
class NotFound:
    message: str = "not found"


# A charge (again / onetime) or a cancel.
ChargeOutcome = Approved[GatewayPayment] | Declined | Pending | Rejected | NotAttempted | Unknown
# A lookup of one payment: Approved (paid or cancelled), Declined (failed), Pending (ready).
PaymentLookup = (
    Approved[GatewayPayment] | Declined | Pending | NotFound | Rejected | NotAttempted | Unknown
)
ListOutcome = Approved[list[GatewayPayment]] | NotFound | Rejected | NotAttempted | Unknown
KeyOutcome = Approved[BillingKeyInfo] | Rejected | NotAttempted | Unknown
KeyLookup = Approved[BillingKeyInfo] | NotFound | Rejected | NotAttempted | Unknown
PrepareOutcome = Approved[PreparedAmount] | NotFound | Rejected | NotAttempted | Unknown
ReceiptOutcome = Approved[GatewayReceipt] | Rejected | NotAttempted | Unknown
ReceiptLookup = Approved[GatewayReceipt] | NotFound | Rejected | NotAttempted | Unknown


# -- requests ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CancelRequest:
    imp_uid: str
    amount: int
    checksum: int
    reason: str
    tax_free: int | None = None
    vat_amount: int | None = None
    refund_holder: str | None = None
    refund_bank: str | None = None
    refund_account: str | None = field(default=None, repr=False)
    refund_tel: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class BillingKeyRequest:
    customer_uid: str
    pg: str  # "{pg}" or "{pg}.{MID}"
    card: CardCredentials
    customer_name: str | None = None
    customer_email: str | None = field(default=None, repr=False)
    customer_tel: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class AgainRequest:
    customer_uid: str
    merchant_uid: str
    amount: int
    name: str
    tax_free: int = 0
    buyer: Buyer = field(default_factory=Buyer)
    notice_url: str | None = None


@dataclass(frozen=True, slots=True)
class ReceiptRequest:
    """`POST /receipts/{imp_uid}`: a 현금영수증 for a paid trans / vbank payment (its balance)."""

    imp_uid: str
    identifier: str = field(repr=False)  # phone number or 사업자번호, digits only
    identifier_type: str  # phone | business
    type: str  # person (소득공제) | company (지출증빙)
    tax_free: int = 0
    buyer: Buyer = field(default_factory=Buyer)


@dataclass(frozen=True, slots=True)
class OnetimeRequest:
    """`POST /subscribe/payments/onetime`: a key-in charge (비인증) with the card data.

    With `customer_uid` set, iamport also stores the card as a billing key under that uid.
    """

    merchant_uid: str
    amount: int
    card: CardCredentials  # repr shows only the masked number
    name: str | None = None
    pg: str | None = None
    customer_uid: str | None = None
    tax_free: int = 0
    card_quota: int | None = None
    buyer: Buyer = field(default_factory=Buyer)
    notice_url: str | None = None


class IamportGateway(Protocol):
    async def prepare(self, merchant_uid: str, amount: int) -> PrepareOutcome: ...

    async def get_prepared(self, merchant_uid: str) -> PrepareOutcome: ...

    async def update_prepared(self, merchant_uid: str, amount: int) -> PrepareOutcome: ...

    async def get_payment(self, imp_uid: str) -> PaymentLookup: ...

    async def find_payment(
        self, merchant_uid: str, *, paid_only: bool = False
    ) -> PaymentLookup: ...

    async def find_all_payments(self, merchant_uid: str) -> ListOutcome: ...

    async def get_payments(self, imp_uids: Sequence[str]) -> ListOutcome: ...

    async def list_payments(
        self, status: str, since: datetime, until: datetime
    ) -> ListOutcome:  # every page of /payments/status/{status}
        ...

    async def cancel(self, request: CancelRequest) -> ChargeOutcome: ...

    async def issue_billing_key(self, request: BillingKeyRequest) -> KeyOutcome: ...

    async def get_billing_key(self, customer_uid: str) -> KeyLookup: ...

    async def delete_billing_key(
        self, customer_uid: str, reason: str | None = None
    ) -> KeyLookup: ...

    async def charge_billing_key(self, request: AgainRequest) -> ChargeOutcome: ...

    async def charge_onetime(self, request: OnetimeRequest) -> ChargeOutcome:
        """A key-in charge; any echo of the card data is scrubbed from what comes back."""
        ...

    async def close_vbank(self, imp_uid: str) -> ChargeOutcome: ...

    async def issue_receipt(self, request: ReceiptRequest) -> ReceiptOutcome:
        """Any echo of the identifier is scrubbed from what comes back."""
        ...

    async def get_receipt(self, imp_uid: str) -> ReceiptLookup: ...

    async def cancel_receipt(self, imp_uid: str) -> ReceiptOutcome: ...
