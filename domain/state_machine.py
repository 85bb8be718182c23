"""The one state machine of dolgo-pay: every legal move, as data.

docs/adr/0002-state-machine.md shows the same table; tests/domain/test_state_machine_doc.py
keeps the two equal. Nothing outside the aggregates assigns a status.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from domain.errors import InvalidTransition
from domain.status import CancellationEvent as CE
from domain.status import CancellationStatus as CS
from domain.status import CardEvent as KE
from domain.status import CardStatus as KS
from domain.status import CashReceiptEvent as RE
from domain.status import CashReceiptStatus as R
from domain.status import OrderAction as OA
from domain.status import OrderEvent as OE
from domain.status import OrderStatus as O
from domain.status import PaymentEvent as PE
from domain.status import PaymentFact as PF
from domain.status import PaymentStatus as P

S = TypeVar("S", bound=Enum)
E = TypeVar("E", bound=Enum)


@dataclass(frozen=True)
class StateMachine(Generic[S, E]):
    entity: str
    table: Mapping[tuple[S, E], S]

    def next(self, state: S, event: E) -> S:
        try:
            return self.table[(state, event)]
        except KeyError:
            raise InvalidTransition(self.entity, state, event) from None

    def allows(self, state: S, event: E) -> bool:
        return (state, event) in self.table


ORDER = StateMachine[O, OE](
    "order",
    {
        (O.ORDERED, OE.PAID): O.PAID,
        (O.ORDERED, OE.FIRST_CYCLE_PAID): O.ROUTINE,
        (O.ORDERED, OE.GIVEN_UP): O.FAILED,
        (O.FAILED, OE.PAID): O.PAID,
        (O.PAID, OE.REFUNDED): O.CANCELLED,
        (O.ROUTINE, OE.CYCLE_DECLINED): O.ROUTINE_PAST_DUE,
        (O.ROUTINE_PAST_DUE, OE.CYCLE_RECOVERED): O.ROUTINE,
        (O.ROUTINE, OE.ROUTINE_CANCELLED): O.ROUTINE_CANCELLED,
        (O.ROUTINE_PAST_DUE, OE.ROUTINE_CANCELLED): O.ROUTINE_CANCELLED,
        (O.ROUTINE_PAST_DUE, OE.DUNNING_EXHAUSTED): O.ROUTINE_ENDED,
    },
)

PAYMENT = StateMachine[P, PE](
    "payment",
    {
        (P.REQUESTED, PE.APPROVED): P.PAID,
        (P.REQUESTED, PE.ROUTINE_APPROVED): P.ROUTINE_PAID,
        (P.REQUESTED, PE.VBANK_ISSUED): P.READY,
        (P.REQUESTED, PE.FAILED): P.FAILED,
        (P.READY, PE.DEPOSITED): P.PAID,
        (P.READY, PE.DUE_PASSED): P.EXPIRED,
        (P.EXPIRED, PE.DEPOSITED): P.PAID,
        (P.READY, PE.VBANK_CLOSED): P.CANCELLED,
        (P.FAILED, PE.APPROVED): P.PAID,
        (P.FAILED, PE.ROUTINE_APPROVED): P.ROUTINE_PAID,
        (P.PAID, PE.REFUNDED): P.CANCELLED,
        (P.ROUTINE_PAID, PE.REFUNDED): P.CANCELLED,
    },
)

# Which move a fact about an attempt means in each status (ADR 0002's third table); a pair not
# here moves nothing (the fact is reflected already, or comes too late to change it). A monthly
# payment's approval is `routine_approved`.
PAYMENT_FACTS: Mapping[tuple[PF, P], PE] = {
    (PF.PAID, P.REQUESTED): PE.APPROVED,
    (PF.PAID, P.FAILED): PE.APPROVED,
    (PF.PAID, P.READY): PE.DEPOSITED,
    (PF.PAID, P.EXPIRED): PE.DEPOSITED,
    (PF.VBANK_ISSUED, P.REQUESTED): PE.VBANK_ISSUED,
    (PF.VBANK_CLOSED, P.READY): PE.VBANK_CLOSED,
    (PF.VBANK_CLOSED, P.REQUESTED): PE.FAILED,
    **{
        (fact, P.REQUESTED): PE.FAILED
        for fact in (
            PF.FAILED,
            PF.ABANDONED,
            PF.REFUSED_BY_RULE,
            PF.REJECTED,
            PF.PROVEN_UNPAID,
            PF.FAILED_BY_PG,
            PF.NEVER_SENT,
        )
    },
}

CANCELLATION = StateMachine[CS, CE](
    "cancellation",
    {
        (CS.REQUESTED, CE.SUCCEEDED): CS.SUCCEEDED,
        (CS.REQUESTED, CE.REJECTED): CS.REJECTED,
        (CS.REQUESTED, CE.UNKNOWN): CS.UNKNOWN,
        (CS.UNKNOWN, CE.SUCCEEDED): CS.SUCCEEDED,
        (CS.UNKNOWN, CE.REJECTED): CS.REJECTED,
    },
)

CARD = StateMachine[KS, KE](
    "card",
    {
        (KS.ISSUING, KE.ISSUED): KS.ACTIVE,
        (KS.ISSUING, KE.ISSUE_FAILED): KS.FAILED,
        (KS.ACTIVE, KE.DELETED): KS.DELETED,
    },
)

CASH_RECEIPT = StateMachine[R, RE](
    "cash_receipt",
    {
        (R.ISSUING, RE.ISSUED): R.ISSUED,
        (R.ISSUING, RE.ISSUE_FAILED): R.FAILED,
        (R.ISSUED, RE.CANCEL_REQUESTED): R.CANCELLING,
        (R.CANCELLING, RE.CANCELLED): R.CANCELLED,
        (R.CANCELLING, RE.CANCEL_REJECTED): R.ISSUED,
    },
)

ALL = (ORDER, PAYMENT, CANCELLATION, CARD, CASH_RECEIPT)

# What may be done to an order without moving it, by status (ADR 0002's second table). The
# order's type narrows it further: only monthly orders charge cycles, only one-time orders
# change their method.
ORDER_ACTIONS: Mapping[OA, frozenset[O]] = {
    OA.START_ATTEMPT: frozenset({O.ORDERED, O.FAILED}),
    OA.CHANGE_PAY_METHOD: frozenset({O.ORDERED, O.FAILED}),
    OA.CHARGE_CYCLE: frozenset({O.ORDERED, O.ROUTINE, O.ROUTINE_PAST_DUE}),
    OA.CHANGE_SUBSCRIPTION: frozenset({O.ROUTINE, O.ROUTINE_PAST_DUE}),
}


def require_order_action(status: O, action: OA, allowed: bool = True) -> None:
    """Raise InvalidTransition unless `action` may be done in `status` (and `allowed`, the
    caller's own condition on the order's type or subscription)."""
    if not allowed or status not in ORDER_ACTIONS[action]:
        raise InvalidTransition("order", status, action)
