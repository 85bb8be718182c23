"""A pooled MariaDB connection that died (killed by the server, a restart, a proxy's idle
timeout): no ping on a busy pool, a ping after idling, and a retryable error otherwise
(docs/adr/0030)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from adapters.http.errors import EXCEPTION_TABLE
from adapters.persistence import create_engine
from adapters.persistence import engine as engine_module
from tests.persistence.databases import sql_database
from tests.persistence.round_trips import RoundTrips

pytestmark = pytest.mark.mariadb


async def _connection_id(uow_factory) -> int:
    async with uow_factory() as uow:
        conn = await uow.connection()
        return (await conn.execute(text("SELECT CONNECTION_ID()"))).scalar_one()


async def _kill(url: str, connection_id: int) -> None:
    killer = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with killer.connect() as conn:
            await conn.execute(text(f"KILL CONNECTION {int(connection_id)}"))
    finally:
        await killer.dispose()


async def test_a_connection_killed_while_idle_is_replaced_by_the_ping(monkeypatch):
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    async with sql_database("mariadb", pool_size=1) as db:
        victim = await _connection_id(db.uow_factory)
        await _kill(db.url, victim)
        with RoundTrips(db.engine) as trips:
            replaced = await _connection_id(db.uow_factory)
        assert replaced != victim
        assert trips.counts["PING"] == 1


async def test_a_busy_pool_is_not_pinged_and_a_dead_connection_is_a_retryable_503(monkeypatch):
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    async with sql_database("mariadb", pool_size=1) as db:
        victim = await _connection_id(db.uow_factory)
        await _kill(db.url, victim)
        with RoundTrips(db.engine) as trips, pytest.raises(DBAPIError) as lost:
            await _connection_id(db.uow_factory)
        assert trips.counts["PING"] == 0
        assert lost.value.connection_invalidated
        answer = EXCEPTION_TABLE[DBAPIError](lost.value)
        assert (answer.status_code, answer.extra, answer.headers["Retry-After"]) == (
            503,
            {"code": "database_unavailable"},
            "1",
        )
        # The retry gets a new connection.
        assert await _connection_id(db.uow_factory) != victim


def test_other_database_errors_stay_500():
    error = DBAPIError("SELECT 1", {}, Exception("syntax"), connection_invalidated=False)
    assert EXCEPTION_TABLE[DBAPIError](error).status_code == 500
