"""What `orders.get_by_merchant_uid(for_update=True)` locks on MariaDB: the order row only. The
payment row its subquery reads stays free, so lock_payment keeps the lock order (the order,
then the payment) that every other path takes."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.persistence import builders as b
from tests.persistence.databases import sql_database

pytestmark = pytest.mark.mariadb


async def test_the_order_of_a_merchant_uid_is_locked_and_its_payment_is_not():
    async with sql_database("mariadb", pool_size=3) as db:
        order = b.order()
        payment = b.payment(order.id)
        async with db.uow_factory() as uow:
            await uow.orders.add(order)
            await uow.payments.add(payment)
            await uow.commit()

        async def locked(read) -> bool:
            async with db.uow_factory() as other:
                conn = await other.connection()
                await conn.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
                try:
                    await read(other)
                except OperationalError as exc:
                    assert exc.orig.args[0] == 1205  # lock wait timeout
                    return True
                return False

        async with db.uow_factory() as holder:
            held = await holder.orders.get_by_merchant_uid(payment.merchant_uid, for_update=True)
            assert held.id == order.id
            payment_locked = await locked(lambda u: u.payments.get(payment.id, for_update=True))
            order_locked = await locked(lambda u: u.orders.get(order.id, for_update=True))
        assert (order_locked, payment_locked) == (True, False)
