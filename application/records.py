"""Records the application keeps beside the domain: the webhook inbox and idempotency keys."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class InboxState(StrEnum):
    RECEIVED = "received"  # stored, not processed yet
    PROCESSED = "processed"
    FAILED = "failed"  # processing failed; retried later
    UNMATCHED = "unmatched"  # no order of ours: flagged for an operator


@dataclass(eq=False)
class InboxMessage:
    """One webhook notification as received: the body is a hint, never the truth."""

    id: int
    received_at: datetime
    body: str  # raw body as received (JSON or form)
    content_type: str
    source_ip: str | None
    imp_uid: str | None
    merchant_uid: str | None
    status: str | None  # iamport's hint: paid | ready | cancelled | failed
    cancellation_id: str | None = None
    state: InboxState = InboxState.RECEIVED
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    processed_at: datetime | None = None
    reprocessed_by: str | None = None  # the operator who last asked to process it again
    reprocessed_at: datetime | None = None


class IdempotencyState(StrEnum):
    IN_PROGRESS = "in_progress"  # claimed; the request is running (or its process died)
    DONE = "done"  # the first response is stored and replayed
    RELEASED = "released"  # the first attempt produced nothing usable (5xx): may run again


@dataclass(eq=False)
class IdempotencyRecord:
    scope: str  # who and which route, e.g. "user:12 POST /api/orders"
    key: str
    fingerprint: str  # keyed HMAC of the request body
    created_at: datetime
    state: IdempotencyState = IdempotencyState.IN_PROGRESS
    status_code: int | None = None
    response_body: bytes | None = field(default=None, repr=False)
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class ReconcileItem:
    merchant_uid: str
    imp_uid: str | None
    detail: str


@dataclass
class ReconcileReport:
    """One reconcile run: what it compared, repaired and reported. Stored when it ends
    (`id`, `ran_at` set then), so that operators can read the last runs."""

    since: datetime
    until: datetime
    checked: int = 0  # iamport records looked at
    repaired: list[ReconcileItem] = field(default_factory=list)
    unmatched_at_iamport: list[ReconcileItem] = field(default_factory=list)  # no payment of ours
    missing_at_iamport: list[ReconcileItem] = field(default_factory=list)  # ours, not at iamport
    mismatched: list[ReconcileItem] = field(default_factory=list)  # refused or for an operator
    errors: list[str] = field(default_factory=list)  # iamport did not answer
    cause: str = "reconcile"  # who ran it, as the repairs' history names it
    id: int | None = None
    ran_at: datetime | None = None

    @property
    def clean(self) -> bool:
        return not (
            self.unmatched_at_iamport or self.missing_at_iamport or self.mismatched or self.errors
        )
