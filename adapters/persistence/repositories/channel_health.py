"""ChannelHealthRepository on channel_health."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from adapters.persistence.mappers.text import clip
from adapters.persistence.repositories.base import SqlRepository, is_duplicate_key
from adapters.persistence.tables import channel_health as t
from application.ports import ConcurrentUpdate
from domain.channel_health import BreakerState, ChannelHealth, Forced


def _to_row(h: ChannelHealth) -> dict[str, Any]:
    return {
        "channel": h.channel,
        "breaker_state": h.state.value,
        "failures": h.failures,
        "opened_at": h.opened_at,
        "probe_until": h.probe_until,
        "forced": h.forced.value if h.forced else None,
        "forced_by": clip(h.forced_by, 100),
        "forced_reason": clip(h.forced_reason, 500),
        "last_failure": clip(h.last_failure, 500),
        "last_failure_at": h.last_failure_at,
        "last_success_at": h.last_success_at,
        "updated_at": h.updated_at,
    }


def _from_row(row: Mapping[str, Any]) -> ChannelHealth:
    return ChannelHealth(
        channel=row["channel"],
        state=BreakerState(row["breaker_state"]),
        failures=row["failures"],
        opened_at=row["opened_at"],
        probe_until=row["probe_until"],
        forced=Forced(row["forced"]) if row["forced"] else None,
        forced_by=row["forced_by"],
        forced_reason=row["forced_reason"],
        last_failure=row["last_failure"],
        last_failure_at=row["last_failure_at"],
        last_success_at=row["last_success_at"],
        updated_at=row["updated_at"],
    )


class SqlChannelHealthRepository(SqlRepository):
    async def get(self, channel: str, *, for_update: bool = False) -> ChannelHealth | None:
        query = select(t).where(t.c.channel == channel)
        if for_update:
            query = query.with_for_update()
        row = await self._row(query)
        return _from_row(row) if row else None

    async def add(self, health: ChannelHealth) -> bool:
        conn = await self._conn()
        try:
            async with conn.begin_nested():  # a duplicate leaves the transaction usable
                await conn.execute(insert(t).values(**_to_row(health)))
        except IntegrityError as exc:
            if is_duplicate_key(exc):
                return False
            raise
        return True

    async def save(self, health: ChannelHealth) -> None:
        row = _to_row(health)
        del row["channel"]
        conn = await self._conn()
        result = await conn.execute(update(t).where(t.c.channel == health.channel).values(**row))
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"channel_health {health.channel!r} does not exist")

    async def all(self) -> list[ChannelHealth]:
        return [_from_row(r) for r in await self._rows(select(t).order_by(t.c.channel))]
