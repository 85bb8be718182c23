"""Payment (`payment`): one attempt to move money for an order, under its own merchant_uid."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain import state_machine as sm
from domain.cancellation import Cancellation, CancellationKind, RefundAccount
from domain.errors import DomainError, InvalidValue
from domain.facts import (
    ABANDONED_REASON,
    VBANK_CLOSED_REASON,
    Abandoned,
    AnswerLost,
    Applied,
    Fact,
    Failed,
    FailedByPg,
    NeverSent,
    Paid,
    ProvenUnpaid,
    RefusedByRule,
    Rejected,
    SettledFacts,
    VbankClosed,
    VbankIssued,
    VirtualAccount,
)
from domain.history import HistoryEntry, Transitions
from domain.masking import mask_account
from domain.money import Amount
from domain.status import OrderType, PaymentEvent, PaymentStatus

__all__ = ["Payment", "SettledFacts", "UnknownOutcome", "VirtualAccount"]


@dataclass(frozen=True, slots=True)
class UnknownOutcome:
    """A gateway call was sent and its answer lost: the janitor re-asks iamport."""

    since: datetime
    next_check_at: datetime
    checks: int = 0
    operation: str = "charge"


@dataclass(eq=False)
class Payment(Transitions):
    id: int
    order_id: int
    user_seq: int
    type: OrderType
    merchant_uid: str
    amount: Amount
    channel: str  # our PG channel name (configuration), e.g. "nice"
    name: str
    requested_at: datetime  # payment_dt
    pay_method: str | None = None
    attempt: int = 1
    cycle: int | None = None
    payment_card_id: int | None = None
    route_reason: str | None = None  # why it went to `channel` (priority, breaker, failover)
    status: PaymentStatus = PaymentStatus.REQUESTED
    imp_uid: str | None = None
    pg_provider: str | None = None
    pg_tid: str | None = None
    card_name: str | None = None
    card_number: str | None = None
    bank_name: str | None = None
    receipt_url: str | None = None
    vbank: VirtualAccount | None = None
    paid_at: datetime | None = None  # payment_succ_dt
    failed_at: datetime | None = None
    cancelled_at: datetime | None = None
    fail_reason: str | None = None  # payment_fail_message
    cancel_reason: str | None = None  # payment_cancel_message
    cancelled_amount: int = 0
    cancelled_tax_free: int = 0
    unpaid_proven: bool = False  # FAILED and known to have charged nothing
    unknown: UnknownOutcome | None = None
    # Something an operator has to look at (Settlement's `needs_operator`), until one clears it.
    attention: str | None = None
    attention_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    pending_history: list[HistoryEntry] = field(default_factory=list, repr=False)

    # -- what is known to have happened ------------------------------------------------------
    def apply(self, fact: Fact, at: datetime, cause: str) -> Applied:
        """Apply a fact about this attempt: the move it means in the current status
        (state_machine.PAYMENT_FACTS), none when it is reflected already. A fact that proves a
        failed attempt charged nothing marks it so; a lost answer marks the attempt unknown."""
        event = sm.PAYMENT_FACTS.get((fact.kind, self.status))
        if event is PaymentEvent.APPROVED and self.type is OrderType.MONTHLY:
            event = PaymentEvent.ROUTINE_APPROVED
        if event is not None:
            self._move_for(fact, event, at, cause)
        proves_unpaid = isinstance(fact, ProvenUnpaid | FailedByPg) or (
            isinstance(fact, RefusedByRule) and fact.given_back
        )
        if proves_unpaid and self.status is PaymentStatus.FAILED and not self.unpaid_proven:
            self.prove_unpaid(at)
            return Applied(event, marked=True)
        if isinstance(fact, AnswerLost) and self._may_lose_answer():
            self.mark_unknown(at, fact.next_check_at, "charge")
            return Applied(marked=True)
        return Applied(event)

    def _may_lose_answer(self) -> bool:
        # a charge's intent carries its unknown marker from the start: a lost answer is no check
        return self.status is PaymentStatus.REQUESTED and self.unknown is None

    def _move_for(self, fact: Fact, event: PaymentEvent, at: datetime, cause: str) -> None:
        data = dict(getattr(fact, "evidence", {}))
        match fact:
            case Paid():
                self.approve(fact.facts, fact.paid_at or at, cause, data)
            case VbankIssued():
                self.issue_vbank(fact.facts, fact.account, at, cause, data)
            case VbankClosed() if event is PaymentEvent.VBANK_CLOSED:
                self.close_vbank(at, cause, data)
            case _:
                reason, proven, imp_uid = _failure(fact)
                if isinstance(fact, FailedByPg):
                    data["pg_fault"] = True
                self.fail(reason, at, cause, unpaid_proven=proven, imp_uid=imp_uid, data=data)

    # -- outcomes of the charge ----------------------------------------------------------------
    def approve(
        self, facts: SettledFacts, paid_at: datetime, cause: str, data: dict[str, Any] | None = None
    ) -> None:
        event = (
            PaymentEvent.ROUTINE_APPROVED
            if self.type is OrderType.MONTHLY
            else PaymentEvent.APPROVED
        )
        if self.status in (PaymentStatus.READY, PaymentStatus.EXPIRED):
            event = PaymentEvent.DEPOSITED
        self._move(sm.PAYMENT, event, paid_at, cause, data)
        self._settle(facts)
        self.paid_at = paid_at
        self.unknown = None
        self.unpaid_proven = False
        self.updated_at = paid_at

    def issue_vbank(
        self,
        facts: SettledFacts,
        account: VirtualAccount,
        at: datetime,
        cause: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        self._move(sm.PAYMENT, PaymentEvent.VBANK_ISSUED, at, cause, data)
        self._settle(facts)
        self.vbank = account
        self.unknown = None
        self.updated_at = at

    def fail(
        self,
        reason: str,
        at: datetime,
        cause: str,
        *,
        unpaid_proven: bool,
        imp_uid: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Declined, rejected, abandoned or failed verification. `unpaid_proven` only when
        iamport's own record (or a refused connection) proves nothing was charged."""
        self._move(sm.PAYMENT, PaymentEvent.FAILED, at, cause, data)
        self.fail_reason = reason
        self.failed_at = at
        self.unpaid_proven = unpaid_proven
        self.unknown = None
        if imp_uid:
            self.imp_uid = imp_uid
        self.updated_at = at

    def prove_unpaid(self, at: datetime) -> None:
        """A lookup showed no paid try under this merchant_uid."""
        if self.status is not PaymentStatus.FAILED:
            raise DomainError(f"payment {self.merchant_uid} is {self.status.name}, not FAILED")
        self.unpaid_proven = True
        self.updated_at = at

    def mark_unknown(
        self, at: datetime, next_check_at: datetime, operation: str = "charge"
    ) -> None:
        """The call's answer was lost; the status stays REQUESTED until iamport says."""
        checks = self.unknown.checks + 1 if self.unknown else 0
        since = self.unknown.since if self.unknown else at
        self.unknown = UnknownOutcome(since, next_check_at, checks, operation)
        self.updated_at = at

    def expire(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        self._move(sm.PAYMENT, PaymentEvent.DUE_PASSED, at, cause, data)
        self.updated_at = at

    def close_vbank(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        self._move(sm.PAYMENT, PaymentEvent.VBANK_CLOSED, at, cause, data)
        self.cancelled_at = at
        self.updated_at = at

    # -- operator attention ---------------------------------------------------------------------
    def needs_attention(self, note: str, at: datetime) -> bool:
        """Report `note` to operators; a note already shown is not added again (False)."""
        if self.attention is not None and note in self.attention.split("\n"):
            return False
        self.attention = note if self.attention is None else f"{self.attention}\n{note}"
        self.attention_at = at
        self.updated_at = at
        return True

    def acknowledge_attention(
        self, at: datetime, cause: str = "operator", reason: str = ""
    ) -> None:
        """An operator has looked at what was reported (and done what it needed). The history
        keeps what was reported, who cleared it and why (no status changes)."""
        if self.attention is None:
            raise DomainError(f"payment {self.merchant_uid} has nothing to acknowledge")
        self.pending_history.append(
            HistoryEntry(
                entity="payment",
                entity_id=self.id,
                event="attention_acknowledged",
                from_status=int(self.status),
                to_status=int(self.status),
                at=at,
                cause=cause,
                data={"attention": self.attention, "reason": reason},
            )
        )
        self.attention = None
        self.attention_at = None
        self.updated_at = at

    # -- refunds -------------------------------------------------------------------------------
    def cancellation(
        self,
        cancel_id: int,
        *,
        amount: int,
        tax_free: int,
        vat_amount: int,
        checksum: int,
        reason: str,
        requested_by: str,
        at: datetime,
        next_check_at: datetime | None = None,
        account: RefundAccount | None = None,
        manual: bool = False,
    ) -> Cancellation:
        """A refund request against this payment: sent to iamport (`next_check_at`: its first
        check, carried from the start so that a lost answer is asked about, ADR 0007), or
        `manual`, the operator's own bank transfer. Only the account's masked number is kept."""
        return Cancellation(
            id=cancel_id,
            payment_id=self.id,
            amount=amount,
            tax_free=tax_free,
            vat_amount=vat_amount,
            checksum=checksum,
            reason=reason,
            requested_by=requested_by,
            requested_at=at,
            kind=CancellationKind.MANUAL_BANK if manual else CancellationKind.GATEWAY,
            refund_holder=account.holder if account else None,
            refund_bank=account.bank_code if account else None,
            refund_account_masked=mask_account(account.number) if account else None,
            next_check_at=next_check_at,
        )

    @property
    def refundable(self) -> int:
        """The refundable balance we know: iamport's `checksum`."""
        return self.amount.total - self.cancelled_amount

    @property
    def refundable_tax_free(self) -> int:
        return self.amount.tax_free - self.cancelled_tax_free

    def record_refund(
        self,
        amount: int,
        tax_free: int,
        at: datetime,
        cause: str,
        reason: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """A refund that iamport (or the operator's bank transfer) carried out."""
        if self.status not in (PaymentStatus.PAID, PaymentStatus.ROUTINE_PAID):
            raise DomainError(
                f"payment {self.merchant_uid} is {self.status.name}: nothing to refund"
            )
        if not 0 < amount <= self.refundable:
            raise InvalidValue("amount", f"must be between 1 and the refundable {self.refundable}")
        if not 0 <= tax_free <= min(amount, self.refundable_tax_free):
            raise InvalidValue("tax_free", "exceeds the refundable tax-free part")
        self.cancelled_amount += amount
        self.cancelled_tax_free += tax_free
        self.cancel_reason = reason
        self.updated_at = at
        if self.refundable == 0:
            self._move(sm.PAYMENT, PaymentEvent.REFUNDED, at, cause, data)
            self.cancelled_at = at
            return
        self.pending_history.append(
            HistoryEntry(
                entity="payment",
                entity_id=self.id,
                event="partially_refunded",
                from_status=int(self.status),
                to_status=int(self.status),
                at=at,
                cause=cause,
                data={"amount": amount, "tax_free": tax_free, "refundable": self.refundable},
            )
        )

    @property
    def is_paid(self) -> bool:
        return self.status in (PaymentStatus.PAID, PaymentStatus.ROUTINE_PAID)

    @property
    def known_unpaid(self) -> bool:
        """This attempt is settled and holds none of the sponsor's money: failed and proven to
        have charged nothing, expired, or cancelled in full. Another attempt may follow it
        without asking iamport first."""
        if self.status is PaymentStatus.FAILED:
            return self.unpaid_proven
        return self.status in (PaymentStatus.EXPIRED, PaymentStatus.CANCELLED)

    def _settle(self, facts: SettledFacts) -> None:
        # iamport may hold several tries under one merchant_uid; the settling one wins.
        self.imp_uid = facts.imp_uid or self.imp_uid
        for name in (
            "pg_provider",
            "pg_tid",
            "pay_method",
            "card_name",
            "card_number",
            "bank_name",
            "receipt_url",
            "channel",
        ):
            value = getattr(facts, name)
            if value is not None:
                setattr(self, name, value)


def _failure(fact: Fact) -> tuple[str, bool, str | None]:
    """What a FAILED move writes for `fact`: the reason, whether nothing was charged, the try."""
    match fact:
        case Failed(reason=reason, imp_uid=imp_uid):
            return reason, True, imp_uid
        case Abandoned(imp_uid=imp_uid):
            return ABANDONED_REASON, True, imp_uid
        case VbankClosed(imp_uid=imp_uid):
            return VBANK_CLOSED_REASON, True, imp_uid
        case RefusedByRule(message=message, imp_uid=imp_uid):
            return message, False, imp_uid
        case Rejected(message=message):
            return message, False, None
        case ProvenUnpaid(reason=reason) | FailedByPg(reason=reason) | NeverSent(reason=reason):
            return reason, True, None
    raise ValueError(f"{fact.kind} is no failure")
