"""The async engine: made by a function, owned by the app's lifespan, disposed at its end.

MySQL/MariaDB (aiomysql, the default, or asyncmy: docs/adr/0027): utf8mb4, READ COMMITTED, UTC
session time zone; a pooled connection is pinged only after it sat idle, and handed back without
a reset (docs/adr/0030).
SQLite (aiosqlite, the embedded mode): WAL, busy_timeout, foreign keys, and every transaction
begins with BEGIN IMMEDIATE (SQLite ignores FOR UPDATE; see docs/adr/0004-locking.md).
"""

import functools
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.failures import OperatorError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/dolgo-pay.db"

# A connection idle in the pool this long is pinged before use; a busy pool is never pinged.
PING_AFTER_IDLE_SECONDS = 10.0
# Connections are replaced after this long; the session's wait_timeout is set above it.
POOL_RECYCLE_SECONDS = 1800
SESSION_WAIT_TIMEOUT_SECONDS = 2 * POOL_RECYCLE_SECONDS


class DatabaseError(OperatorError):
    """The database cannot be used as configured; the message says why and what to do."""


class DatabaseUnavailable(DatabaseError):
    """The database could not be reached."""


class SchemaOutOfDate(DatabaseError):
    """The database schema is not the revision this code expects."""


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str = DEFAULT_DATABASE_URL
    pool_size: int = 10
    max_overflow: int = 10
    pool_timeout: float = 30.0
    sqlite_busy_timeout_ms: int = 10_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "DatabaseSettings":
        """DOLGO_DATABASE_URL, DOLGO_DB_POOL_SIZE, DOLGO_DB_MAX_OVERFLOW, DOLGO_DB_POOL_TIMEOUT,
        DOLGO_DB_SQLITE_BUSY_TIMEOUT_MS."""
        env = os.environ if env is None else env
        d = cls()

        def number(name: str, default: Any, kind: type) -> Any:
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = kind(raw)
            except ValueError:
                raise DatabaseError(f"{name} must be a number, got {raw!r}") from None
            if value < 0:
                raise DatabaseError(f"{name} must not be negative, got {raw!r}")
            return value

        return cls(
            url=env.get("DOLGO_DATABASE_URL") or d.url,
            pool_size=number("DOLGO_DB_POOL_SIZE", d.pool_size, int),
            max_overflow=number("DOLGO_DB_MAX_OVERFLOW", d.max_overflow, int),
            pool_timeout=number("DOLGO_DB_POOL_TIMEOUT", d.pool_timeout, float),
            sqlite_busy_timeout_ms=number(
                "DOLGO_DB_SQLITE_BUSY_TIMEOUT_MS", d.sqlite_busy_timeout_ms, int
            ),
        )


def safe_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL is itself the message
        return "<unparseable database URL>"


def is_sqlite(engine_or_url: AsyncEngine | str | URL) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, AsyncEngine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


_json_serializer = functools.partial(json.dumps, ensure_ascii=False, default=str)


def create_engine(
    url: str | URL | None = None,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout: float = 30.0,
    sqlite_busy_timeout_ms: int = 10_000,
    echo: bool = False,
    sqlite_begin: str | None = "BEGIN IMMEDIATE",
) -> AsyncEngine:
    """A new engine for `url` (default: the embedded SQLite file). Call once per app and
    `await engine.dispose()` at shutdown.

    `sqlite_begin` is the statement that opens SQLite transactions; None leaves the driver's
    legacy behaviour (reads outside any transaction), which only the race tests' negative
    control uses.
    """
    try:
        parsed = make_url(url or DEFAULT_DATABASE_URL)
    except Exception as exc:
        raise DatabaseError(f"invalid database URL {safe_url(str(url))}: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(
            parsed,
            pool_size,
            max_overflow,
            pool_timeout,
            sqlite_busy_timeout_ms,
            echo,
            sqlite_begin,
        )
    if backend in ("mysql", "mariadb"):
        return _mysql_engine(parsed, pool_size, max_overflow, pool_timeout, echo)
    raise DatabaseError(
        f"unsupported database {safe_url(parsed)}: use mysql+aiomysql://... (or "
        "mysql+asyncmy://...) or sqlite+aiosqlite:///path.db"
    )


def create_engine_from_settings(settings: DatabaseSettings, *, echo: bool = False) -> AsyncEngine:
    return create_engine(
        settings.url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        echo=echo,
    )


def _mysql_engine(
    url: URL, pool_size: int, max_overflow: int, pool_timeout: float, echo: bool
) -> AsyncEngine:
    if "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_recycle=POOL_RECYCLE_SECONDS,
        # Every checkout is a Connection that ends its own transaction (SqlUnitOfWork commits or
        # rolls back; Connection.close rolls back what is left open): no ROLLBACK on return.
        pool_reset_on_return=None,
        isolation_level="READ COMMITTED",
        json_serializer=_json_serializer,
        echo=echo,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _session(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET time_zone = '+00:00', wait_timeout = {SESSION_WAIT_TIMEOUT_SECONDS}")
        cursor.close()

    _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection only when it sat idle PING_AFTER_IDLE_SECONDS or more (what
    pool_pre_ping does on every checkout); a dead one is replaced by the pool's own retry."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure: the connection is not usable
            raise DisconnectionError(f"idle connection failed its ping: {exc}") from exc


def _sqlite_engine(
    url: URL,
    pool_size: int,
    max_overflow: int,
    pool_timeout: float,
    busy_timeout_ms: int,
    echo: bool,
    begin: str | None,
) -> AsyncEngine:
    database = url.database or ""
    memory = database in ("", ":memory:") or "mode=memory" in str(url)
    kwargs: dict[str, Any] = {}
    if not memory:
        folder = Path(database).expanduser().resolve().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailable(
                f"cannot create the folder {folder} for the SQLite database {safe_url(url)}: "
                f"{exc.strerror or exc}"
            ) from None
        kwargs = {
            "pool_size": pool_size,
            "max_overflow": max_overflow,
            "pool_timeout": pool_timeout,
        }
    engine = create_async_engine(
        url,
        json_serializer=_json_serializer,
        pool_reset_on_return=None,  # as on MySQL: every Connection ends its own transaction
        connect_args={"timeout": busy_timeout_ms / 1000},
        echo=echo,
        **kwargs,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        if begin is not None:
            # Take BEGIN away from the driver; _begin below emits our own.
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    if begin is not None:

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

    return engine
