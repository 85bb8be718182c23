"""Cancellation: one refund request against a payment, with its own outcome."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain import state_machine as sm
from domain.history import HistoryEntry, Transitions
from domain.status import CancellationEvent, CancellationStatus


class CancellationKind(StrEnum):
    GATEWAY = "gateway"  # sent to iamport
    MANUAL_BANK = "manual_bank"  # refunded by the operator's own bank transfer, recorded here


@dataclass(frozen=True, slots=True)
class RefundAccount:
    """vbank refunds: where iamport sends the money. Only the masked number is ever stored."""

    holder: str
    bank_code: str
    number: str = field(repr=False)
    tel: str | None = field(default=None, repr=False)


@dataclass(eq=False)
class Cancellation(Transitions):
    id: int
    payment_id: int
    amount: int
    tax_free: int
    vat_amount: int
    checksum: int  # the refundable balance we knew when asking
    reason: str
    requested_by: str  # user:<seq> | operator:<seq>
    requested_at: datetime
    kind: CancellationKind = CancellationKind.GATEWAY
    status: CancellationStatus = CancellationStatus.REQUESTED
    refund_holder: str | None = None
    refund_bank: str | None = None
    refund_account_masked: str | None = None
    cancellation_id: str | None = None  # iamport's
    failure_message: str | None = None
    completed_at: datetime | None = None
    next_check_at: datetime | None = None
    checks: int = 0
    version: int = 0
    pending_history: list[HistoryEntry] = field(default_factory=list, repr=False)

    @property
    def in_flight(self) -> bool:
        return self.status in (CancellationStatus.REQUESTED, CancellationStatus.UNKNOWN)

    def succeeded(
        self,
        at: datetime,
        cause: str,
        cancellation_id: str | None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self._move(sm.CANCELLATION, CancellationEvent.SUCCEEDED, at, cause, data)
        self.cancellation_id = cancellation_id
        self.completed_at = at
        self.next_check_at = None

    def rejected(
        self, at: datetime, cause: str, message: str, data: dict[str, Any] | None = None
    ) -> None:
        self._move(sm.CANCELLATION, CancellationEvent.REJECTED, at, cause, data)
        self.failure_message = message
        self.completed_at = at
        self.next_check_at = None

    def outcome_unknown(self, at: datetime, next_check_at: datetime, cause: str) -> None:
        if self.status is CancellationStatus.REQUESTED:
            self._move(sm.CANCELLATION, CancellationEvent.UNKNOWN, at, cause, None)
        else:
            self.checks += 1
        self.next_check_at = next_check_at


def manually_refunded(cancellations: Iterable[Cancellation]) -> int:
    """What operators refunded by their own bank transfer: ours alone, iamport never saw it."""
    return sum(
        c.amount
        for c in cancellations
        if c.kind is CancellationKind.MANUAL_BANK and c.status is CancellationStatus.SUCCEEDED
    )
