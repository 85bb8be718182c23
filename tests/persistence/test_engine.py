"""Engine settings, schema checks, readable errors, and what the UoW holds when."""

from datetime import datetime

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import StatementError

from adapters.persistence import (
    DEFAULT_DATABASE_URL,
    DatabaseError,
    DatabaseSettings,
    DatabaseUnavailable,
    SchemaOutOfDate,
    SqlUnitOfWorkFactory,
    check_schema,
    create_engine,
)
from tests.persistence import builders as b
from tests.persistence.databases import sql_database


def test_settings_from_the_environment():
    assert DatabaseSettings.from_env({}) == DatabaseSettings(url=DEFAULT_DATABASE_URL)
    settings = DatabaseSettings.from_env(
        {
            "DOLGO_DATABASE_URL": "mysql+aiomysql://u:p@db/x",
            "DOLGO_DB_POOL_SIZE": "30",
            "DOLGO_DB_MAX_OVERFLOW": "0",
            "DOLGO_DB_POOL_TIMEOUT": "2.5",
        }
    )
    assert (settings.url, settings.pool_size, settings.max_overflow, settings.pool_timeout) == (
        "mysql+aiomysql://u:p@db/x",
        30,
        0,
        2.5,
    )
    with pytest.raises(DatabaseError, match="DOLGO_DB_POOL_SIZE must be a number"):
        DatabaseSettings.from_env({"DOLGO_DB_POOL_SIZE": "many"})


async def test_default_url_is_the_embedded_sqlite_file_and_its_folder_is_made(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    engine = create_engine()
    try:
        assert str(engine.url) == DEFAULT_DATABASE_URL
        assert (tmp_path / "var").is_dir()
    finally:
        await engine.dispose()


def test_unsupported_url_is_a_readable_error():
    with pytest.raises(DatabaseError, match="unsupported database"):
        create_engine("postgresql+asyncpg://u:secret@h/db")


async def test_unreachable_mysql_is_a_readable_error_without_the_password():
    engine = create_engine("mysql+aiomysql://dolgo:s3cret@127.0.0.1:1/dolgo", pool_timeout=2)
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            await check_schema(engine)
    finally:
        await engine.dispose()
    message = str(caught.value)
    assert "cannot reach the database at mysql+aiomysql://dolgo:***@127.0.0.1:1/dolgo" in message
    assert "s3cret" not in message


async def test_unusable_sqlite_path_is_a_readable_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(DatabaseUnavailable, match="cannot create the folder"):
        create_engine(f"sqlite+aiosqlite:///{blocker / 'sub' / 'x.db'}")


async def test_an_empty_database_is_behind_the_code(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(SchemaOutOfDate, match="run `dolgo-pay migrate`"):
            await check_schema(engine)
    finally:
        await engine.dispose()


async def test_a_migrated_database_passes_and_an_unknown_revision_does_not(tmp_path):
    async with sql_database("sqlite", directory=tmp_path) as db:
        await check_schema(db.engine)
        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
        with pytest.raises(SchemaOutOfDate, match="newer than the code"):
            await check_schema(db.engine)


async def test_sqlite_pragmas_and_begin_immediate(tmp_path):
    async with sql_database("sqlite", directory=tmp_path) as db:
        statements = []
        event.listen(
            db.engine.sync_engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, *a: statements.append(statement),
        )
        async with db.engine.connect() as conn:
            journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
            busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
            fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
        assert (journal, busy, fks) == ("wal", 10_000, 1)
        async with db.uow_factory() as uow:
            await uow.orders.get(1, for_update=True)
        assert "BEGIN IMMEDIATE" in statements


@pytest.mark.mariadb
async def test_mysql_session_is_utc_read_committed_utf8mb4_and_locks_with_for_update():
    async with sql_database("mariadb") as db:
        async with db.engine.connect() as conn:
            tz, isolation, charset = (
                await conn.execute(
                    text(
                        "SELECT @@session.time_zone, @@session.tx_isolation, "
                        "@@session.character_set_connection"
                    )
                )
            ).one()
        assert (tz, isolation, charset) == ("+00:00", "READ-COMMITTED", "utf8mb4")
        statements = []
        event.listen(
            db.engine.sync_engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, *a: statements.append(statement),
        )
        async with db.uow_factory() as uow:
            await uow.payments.get(1, for_update=True)
            await uow.payments.get_by_merchant_uid("dp1a1", for_update=True)
            await uow.payments.get(1)
        assert [s.rstrip().endswith("FOR UPDATE") for s in statements] == [True, True, False]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
async def test_the_uow_holds_a_connection_only_inside_a_transaction(kind, tmp_path):
    async with sql_database(kind, pool_size=2, directory=tmp_path) as db:
        pool = db.engine.pool
        async with db.uow_factory() as uow:
            assert pool.checkedout() == 0  # entering takes nothing
            await uow.orders.add(b.order())
            assert pool.checkedout() == 1 and uow.in_transaction
            await uow.commit()
            assert pool.checkedout() == 0 and not uow.in_transaction  # e.g. during iamport
            await uow.orders.get(1)
            assert pool.checkedout() == 1
        assert pool.checkedout() == 0  # leaving rolls back and gives it back


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
async def test_times_are_utc_aware_and_naive_ones_are_refused(kind, tmp_path):
    async with sql_database(kind, directory=tmp_path) as db:
        order = b.order(created_at=b.T0.astimezone(b.KST))
        async with db.uow_factory() as uow:
            await uow.orders.add(order)
            await uow.commit()
            loaded = await uow.orders.get(order.id)
            assert loaded.created_at == order.created_at
            assert loaded.created_at.utcoffset().total_seconds() == 0
            assert loaded.created_at.hour == b.T0.hour  # stored as UTC, not as Seoul time
            with pytest.raises(StatementError, match="naive datetime"):
                await uow.orders.add(b.order(created_at=datetime(2026, 1, 1)))


def test_the_uow_factory_makes_a_new_uow_each_time(tmp_path):
    factory = SqlUnitOfWorkFactory(engine=object())  # type: ignore[arg-type]
    assert factory() is not factory()


def test_no_engine_is_made_at_import():
    import adapters.persistence.engine as module

    assert not [v for v in vars(module).values() if type(v).__name__ == "AsyncEngine"]
