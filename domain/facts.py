"""What is known to have happened to a payment attempt: the facts `Payment.apply` takes.

A fact is what iamport's record of a try, a charge's or a lookup's answer says, in our words
(application/gateway_facts.py translates). Which move a fact means in each status is a table
(`state_machine.PAYMENT_FACTS`); a fact already reflected moves nothing.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

from domain.status import PaymentEvent, PaymentFact

ABANDONED_REASON = "결제창 이탈(미결제)"
VBANK_CLOSED_REASON = "가상계좌 발급 취소(미입금)"
FAILED_REASON = "결제 실패"  # iamport's failed record with no reason of its own

Evidence = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class VirtualAccount:
    bank_code: str | None
    bank_name: str | None
    number: str | None
    holder: str | None
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class SettledFacts:
    """What iamport proved about the payment when it settled (all optional, PG-dependent)."""

    imp_uid: str
    pg_provider: str | None = None
    pg_tid: str | None = None
    pay_method: str | None = None
    card_name: str | None = None
    card_number: str | None = None  # masked by the PG
    bank_name: str | None = None
    receipt_url: str | None = None
    channel: str | None = None  # our channel that took it, when it differs from the one offered


class CancelEntry(Protocol):
    """One entry of iamport's cancel_history, as the gateway port translates it."""

    @property
    def amount(self) -> int: ...
    @property
    def cancelled_at(self) -> datetime | None: ...
    @property
    def cancellation_id(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Refunded:
    """iamport's try is refunded `cancel_amount` in all (0: nothing), entry by entry in
    `history`; domain/cancel_history.py books it against our cancels."""

    cancel_amount: int
    history: Sequence[CancelEntry] = ()
    reason: str | None = None  # the last cancel's reason
    evidence: Evidence = field(default_factory=dict)


NOT_REFUNDED = Refunded(0)


@dataclass(frozen=True, slots=True)
class Paid:
    """The try was paid (and may have been refunded since: `refunded`)."""

    kind: ClassVar = PaymentFact.PAID
    facts: SettledFacts
    paid_at: datetime | None  # None: iamport named no time; the time it is applied
    refunded: Refunded = NOT_REFUNDED
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Failed:
    """iamport's record of a failed try, or the card's decline: nothing was charged."""

    kind: ClassVar = PaymentFact.FAILED
    reason: str
    imp_uid: str | None = None
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Abandoned:
    """The PG window was opened and left (spec §4.1): nothing was charged."""

    kind: ClassVar = PaymentFact.ABANDONED
    imp_uid: str
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VbankIssued:
    kind: ClassVar = PaymentFact.VBANK_ISSUED
    facts: SettledFacts
    account: VirtualAccount
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VbankClosed:
    """A vbank closed (or a window cancelled) before any money moved."""

    kind: ClassVar = PaymentFact.VBANK_CLOSED
    imp_uid: str
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RefusedByRule:
    """The try breaks a verification rule (spec §4.1). It is not known unpaid unless iamport
    cancelled all of it (`given_back`); a `forged` paid try is cancelled at iamport."""

    kind: ClassVar = PaymentFact.REFUSED_BY_RULE
    rule: str
    message: str
    imp_uid: str
    forged: bool
    paid: bool  # iamport's status of the try is paid
    given_back: bool
    refunded: Refunded = NOT_REFUNDED
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rejected:
    """The PG refused the charge request before approval: whether anything was charged is
    known only after a lookup."""

    kind: ClassVar = PaymentFact.REJECTED
    message: str
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProvenUnpaid:
    """A conclusive lookup found no charged try under the attempt's merchant_uid."""

    kind: ClassVar = PaymentFact.PROVEN_UNPAID
    reason: str
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FailedByPg:
    """Nothing was charged and the PG, not the card, is why; the cycle may be tried again
    after `retry` (zero: at another channel now)."""

    kind: ClassVar = PaymentFact.FAILED_BY_PG
    reason: str
    retry: timedelta
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NeverSent:
    """iamport holds no try at all under the attempt's merchant_uid, long after the call."""

    kind: ClassVar = PaymentFact.NEVER_SENT
    reason: str
    evidence: Evidence = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AnswerLost:
    """A charge was sent and its answer lost: iamport is asked at `next_check_at`."""

    kind: ClassVar = PaymentFact.ANSWER_LOST
    next_check_at: datetime


@dataclass(frozen=True, slots=True)
class OtherTry:
    """Another try under the merchant_uid of a payment settled on a different imp_uid."""

    kind: ClassVar = PaymentFact.OTHER_TRY
    imp_uid: str
    paid: bool  # money moved on it (paid or cancelled at iamport)


Fact = (
    Paid
    | Failed
    | Abandoned
    | VbankIssued
    | VbankClosed
    | RefusedByRule
    | Rejected
    | ProvenUnpaid
    | FailedByPg
    | NeverSent
    | AnswerLost
    | OtherTry
)


@dataclass(frozen=True, slots=True)
class Applied:
    """What `Payment.apply` changed: the move it made (None: none), or a marker alone."""

    moved: PaymentEvent | None = None
    marked: bool = False  # proven unpaid, or the lost answer marked, without a move

    @property
    def changed(self) -> bool:
        return self.moved is not None or self.marked
