"""The event outbox: events written with the state change, delivered by a claimed job.

An `OutboxEvent` is written by the repositories in the transaction that changes the state
(domain/events.py names the events). The `deliver-events` job fans each event out to one
`EventDelivery` per configured endpoint, claims due deliveries under a lease, sends them with
no transaction open, and records every attempt. Failures are retried on DELIVERY_SCHEDULE
(about a day); then the delivery is DEAD until an operator resends it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.state_machine import StateMachine

# Waits after the 1st, 2nd, ... failed attempt (the Standard Webhooks / Svix schedule); the
# attempt after the last wait is the last one. 5 s + 5 min + 30 min + 2 h + 5 h + 10 h + 10 h
# is about 27.6 hours.
DELIVERY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)


def retry_after(failed_attempts: int) -> timedelta | None:
    """The wait before the next attempt after `failed_attempts` failures; None: dead letter."""
    if failed_attempts > len(DELIVERY_SCHEDULE):
        return None
    return DELIVERY_SCHEDULE[failed_attempts - 1]


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"  # the endpoint answered 2xx
    DEAD = "dead"  # every attempt of the schedule failed: an operator looks, may resend


class DeliveryEvent(StrEnum):
    DELIVERED = "delivered"  # the endpoint answered 2xx
    RETRYING = "retrying"  # an attempt failed; the schedule has another
    GAVE_UP = "gave_up"  # the schedule's last attempt failed
    RESENT = "resent"  # an operator asks for a new round


_D, _DE = DeliveryState, DeliveryEvent
# A delivery keeps its attempts, not a history of moves: a failed attempt with another to come
# loops, and an operator may start a new round of one on its way.
DELIVERY = StateMachine[DeliveryState, DeliveryEvent](
    "delivery",
    {
        (_D.PENDING, _DE.DELIVERED): _D.DELIVERED,
        (_D.PENDING, _DE.RETRYING): _D.PENDING,
        (_D.PENDING, _DE.GAVE_UP): _D.DEAD,
        **{(state, _DE.RESENT): _D.PENDING for state in DeliveryState},
    },
)


@dataclass(eq=False)
class OutboxEvent:
    id: str  # the webhook-id: the same on every attempt, consumers deduplicate by it
    type: str
    version: int
    entity: str
    entity_id: int
    occurred_at: datetime
    payload: str  # the JSON body as sent (signed byte for byte)
    dispatched: bool = False  # its deliveries exist


@dataclass(eq=False)
class EventDelivery:
    id: int
    event_id: str
    endpoint: str  # the configured endpoint's name
    created_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0  # attempts since it was created or last resent
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None
    resent_by: str | None = None
    resent_at: datetime | None = None

    def attempted(self, result: "SendResult", at: datetime) -> DeliveryState:
        """Records one attempt's result. 2xx delivers; a failure waits its step
        of the schedule, or after the last one the delivery is dead."""
        wait = None if result.delivered else retry_after(self.attempts + 1)
        if result.delivered:
            event = _DE.DELIVERED
        else:
            event = _DE.GAVE_UP if wait is None else _DE.RETRYING
        self.state = DELIVERY.next(self.state, event)
        self.attempts += 1
        self.last_attempt_at, self.last_status, self.last_error = (
            at,
            result.status_code,
            result.error,
        )
        if result.delivered:
            self.delivered_at = at
        self.next_attempt_at = at + wait if wait is not None else None
        return self.state

    def resend(self, at: datetime, by: str) -> None:
        """An operator asks for a new round: a fresh schedule from now."""
        self.state = DELIVERY.next(self.state, _DE.RESENT)
        self.attempts = 0
        self.next_attempt_at = at
        self.resent_by, self.resent_at = by, at


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    delivery_id: int
    attempt: int
    at: datetime
    status_code: int | None  # None: no HTTP answer (connection refused, timeout)
    error: str | None
    duration_ms: int


@dataclass(frozen=True, slots=True)
class DeliveryFilter:
    state: DeliveryState | None = None
    endpoint: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class EventSender(Protocol):
    async def send(self, endpoint: str, event: OutboxEvent) -> SendResult:
        """POSTs the event, signed, to the named endpoint; never raises for the endpoint's
        failures (they are results)."""
        ...
