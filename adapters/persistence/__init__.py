"""SQL persistence: Core tables, explicit mappers, repositories, unit of work, migrations.

    engine = create_engine(settings.url, pool_size=..., max_overflow=...)  # once, in the lifespan
    await check_schema(engine)            # DatabaseUnavailable / SchemaOutOfDate, readable
    uow_factory = SqlUnitOfWorkFactory(engine)
    async with uow_factory() as uow: ...
    await engine.dispose()                # at shutdown

`adapters.persistence.migrations.upgrade(url)` (sync) / `await migrate(url)` make the schema.
"""

from adapters.persistence.engine import (
    DEFAULT_DATABASE_URL,
    DatabaseError,
    DatabaseSettings,
    DatabaseUnavailable,
    SchemaOutOfDate,
    create_engine,
    create_engine_from_settings,
)
from adapters.persistence.migrations import check_schema, migrate, upgrade
from adapters.persistence.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DatabaseError",
    "DatabaseSettings",
    "DatabaseUnavailable",
    "SchemaOutOfDate",
    "SqlUnitOfWork",
    "SqlUnitOfWorkFactory",
    "check_schema",
    "create_engine",
    "create_engine_from_settings",
    "migrate",
    "upgrade",
]
