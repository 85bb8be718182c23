"""The janitor: unknown charge outcomes are never failed by guess, and are settled from
iamport's record on a backoff; what stays unknown is listed for operators."""

from datetime import timedelta

import pytest

from application.gateway import NotFound, Unknown
from application.use_cases.resolve_unknown import ListUnknownOutcomesQuery, ResolveCommand
from domain.status import OrderStatus, OrderType, PaymentStatus
from tests.application.builders import (
    Wiring,
    attempt_of,
    cycle_attempt_of,
    monthly_order,
    one_time_order,
)


@pytest.fixture
def app(store, gateway, clock, ids, settings, channels) -> Wiring:
    return Wiring(store, gateway, clock, ids, settings, channels)


async def charge_with_lost_answer(app: Wiring, order, payment) -> None:
    """What a key charge does: intent committed, `again` times out, outcome applied."""
    async with app.store() as uow:
        await uow.orders.add(order)
        await uow.payments.add(payment)
        await uow.commit()
    async with app.store() as uow:
        o = await uow.orders.get(order.id, for_update=True)
        p = await uow.payments.get(payment.id, for_update=True)
        result = app.settlement.apply_charge(
            o, p, Unknown("read timeout"), app.clock.now(), "user:7"
        )
        assert result.payment_status is PaymentStatus.REQUESTED  # never failed by guess
        await uow.payments.save(p)
        await uow.orders.save(o)
        await uow.commit()


def one_click(clock):
    order = one_time_order(1, clock.now())
    order.type = OrderType.ONE_CLICK
    return order, attempt_of(order, 11, clock.now())


async def test_charged_then_timed_out_is_settled_paid_from_iamports_record(app, gateway, clock):
    order, payment = one_click(clock)
    await charge_with_lost_answer(app, order, payment)
    gateway.plant_payment(payment.merchant_uid, 10_000, channel="api")  # iamport did charge

    early = await app.resolve_payments.execute(ResolveCommand())
    assert early.resolutions == []  # not due before the first backoff step (1m)
    clock.advance(minutes=1)
    [resolved] = (await app.resolve_payments.execute(ResolveCommand())).resolutions
    assert resolved.outcome == "paid"
    assert (await app.payment(payment.merchant_uid)).status is PaymentStatus.PAID
    assert (await app.order(order.id)).status is OrderStatus.PAID


async def test_unanswered_lookups_back_off_then_escalate_never_failed(app, gateway, clock):
    order, payment = one_click(clock)
    await charge_with_lost_answer(app, order, payment)
    steps = [timedelta(minutes=5), timedelta(hours=1), timedelta(days=1), timedelta(days=1)]
    clock.advance(minutes=1)
    for n, step in enumerate(steps, start=1):
        gateway.script("find_all_payments", Unknown("iamport did not answer"))
        [r] = (await app.resolve_payments.execute(ResolveCommand())).resolutions
        assert r.outcome == "still_unknown" and r.escalated is (n >= 4)
        p = await app.payment(payment.merchant_uid)
        assert p.status is PaymentStatus.REQUESTED and p.unknown.checks == n
        assert p.unknown.next_check_at == clock.now() + step
        clock.advance(step)
    listed = await app.list_unknown.execute(ListUnknownOutcomesQuery())
    assert [u.merchant_uid for u in listed.payments] == [payment.merchant_uid]
    assert await app.history(order.id) == []  # nothing was decided by guess


async def test_not_found_at_the_first_check_is_no_proof_a_second_proves_not_attempted(
    app, gateway, clock
):
    order, payment = one_click(clock)
    await charge_with_lost_answer(app, order, payment)
    clock.advance(minutes=1)
    [first] = (await app.resolve_payments.execute(ResolveCommand())).resolutions
    assert first.outcome == "still_unknown"
    assert (await app.payment(payment.merchant_uid)).status is PaymentStatus.REQUESTED

    clock.advance(minutes=5)
    [second] = (await app.resolve_payments.execute(ResolveCommand())).resolutions

    assert second.outcome == "not_attempted"
    p = await app.payment(payment.merchant_uid)
    assert p.status is PaymentStatus.FAILED and p.unpaid_proven and p.unknown is None
    assert (await app.order(order.id)).status is OrderStatus.ORDERED  # the sponsor may retry
    # both checks asked findAll and find (any status) by merchant_uid
    assert gateway.calls_of("find_payment") == [(payment.merchant_uid, False)] * 2
    assert len(gateway.calls_of("find_all_payments")) == 2


async def test_failed_try_at_iamport_proves_unpaid(app, gateway, clock):
    order, payment = one_click(clock)
    await charge_with_lost_answer(app, order, payment)
    gateway.plant_payment(payment.merchant_uid, 10_000, status="failed", fail_reason="한도초과")
    clock.advance(minutes=1)
    [r] = (await app.resolve_payments.execute(ResolveCommand())).resolutions
    p = await app.payment(payment.merchant_uid)
    assert (r.outcome, p.status, p.unpaid_proven, p.fail_reason) == (
        "failed",
        PaymentStatus.FAILED,
        True,
        "한도초과",
    )


async def test_unanswered_lookup_keeps_it_unknown(app, gateway, clock):
    order, payment = one_click(clock)
    await charge_with_lost_answer(app, order, payment)
    gateway.plant_payment(payment.merchant_uid, 10_000)
    gateway.script("find_all_payments", Unknown("503"))
    clock.advance(minutes=1)
    [r] = (await app.resolve_payments.execute(ResolveCommand())).resolutions
    assert r.outcome == "still_unknown"
    clock.advance(minutes=5)
    [r] = (await app.resolve_payments.execute(ResolveCommand())).resolutions
    assert r.outcome == "paid"


async def test_monthly_cycle_unknown_resolved_paid_schedules_the_next_cycle(app, gateway, clock):
    order = monthly_order(1, clock.now())
    payment = cycle_attempt_of(order, 11, clock.now())
    await charge_with_lost_answer(app, order, payment)
    assert (await app.order(order.id)).status is OrderStatus.ORDERED
    gateway.plant_payment(payment.merchant_uid, 10_000, channel="api")
    clock.advance(minutes=1)
    await app.resolve_payments.execute(ResolveCommand())
    after = await app.order(order.id)
    assert after.status is OrderStatus.ROUTINE and after.subscription.next_charge_at is not None
    assert (await app.payment(payment.merchant_uid)).status is PaymentStatus.ROUTINE_PAID


async def test_not_found_lookup_uses_find_all(app, gateway, clock):
    order, payment = one_click(clock)
    await charge_with_lost_answer(app, order, payment)
    clock.advance(minutes=1)
    await app.resolve_payments.execute(ResolveCommand())
    assert gateway.calls_of("find_all_payments") == [payment.merchant_uid]
    assert isinstance(await gateway.find_all_payments(payment.merchant_uid), NotFound)
