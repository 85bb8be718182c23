"""Records the application keeps beside the domain: the webhook inbox and idempotency keys.

Their states move through tables (domain.state_machine.StateMachine), as the aggregates' do:
nothing assigns `state` but the records' own methods.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidTransition
from domain.state_machine import StateMachine


class InboxState(StrEnum):
    RECEIVED = "received"  # stored, not processed yet
    PROCESSED = "processed"
    FAILED = "failed"  # processing failed; retried later
    UNMATCHED = "unmatched"  # no order of ours: flagged for an operator


class InboxEvent(StrEnum):
    PROCESSED = "processed"
    FAILED = "failed"
    UNMATCHED = "unmatched"
    REPROCESS = "reprocess"  # an operator asks for it to be processed again


_I, _IE = InboxState, InboxEvent
INBOX = StateMachine[InboxState, InboxEvent](
    "webhook",
    {
        **{
            (state, event): target
            for state in (_I.RECEIVED, _I.FAILED)
            for event, target in (
                (_IE.PROCESSED, _I.PROCESSED),
                (_IE.FAILED, _I.FAILED),
                (_IE.UNMATCHED, _I.UNMATCHED),
            )
        },
        **{(state, _IE.REPROCESS): _I.RECEIVED for state in InboxState},
    },
)


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

    def processed(self, at: datetime, detail: str | None) -> None:
        """One processing attempt applied what iamport says (or found nothing to apply)."""
        self._ended(InboxEvent.PROCESSED, at, detail)

    def unmatched(self, at: datetime, detail: str | None) -> None:
        """No order (or card) of ours matches it: kept for an operator, not tried again."""
        self._ended(InboxEvent.UNMATCHED, at, detail)

    def failed(self, at: datetime, detail: str | None, retry_at: datetime) -> None:
        """One processing attempt failed; it is tried again at `retry_at`."""
        self._ended(InboxEvent.FAILED, at, detail)
        self.next_attempt_at = retry_at

    def _ended(self, event: InboxEvent, at: datetime, detail: str | None) -> None:
        self.state = INBOX.next(self.state, event)
        self.attempts += 1
        self.last_error = detail
        self.next_attempt_at = None
        if self.state is not InboxState.FAILED:
            self.processed_at = at

    def reprocess(self, by: str, at: datetime) -> None:
        self.state = INBOX.next(self.state, InboxEvent.REPROCESS)
        self.next_attempt_at = None
        self.reprocessed_by = by
        self.reprocessed_at = at


class IdempotencyState(StrEnum):
    IN_PROGRESS = "in_progress"  # claimed; the request is running (or its process died)
    DONE = "done"  # the first response is stored and replayed
    RELEASED = "released"  # the first attempt produced nothing usable (5xx): may run again


class IdempotencyEvent(StrEnum):
    ANSWERED = "answered"  # the response is stored for replay
    RELEASED = "released"
    RECLAIMED = "reclaimed"  # a request with the key runs again after a release


IDEMPOTENCY = StateMachine[IdempotencyState, IdempotencyEvent](
    "idempotency key",
    {
        (IdempotencyState.IN_PROGRESS, IdempotencyEvent.ANSWERED): IdempotencyState.DONE,
        (IdempotencyState.IN_PROGRESS, IdempotencyEvent.RELEASED): IdempotencyState.RELEASED,
        (IdempotencyState.RELEASED, IdempotencyEvent.RECLAIMED): IdempotencyState.IN_PROGRESS,
        # rows written before RELEASED existed stored a release as DONE with no response
        (IdempotencyState.DONE, IdempotencyEvent.RECLAIMED): IdempotencyState.IN_PROGRESS,
    },
)


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

    @property
    def released(self) -> bool:
        """The key may run again: its first request produced nothing usable."""
        return self.state is IdempotencyState.RELEASED or (
            self.state is IdempotencyState.DONE and self.status_code is None
        )

    def answered(self, status_code: int, body: bytes, content_type: str | None) -> None:
        self.state = IDEMPOTENCY.next(self.state, IdempotencyEvent.ANSWERED)
        self.status_code, self.response_body, self.content_type = status_code, body, content_type

    def release(self) -> None:
        self.state = IDEMPOTENCY.next(self.state, IdempotencyEvent.RELEASED)
        self.status_code, self.response_body, self.content_type = None, None, None

    def reclaim(self, fingerprint: str, at: datetime) -> None:
        """A request runs with this released key again (its body may differ)."""
        if not self.released:
            raise InvalidTransition("idempotency key", self.state, IdempotencyEvent.RECLAIMED)
        self.state = IDEMPOTENCY.next(self.state, IdempotencyEvent.RECLAIMED)
        self.fingerprint, self.created_at = fingerprint, at


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
