"""A PG channel's health: a circuit breaker over the channel's recent outcomes (spec §4.9).

Closed: requests go through; `failure_threshold` PG failures in a row open it. Open: requests
are refused until `open_for` has passed; then one request at a time is let through as a probe
(half-open, for at most `probe_for`: a probe whose process died frees the slot again). A probe
that succeeds closes the breaker; one that fails opens it again. An operator may force it open
or closed; a forced breaker ignores outcomes until the force is lifted.

Only the PG's own failures count (rejected before approval, not attempted, timeouts). A decline
is the card's answer, given by a working PG: it counts as a success.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.state_machine import StateMachine


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"  # a probe is out


class BreakerEvent(StrEnum):
    TRIPPED = "tripped"  # the failures in a row reached the threshold, or the probe failed
    PROBE_ADMITTED = "probe_admitted"
    RECOVERED = "recovered"  # a request went through (a probe's, or a late answer's)
    RESET = "reset"  # an operator forced it closed, or lifted a force


_B, _BE = BreakerState, BreakerEvent
# A breaker keeps no history, so a move may loop: a late failure while open opens it for
# longer, a probe whose slot timed out is followed by another.
BREAKER = StateMachine[BreakerState, BreakerEvent](
    "breaker",
    {
        **{(state, _BE.TRIPPED): _B.OPEN for state in BreakerState},
        (_B.OPEN, _BE.PROBE_ADMITTED): _B.HALF_OPEN,
        (_B.HALF_OPEN, _BE.PROBE_ADMITTED): _B.HALF_OPEN,
        **{(state, _BE.RECOVERED): _B.CLOSED for state in BreakerState},
        **{(state, _BE.RESET): _B.CLOSED for state in BreakerState},
    },
)


class Forced(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Admission(StrEnum):
    ALLOW = "allow"
    PROBE = "probe"  # the one request let through to test an open channel
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    failure_threshold: int = 5
    open_for: timedelta = timedelta(seconds=60)
    # Longer than one gateway call may take (connect + read timeouts, a token refresh).
    probe_for: timedelta = timedelta(seconds=90)


@dataclass
class ChannelHealth:
    channel: str
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0  # PG failures in a row
    opened_at: datetime | None = None
    probe_until: datetime | None = None  # HALF_OPEN: the probe's slot is taken until then
    forced: Forced | None = None
    forced_by: str | None = None
    forced_reason: str | None = None
    last_failure: str | None = None
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None
    updated_at: datetime | None = None

    # -- reading -----------------------------------------------------------------------------
    def usable(self, now: datetime, policy: BreakerPolicy) -> bool:
        """Whether a request sent now could be let through (read only: admitting a probe is
        `admit`'s job, under the row's lock)."""
        return self.admission(now, policy) is not Admission.REFUSE

    def healthy(self) -> bool:
        """Closed (or forced closed): checkout offers it without sending anyone as a probe."""
        if self.forced is not None:
            return self.forced is Forced.CLOSED
        return self.state is BreakerState.CLOSED

    def admission(self, now: datetime, policy: BreakerPolicy) -> Admission:
        if self.forced is Forced.OPEN:
            return Admission.REFUSE
        if self.forced is Forced.CLOSED or self.state is BreakerState.CLOSED:
            return Admission.ALLOW
        if self.state is BreakerState.OPEN:
            opened = self.opened_at or now
            return Admission.PROBE if now >= opened + policy.open_for else Admission.REFUSE
        # HALF_OPEN: the slot frees when the probe's time is up without an answer
        if self.probe_until is None or now >= self.probe_until:
            return Admission.PROBE
        return Admission.REFUSE

    # -- changing (each returns whether anything changed) ------------------------------------
    def admit(self, now: datetime, policy: BreakerPolicy) -> Admission:
        admission = self.admission(now, policy)
        if admission is Admission.PROBE:
            self._move(BreakerEvent.PROBE_ADMITTED)
            self.probe_until = now + policy.probe_for
            self.updated_at = now
        return admission

    def succeeded(self, now: datetime) -> bool:
        changed = self.state is not BreakerState.CLOSED or self.failures != 0
        self.last_success_at = now
        if self.forced is None:
            self._closed(BreakerEvent.RECOVERED)
        self.updated_at = now
        return changed

    def failed(self, reason: str, now: datetime, policy: BreakerPolicy) -> None:
        self.failures += 1
        self.last_failure, self.last_failure_at = reason[:500], now
        self.updated_at = now
        if self.forced is not None:
            return
        if self.state is BreakerState.HALF_OPEN or self.failures >= policy.failure_threshold:
            self._move(BreakerEvent.TRIPPED)
            self.opened_at, self.probe_until = now, None

    def force(self, mode: Forced | None, by: str, reason: str | None, now: datetime) -> None:
        """Force the breaker open or closed; None lifts the force (the breaker starts closed)."""
        self.forced, self.forced_by, self.forced_reason = mode, by, reason
        if mode is None or mode is Forced.CLOSED:
            self._closed(BreakerEvent.RESET)
        self.updated_at = now

    def _closed(self, event: BreakerEvent) -> None:
        self._move(event)
        self.failures, self.opened_at, self.probe_until = 0, None, None

    def _move(self, event: BreakerEvent) -> None:
        self.state = BREAKER.next(self.state, event)

    @property
    def effective_state(self) -> str:
        """What operators see: a forced state wins."""
        return f"forced_{self.forced}" if self.forced else str(self.state)
