"""Which entry of iamport's cancel_history is which cancellation of ours.

iamport lists every cancel of a payment (ours, and any made in its console) with its own
`cancellation_id`. One of our cancels is the entry with its id once we know it, before that the
first unclaimed entry of its amount made no earlier than our request. An entry booked as one of
our settled cancels is claimed: a later cancel of the same amount never takes its id too.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from domain.cancellation import Cancellation, CancellationKind

# iamport's cancelled_at and our clock may disagree a little.
CLOCK_SKEW = timedelta(minutes=5)


class CancelEntry(Protocol):
    """One entry of iamport's cancel_history, as the gateway port translates it."""

    @property
    def amount(self) -> int: ...
    @property
    def cancelled_at(self) -> datetime | None: ...
    @property
    def cancellation_id(self) -> str | None: ...


def in_flight(cancellations: Sequence[Cancellation]) -> list[Cancellation]:
    """Our cancels sent to iamport whose outcome is not settled, oldest first."""
    mine = [c for c in cancellations if c.kind is CancellationKind.GATEWAY and c.in_flight]
    return sorted(mine, key=lambda c: c.requested_at)


def claimed(cancellations: Sequence[Cancellation], history: Sequence[CancelEntry]) -> set[int]:
    """Indexes of the entries already booked as one of our settled cancellations."""
    taken = {c.cancellation_id for c in cancellations if not c.in_flight and c.cancellation_id}
    return {i for i, entry in enumerate(history) if entry.cancellation_id in taken}


def matching_entry(
    cancellation: Cancellation, history: Sequence[CancelEntry], taken: set[int]
) -> CancelEntry | None:
    """The unclaimed entry that is `cancellation`, which it then claims (added to `taken`)."""
    for i, entry in enumerate(history):
        if i in taken:
            continue
        same_id = (
            cancellation.cancellation_id is not None
            and entry.cancellation_id == cancellation.cancellation_id
        )
        same_amount = entry.amount == cancellation.amount and (
            entry.cancelled_at is None
            or entry.cancelled_at >= cancellation.requested_at - CLOCK_SKEW
        )
        if same_id or (cancellation.cancellation_id is None and same_amount):
            taken.add(i)
            return entry
    return None
