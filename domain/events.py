"""Outgoing events: which transitions the rest of dolgo hears about.

Every status change already leaves a HistoryEntry on its aggregate; `events_for` reads those
entries and names the events they mean, so the repositories write history and events in the
same transaction without any use case having to remember (docs/adr/0019-outgoing-events.md).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.history import HistoryEntry
from domain.status import OrderType


class EventType(StrEnum):
    PAYMENT_PAID = "payment.paid"
    PAYMENT_FAILED = "payment.failed"
    PAYMENT_CANCELLED = "payment.cancelled"  # fully refunded
    PAYMENT_PARTIALLY_REFUNDED = "payment.partially_refunded"
    SPONSORSHIP_STARTED = "sponsorship.started"  # first monthly cycle paid
    SPONSORSHIP_RENEWED = "sponsorship.renewed"  # a later cycle paid
    SPONSORSHIP_RENEWAL_FAILED = "sponsorship.renewal_failed"  # a later cycle's charge declined
    SPONSORSHIP_PAST_DUE = "sponsorship.past_due"
    SPONSORSHIP_ENDED = "sponsorship.ended"  # dunning exhausted
    SPONSORSHIP_CANCELLED = "sponsorship.cancelled"
    VBANK_ISSUED = "vbank.issued"
    VBANK_EXPIRED = "vbank.expired"  # due date passed unpaid (or the PG closed the account)
    CARD_REGISTERED = "card.registered"
    CARD_DELETED = "card.deleted"


E = EventType
_BY_TRANSITION: Mapping[tuple[str, str], tuple[EventType, ...]] = {
    ("payment", "approved"): (E.PAYMENT_PAID,),
    ("payment", "routine_approved"): (E.PAYMENT_PAID,),
    ("payment", "deposited"): (E.PAYMENT_PAID,),
    ("payment", "failed"): (E.PAYMENT_FAILED,),
    ("payment", "refunded"): (E.PAYMENT_CANCELLED,),
    ("payment", "partially_refunded"): (E.PAYMENT_PARTIALLY_REFUNDED,),
    ("payment", "vbank_issued"): (E.VBANK_ISSUED,),
    ("payment", "due_passed"): (E.VBANK_EXPIRED,),
    ("payment", "vbank_closed"): (E.VBANK_EXPIRED,),
    ("order", "first_cycle_paid"): (E.SPONSORSHIP_STARTED,),
    ("order", "cycle_declined"): (E.SPONSORSHIP_PAST_DUE,),
    ("order", "dunning_exhausted"): (E.SPONSORSHIP_ENDED,),
    ("order", "routine_cancelled"): (E.SPONSORSHIP_CANCELLED,),
    ("card", "issued"): (E.CARD_REGISTERED,),
    ("card", "deleted"): (E.CARD_DELETED,),
}

# A monthly charge after the first also tells about the sponsorship.
_LATER_CYCLE: Mapping[str, EventType] = {
    "routine_approved": E.SPONSORSHIP_RENEWED,
    "failed": E.SPONSORSHIP_RENEWAL_FAILED,
}


@dataclass(frozen=True, slots=True)
class DomainEvent:
    type: EventType
    entity: str  # the aggregate that moved: order | payment | card
    entity_id: int
    occurred_at: datetime
    cause: str


def events_for(aggregate: object, entries: Iterable[HistoryEntry]) -> list[DomainEvent]:
    """The events that `aggregate`'s new history entries mean, in order."""
    out: list[DomainEvent] = []
    for entry in entries:
        types = list(_BY_TRANSITION.get((entry.entity, entry.event), ()))
        if entry.entity == "payment" and _is_later_cycle(aggregate):
            later = _LATER_CYCLE.get(entry.event)
            if later is not None:
                types.append(later)
        out.extend(
            DomainEvent(t, entry.entity, entry.entity_id, entry.at, entry.cause) for t in types
        )
    return out


def _is_later_cycle(payment: object) -> bool:
    cycle = getattr(payment, "cycle", None)
    return getattr(payment, "type", None) is OrderType.MONTHLY and cycle is not None and cycle > 1
