"""event_outbox / event_delivery / event_delivery_attempt rows <-> the outbox records."""

from collections.abc import Mapping
from typing import Any

from adapters.persistence.mappers.text import ERROR_LENGTH, clip
from application.outbox import DeliveryAttempt, DeliveryState, EventDelivery, OutboxEvent


def outbox_to_row(e: OutboxEvent) -> dict[str, Any]:
    return {
        "event_id": e.id,
        "event_type": e.type,
        "version": e.version,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "occurred_at": e.occurred_at,
        "payload": e.payload,
        "dispatched": e.dispatched,
    }


def outbox_from_row(row: Mapping[str, Any]) -> OutboxEvent:
    return OutboxEvent(
        id=row["event_id"],
        type=row["event_type"],
        version=row["version"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        occurred_at=row["occurred_at"],
        payload=row["payload"],
        dispatched=bool(row["dispatched"]),
    )


def delivery_to_row(d: EventDelivery) -> dict[str, Any]:
    return {
        "seq": d.id,
        "event_id": d.event_id,
        "endpoint": d.endpoint,
        "delivery_state": d.state.value,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "created_at": d.created_at,
        "last_attempt_at": d.last_attempt_at,
        "last_status": d.last_status,
        "last_error": clip(d.last_error, ERROR_LENGTH),
        "delivered_at": d.delivered_at,
        "resent_by": d.resent_by,
        "resent_at": d.resent_at,
    }


def delivery_from_row(row: Mapping[str, Any]) -> EventDelivery:
    return EventDelivery(
        id=row["seq"],
        event_id=row["event_id"],
        endpoint=row["endpoint"],
        created_at=row["created_at"],
        state=DeliveryState(row["delivery_state"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_attempt_at=row["last_attempt_at"],
        last_status=row["last_status"],
        last_error=row["last_error"],
        delivered_at=row["delivered_at"],
        resent_by=row["resent_by"],
        resent_at=row["resent_at"],
    )


def attempt_to_row(a: DeliveryAttempt) -> dict[str, Any]:
    return {
        "delivery_seq": a.delivery_id,
        "attempt": a.attempt,
        "attempted_at": a.at,
        "status_code": a.status_code,
        "error": clip(a.error, ERROR_LENGTH),
        "duration_ms": a.duration_ms,
    }


def attempt_from_row(row: Mapping[str, Any]) -> DeliveryAttempt:
    return DeliveryAttempt(
        delivery_id=row["delivery_seq"],
        attempt=row["attempt"],
        at=row["attempted_at"],
        status_code=row["status_code"],
        error=row["error"],
        duration_ms=row["duration_ms"],
    )
