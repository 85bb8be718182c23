"""PaymentRepository.latest_for_orders: each order's newest payment, on every backend."""

from tests.persistence import builders as b
from tests.persistence.builders import state


async def test_latest_for_orders_picks_the_newest_payment_of_each_order(uow_factory):
    orders = [b.order() for _ in range(3)]
    async with uow_factory() as uow:
        for o in orders:
            await uow.orders.add(o)
        await uow.commit()
    first, second, without = orders
    older = b.payment(first.id, attempt=1)
    newer = b.payment(first.id, attempt=2)
    only = b.payment(second.id)
    async with uow_factory() as uow:
        for p in (older, newer, only):
            await uow.payments.add(p)
        await uow.commit()
    async with uow_factory() as uow:
        latest = await uow.payments.latest_for_orders([first.id, second.id, without.id])
        assert await uow.payments.latest_for_orders([]) == {}
        only_second = await uow.payments.latest_for_orders([second.id])
    assert set(latest) == {first.id, second.id}
    assert state(latest[first.id]) == state(newer)
    assert state(latest[second.id]) == state(only)
    assert set(only_second) == {second.id}
