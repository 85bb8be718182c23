"""Admin wire types of PG channels: configuration beside the shared breaker's state."""

from datetime import datetime
from typing import Literal

import msgspec

from adapters.http.wire.common import Reason
from application.use_cases.channel_admin import ChannelStatus


class ChannelView(msgspec.Struct):
    name: str
    pg: str
    pg_provider: str
    methods: list[str]
    priority: int
    key_issuance: str | None  # rest | window | None (no billing keys)
    test: bool
    # closed | open | half_open | forced_open | forced_closed
    breaker: str
    admits: Literal["allow", "probe", "refuse"]  # what a request sent now would meet
    failures: int  # PG failures in a row (rejected, not attempted, no answer; never declines)
    opened_at: datetime | None
    last_failure: str | None
    last_failure_at: datetime | None
    last_success_at: datetime | None
    forced_by: str | None
    forced_reason: str | None


class ChannelList(msgspec.Struct):
    channels: list[ChannelView]


class ForceBreakerRequest(msgspec.Struct, forbid_unknown_fields=True):
    """`force`: "open" (send nothing there), "closed" (send there whatever happens), or null
    (lift the force: the breaker starts closed and counts outcomes again)."""

    force: Literal["open", "closed"] | None
    reason: Reason | None = None


def channel_view(s: ChannelStatus) -> ChannelView:
    c, h = s.channel, s.health
    return ChannelView(
        name=c.name,
        pg=c.pg,
        pg_provider=c.pg_provider,
        methods=sorted(c.methods),
        priority=c.priority,
        key_issuance=str(c.key_issuance) if c.key_issuance else None,
        test=c.test,
        breaker=h.effective_state,
        admits=s.admission.value,  # type: ignore[arg-type]
        failures=h.failures,
        opened_at=h.opened_at,
        last_failure=h.last_failure,
        last_failure_at=h.last_failure_at,
        last_success_at=h.last_success_at,
        forced_by=h.forced_by,
        forced_reason=h.forced_reason,
    )
