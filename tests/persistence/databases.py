"""Migrated SQL databases for tests, reusable outside tests/persistence.

    from tests.persistence.databases import sql_database
    async with sql_database("sqlite", pool_size=25, directory=tmp_path) as db:
        async with db.uow_factory() as uow: ...
    async with sql_database("mariadb", pool_size=25) as db: ...   # skips without MariaDB

MariaDB: DSN from DOLGO_TEST_MYSQL_URL. Without it each test run gets a database of its own,
`dolgo_test_<pid>`, dropped when the run ends, so runs on one machine cannot interfere. The
database is created if missing and migrated from scratch once per run; each
`sql_database("mariadb")` empties the tables.
Outside CI an unreachable MariaDB skips the test; with CI=true it fails.
"""

import asyncio
import atexit
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import SqlUnitOfWorkFactory, create_engine
from adapters.persistence.migrations import migrate
from adapters.persistence.tables import metadata
from tests.secrets_scan import SCAN

RUN_DATABASE = f"dolgo_test_{os.getpid()}"
DEFAULT_MYSQL_URL = f"mysql+aiomysql://root@127.0.0.1:3306/{RUN_DATABASE}?charset=utf8mb4"


def mysql_test_url() -> str:
    return os.environ.get("DOLGO_TEST_MYSQL_URL") or DEFAULT_MYSQL_URL


_run_databases: set[str] = set()  # created for this run only: dropped at exit


def _drop_run_databases() -> None:
    if not _run_databases:
        return
    import pymysql  # aiomysql's own dependency; a plain connection is enough at exit

    url = make_url(DEFAULT_MYSQL_URL)
    try:
        conn = pymysql.connect(host=url.host, port=url.port or 3306, user=url.username or "root")
    except pymysql.MySQLError:
        return
    with conn, conn.cursor() as cursor:
        for name in _run_databases:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


atexit.register(_drop_run_databases)


@dataclass
class SqlDatabase:
    kind: str
    url: str
    engine: AsyncEngine
    uow_factory: SqlUnitOfWorkFactory


async def _recreate_mysql(url: str) -> None:
    """Create the database if missing, drop every table in it, migrate from scratch."""
    parsed = make_url(url)
    name = parsed.database
    if name and name.startswith(RUN_DATABASE):
        _run_databases.add(name)
    server = create_engine(parsed.set(database=""), pool_size=1, max_overflow=0)
    try:
        async with server.begin() as conn:
            await conn.execute(
                text(
                    f"CREATE DATABASE IF NOT EXISTS `{name}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
            )
            rows = await conn.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :d"),
                {"d": name},
            )
            tables = [r[0] for r in rows]
            await conn.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
            for table in tables:
                await conn.execute(text(f"DROP TABLE `{name}`.`{table}`"))
            await conn.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
    finally:
        await server.dispose()
    await migrate(url)


_mysql_state: dict[str, str | None] = {}


def mariadb_url_or_skip() -> str:
    """The migrated test database's URL (made once per session), or skip / fail the test."""
    url = mysql_test_url()
    if url not in _mysql_state:
        try:
            _run_outside_loop(_recreate_mysql(url))
            _mysql_state[url] = None
        except Exception as exc:  # unreachable, no permission, ...
            _mysql_state[url] = f"MariaDB/MySQL not usable at {make_url(url)!r}: {exc}"
    reason = _mysql_state[url]
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: MariaDB is required)")
        pytest.skip(f"{reason} (set DOLGO_TEST_MYSQL_URL, or CI=true to make this fatal)")
    return url


def _run_outside_loop(coro) -> None:  # noqa: ANN001
    """asyncio.run, also when called from inside a running loop (async fixtures)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


async def empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(table.delete())


@asynccontextmanager
async def sql_database(
    kind: str,
    *,
    pool_size: int = 5,
    directory: Path | None = None,
    driver: str = "",
    **engine_kwargs,
) -> AsyncIterator[SqlDatabase]:
    """A migrated, empty database of `kind` ("sqlite" or "mariadb") and a UoW factory on an
    engine with `pool_size` connections (no overflow). Disposed on exit. `driver` ("asyncmy")
    replaces the MariaDB URL's driver."""
    tmp: tempfile.TemporaryDirectory | None = None
    if kind == "sqlite":
        if directory is None:
            tmp = tempfile.TemporaryDirectory(prefix="dolgo-pay-test-")
            directory = Path(tmp.name)
        url = f"sqlite+aiosqlite:///{directory / 'dolgo-pay-test.db'}"
        await migrate(url)
    elif kind == "mariadb":
        url = mariadb_url_or_skip()
        if driver:
            url = make_url(url).set(drivername=f"mysql+{driver}").render_as_string(False)
    else:
        raise ValueError(f"unknown database kind {kind!r}")
    engine = create_engine(url, pool_size=pool_size, max_overflow=0, **engine_kwargs)
    try:
        if kind == "mariadb":
            await empty_tables(engine)
        yield SqlDatabase(kind, url, engine, SqlUnitOfWorkFactory(engine))
    finally:
        if kind == "mariadb":  # before the next test empties it
            await SCAN.engine(engine, f"mariadb {make_url(url).database}")
        await engine.dispose()
        if tmp is not None:
            SCAN.folder(Path(tmp.name), "a test's SQLite database")
            tmp.cleanup()
