"""webhook_inbox / idempotency_key rows <-> InboxMessage / IdempotencyRecord."""

from collections.abc import Mapping
from typing import Any

from adapters.persistence.mappers.text import ERROR_LENGTH, clip
from application.records import IdempotencyRecord, IdempotencyState, InboxMessage, InboxState


def inbox_to_row(m: InboxMessage) -> dict[str, Any]:
    return {
        "seq": m.id,
        "received_at": m.received_at,
        "body": m.body,
        "content_type": m.content_type,
        "source_ip": m.source_ip,
        "imp_uid": m.imp_uid,
        "merchant_uid": m.merchant_uid,
        "status": m.status,
        "cancellation_id": m.cancellation_id,
        "inbox_state": m.state.value,
        "attempts": m.attempts,
        "next_attempt_at": m.next_attempt_at,
        "last_error": clip(m.last_error, ERROR_LENGTH),
        "processed_at": m.processed_at,
        "reprocessed_by": m.reprocessed_by,
        "reprocessed_at": m.reprocessed_at,
    }


def inbox_from_row(row: Mapping[str, Any]) -> InboxMessage:
    return InboxMessage(
        id=row["seq"],
        received_at=row["received_at"],
        body=row["body"],
        content_type=row["content_type"],
        source_ip=row["source_ip"],
        imp_uid=row["imp_uid"],
        merchant_uid=row["merchant_uid"],
        status=row["status"],
        cancellation_id=row["cancellation_id"],
        state=InboxState(row["inbox_state"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        processed_at=row["processed_at"],
        reprocessed_by=row["reprocessed_by"],
        reprocessed_at=row["reprocessed_at"],
    )


def idempotency_to_row(r: IdempotencyRecord) -> dict[str, Any]:
    return {
        "scope": r.scope,
        "idem_key": r.key,
        "fingerprint": r.fingerprint,
        "idem_state": r.state.value,
        "status_code": r.status_code,
        "response_body": r.response_body,
        "content_type": r.content_type,
        "created_at": r.created_at,
    }


def idempotency_from_row(row: Mapping[str, Any]) -> IdempotencyRecord:
    body = row["response_body"]
    return IdempotencyRecord(
        scope=row["scope"],
        key=row["idem_key"],
        fingerprint=row["fingerprint"],
        created_at=row["created_at"],
        state=IdempotencyState(row["idem_state"]),
        status_code=row["status_code"],
        response_body=bytes(body) if body is not None else None,
        content_type=row["content_type"],
    )
