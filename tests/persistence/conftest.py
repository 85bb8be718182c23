"""Fixtures of the persistence tests: one UnitOfWork factory per backend."""

import pytest

from adapters.memory import InMemoryStore
from tests.persistence.databases import sql_database

BACKENDS = [
    pytest.param("memory", id="memory"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
    # the other MySQL driver dolgo-pay supports (docs/adr/0027), on the same database
    pytest.param("mariadb+asyncmy", id="mariadb-asyncmy", marks=pytest.mark.mariadb),
]


@pytest.fixture(params=BACKENDS)
async def uow_factory(request, tmp_path):
    """A UnitOfWorkFactory on an empty store / migrated database."""
    if request.param == "memory":
        yield InMemoryStore()
        return
    kind, _, driver = request.param.partition("+")
    async with sql_database(kind, pool_size=5, directory=tmp_path, driver=driver) as db:
        yield db.uow_factory
