"""A versioned save sets only the columns that changed since this unit of work loaded (or last
saved) the row, and every column when it did not load it; on SQLite and MariaDB."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from adapters.persistence.mappers.order import order_to_row
from tests.persistence import builders as b
from tests.persistence.builders import T0, state
from tests.persistence.databases import sql_database

KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]


class OrderUpdates:
    """The columns each `UPDATE payment_order` set, from the statement's parameters."""

    def __init__(self, engine) -> None:
        self.sets: list[set[str]] = []

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def seen(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            if statement.lstrip().upper().startswith("UPDATE PAYMENT_ORDER"):
                compiled = context.compiled
                self.sets.append({c.key for c in compiled.statement.table.c} & set(compiled.binds))


async def added_order(db):
    order = b.order()
    async with db.uow_factory() as uow:
        await uow.orders.add(order)
        await uow.commit()
    return order


@pytest.mark.parametrize("kind", KINDS)
async def test_a_save_sets_only_what_changed_since_the_load_and_the_row_reads_back_whole(
    kind, tmp_path
):
    async with sql_database(kind, directory=tmp_path) as db:
        updates = OrderUpdates(db.engine)
        order = await added_order(db)

        async with db.uow_factory() as uow:
            loaded = await uow.orders.get(order.id, for_update=True)
            before = order_to_row(loaded)
            loaded.paid(T0 + timedelta(minutes=2), "webhook")
            changed = {k for k, v in order_to_row(loaded).items() if before[k] != v}
            await uow.orders.save(loaded)
            loaded.name = "후원 2"  # a second save in the unit of work: its change only
            await uow.orders.save(loaded)
            await uow.commit()
        assert changed and "buyer_name" not in changed
        assert updates.sets == [changed, {"name"}]

        async with db.uow_factory() as uow:
            again = await uow.orders.get(order.id)
        assert state(again) == state(loaded)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_save_of_an_order_loaded_elsewhere_sets_every_column(kind, tmp_path):
    async with sql_database(kind, directory=tmp_path) as db:
        updates = OrderUpdates(db.engine)
        order = await added_order(db)
        async with db.uow_factory() as uow:
            loaded = await uow.orders.get(order.id)

        loaded.paid(T0, "client")
        async with db.uow_factory() as uow:
            await uow.orders.save(loaded)
            await uow.commit()
        assert updates.sets == [set(order_to_row(loaded)) - {"seq", "version"}]
