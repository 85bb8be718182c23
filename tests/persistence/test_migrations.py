"""Alembic makes the schema: it equals the table metadata, on SQLite and MariaDB."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from adapters.persistence import create_engine
from adapters.persistence.migrations import (
    HERE,
    alembic_config,
    downgrade_engine,
    head_revisions,
    migrate_engine,
)
from adapters.persistence.tables import metadata
from tests.persistence.databases import sql_database

KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]


def _diffs(connection):
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return compare_metadata(context, metadata)


@pytest.mark.parametrize("kind", KINDS)
async def test_migrated_schema_equals_the_metadata(kind, tmp_path):
    async with sql_database(kind, directory=tmp_path) as db:
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_diffs) == []
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert tables == set(metadata.tables) | {"alembic_version"}


async def test_downgrade_to_base_and_up_again(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await migrate_engine(engine)
        await downgrade_engine(engine, "base")
        async with engine.connect() as conn:
            left = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert set(left) <= {"alembic_version"}
        await migrate_engine(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diffs) == []
    finally:
        await engine.dispose()


def test_the_config_is_built_in_code_from_the_package_folder():
    config = alembic_config("sqlite+aiosqlite:///x.db")
    assert config.config_file_name is None  # no alembic.ini
    assert config.get_main_option("script_location") == str(HERE)
    assert (HERE / "env.py").is_file() and (HERE / "script.py.mako").is_file()
    assert head_revisions() == ("0010",)


@pytest.mark.mariadb
async def test_mariadb_tables_are_utf8mb4_unicode_ci_and_commented(tmp_path):
    async with sql_database("mariadb") as db:
        name = make_url(db.url).database
        async with db.engine.connect() as conn:
            tables = (
                await conn.execute(
                    text(
                        "SELECT table_name, table_collation, table_comment, engine "
                        "FROM information_schema.tables WHERE table_schema = :d "
                        "AND table_name <> 'alembic_version'"
                    ),
                    {"d": name},
                )
            ).all()
            uncommented = (
                await conn.execute(
                    text(
                        "SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = :d AND table_name <> 'alembic_version' "
                        "AND column_comment = ''"
                    ),
                    {"d": name},
                )
            ).all()
            seq = (
                await conn.execute(
                    text(
                        "SELECT data_type, extra FROM information_schema.columns "
                        "WHERE table_schema = :d AND table_name = 'payment' "
                        "AND column_name = 'seq'"
                    ),
                    {"d": name},
                )
            ).one()
    assert len(tables) == len(metadata.tables)
    for table_name, collation, comment, engine in tables:
        assert collation == "utf8mb4_unicode_ci", table_name
        assert comment, table_name
        assert engine == "InnoDB", table_name
    assert uncommented == []
    assert seq == ("bigint", "")  # ids come from the IdGenerator: no auto_increment
