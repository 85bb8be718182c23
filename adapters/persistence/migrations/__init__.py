"""Alembic migrations, packaged with the code: the only way the schema is made.

`upgrade(url)` (sync, for `dolgo-pay migrate`) and `await migrate(url)` bring a database to the
head revision; `await check_schema(engine)` refuses to start on an unreachable database or a
schema that is not at the head. No alembic.ini: the Config is built here, pointing at this
folder, so it works from an installed package. New revisions: `alembic_config()` with
`alembic.command.revision(config, message, autogenerate=True)` on a migrated database.
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.engine import (
    DatabaseUnavailable,
    SchemaOutOfDate,
    create_engine,
    safe_url,
)

HERE = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


@dataclass(frozen=True, slots=True)
class Migration:
    """The schema's revisions before and after `migrate`."""

    before: tuple[str, ...]
    after: tuple[str, ...]

    def __str__(self) -> str:
        after = ", ".join(self.after) or "(none)"
        if self.before == self.after:
            return f"database schema already up to date (revision {after})"
        return f"database schema migrated from {', '.join(self.before) or '(empty)'} to {after}"


def _heads_on(connection: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def _upgrade_on(connection: Connection, config: Config, revision: str) -> Migration:
    before = _heads_on(connection)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
    return Migration(before, _heads_on(connection))


def _downgrade_on(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def migrate(url: str, revision: str = "head") -> Migration:
    """Upgrade the database at `url` to `revision` (default: head)."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(_upgrade_on, alembic_config(url), revision)
    except (OperationalError, InterfaceError) as exc:
        raise DatabaseUnavailable(_unreachable(url, exc)) from exc
    finally:
        await engine.dispose()


async def migrate_engine(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade through an existing engine (tests, embedded start-up)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade_on, alembic_config(), revision)


async def downgrade_engine(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_on, alembic_config(), revision)


def upgrade(url: str, revision: str = "head") -> Migration:
    """Sync entry point for `dolgo-pay migrate` (not inside a running event loop)."""
    return asyncio.run(migrate(url, revision))


async def current_revisions(engine: AsyncEngine) -> tuple[str, ...]:
    def read(connection: Connection) -> tuple[str, ...]:
        return tuple(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def check_schema(engine: AsyncEngine) -> None:
    """Raise DatabaseUnavailable or SchemaOutOfDate (readable messages) unless the database
    answers and its schema is at the head revision of this code."""
    try:
        current = await current_revisions(engine)
    except (OperationalError, InterfaceError, OSError) as exc:
        raise DatabaseUnavailable(_unreachable(engine.url, exc)) from exc
    except DBAPIError as exc:
        raise DatabaseUnavailable(_unreachable(engine.url, exc)) from exc
    heads = head_revisions()
    if set(current) == set(heads):
        return
    where = safe_url(engine.url)
    if not current:
        raise SchemaOutOfDate(
            f"the database {where} has no dolgo-pay schema (expected revision "
            f"{', '.join(heads)}): run `dolgo-pay migrate`"
        )
    known = ScriptDirectory.from_config(alembic_config())
    unknown = [rev for rev in current if _missing(known, rev)]
    if unknown:
        raise SchemaOutOfDate(
            f"the database {where} is at revision {', '.join(current)}, which this code does "
            f"not know (its head is {', '.join(heads)}): the database is newer than the code; "
            "deploy the newer version"
        )
    raise SchemaOutOfDate(
        f"the database {where} is at revision {', '.join(current)} but the code needs "
        f"{', '.join(heads)}: run `dolgo-pay migrate`"
    )


def _missing(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is None
    except Exception:  # alembic raises several kinds for an unknown revision
        return True


def _unreachable(url: object, exc: BaseException) -> str:
    reason = getattr(exc, "orig", None) or exc
    return f"cannot reach the database at {safe_url(str(url))}: {reason}"
