"""Admin wire types of the outgoing events: the outbox, deliveries, their log, resend."""

from datetime import datetime
from typing import Annotated, Any

import msgspec

from application.outbox import DeliveryAttempt, EventDelivery, OutboxEvent
from application.use_cases.event_log import EventView

EndpointName = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.-]{1,100}$")]


class EventSummary(msgspec.Struct):
    id: str
    type: str
    version: int
    entity: str
    entity_id: int
    occurred_at: datetime
    dispatched: bool


class EventList(msgspec.Struct):
    items: list[EventSummary]
    limit: int
    offset: int


class DeliveryView(msgspec.Struct):
    id: int
    event_id: str
    endpoint: str
    state: str  # pending | delivered | dead
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    resent_by: str | None
    resent_at: datetime | None
    created_at: datetime


class DeliveryList(msgspec.Struct):
    items: list[DeliveryView]
    limit: int
    offset: int


class AttemptView(msgspec.Struct):
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryLogView(msgspec.Struct):
    delivery: DeliveryView
    attempts: list[AttemptView]


class EventDetail(msgspec.Struct):
    event: EventSummary
    body: dict[str, Any]  # the body as sent (docs/events.schema.json)
    deliveries: list[DeliveryLogView]


class ResendRequest(msgspec.Struct, forbid_unknown_fields=True):
    endpoint: EndpointName | None = None  # default: every endpoint not already pending


def event_summary(e: OutboxEvent) -> EventSummary:
    return EventSummary(e.id, e.type, e.version, e.entity, e.entity_id, e.occurred_at, e.dispatched)


def delivery_view(d: EventDelivery) -> DeliveryView:
    return DeliveryView(
        id=d.id,
        event_id=d.event_id,
        endpoint=d.endpoint,
        state=d.state.value,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_attempt_at=d.last_attempt_at,
        last_status=d.last_status,
        last_error=d.last_error,
        delivered_at=d.delivered_at,
        resent_by=d.resent_by,
        resent_at=d.resent_at,
        created_at=d.created_at,
    )


def _attempt(a: DeliveryAttempt) -> AttemptView:
    return AttemptView(a.attempt, a.at, a.status_code, a.error, a.duration_ms)


def event_detail(view: EventView) -> EventDetail:
    return EventDetail(
        event=event_summary(view.event),
        body=msgspec.json.decode(view.event.payload),
        deliveries=[
            DeliveryLogView(delivery_view(log.delivery), [_attempt(a) for a in log.attempts])
            for log in view.deliveries
        ],
    )
