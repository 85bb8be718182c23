"""Reconciliation with iamport, and the expiry of abandoned orders."""

from datetime import timedelta

import pytest

from application.use_cases.create_checkout import CreateCheckoutCommand
from application.use_cases.expire_unpaid import ExpireCommand
from application.use_cases.reconcile import ReconcileCommand
from domain.status import OrderStatus, PaymentStatus
from tests.application.builders import USER, Wiring, paid_checkout


@pytest.fixture
def app(store, gateway, clock, ids, settings, channels) -> Wiring:
    return Wiring(store, gateway, clock, ids, settings, channels)


async def test_console_partial_cancel_is_picked_up(app, gateway, clock):
    co, rec = await paid_checkout(app)
    clock.advance(days=10)  # long after: iamport's window listing no longer shows it
    gateway.update_payment(rec.imp_uid, cancel_amount=3_000, cancel_reason="콘솔 부분취소")
    report = await app.reconcile.execute(
        ReconcileCommand(clock.now() - timedelta(days=1), clock.now())
    )
    payment = await app.payment(co.merchant_uid)
    assert (payment.status, payment.cancelled_amount) == (PaymentStatus.PAID, 3_000)
    assert [i.merchant_uid for i in report.repaired] == [co.merchant_uid]
    assert gateway.calls_of("get_payments") == [(rec.imp_uid,)]
    again = await app.reconcile.execute(
        ReconcileCommand(clock.now() - timedelta(days=1), clock.now())
    )
    assert again.repaired == [] and again.clean


async def test_lost_webhook_and_client_is_repaired_from_the_window(app, gateway, clock):
    co = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 10_000, "card")
    )
    gateway.plant_payment(co.merchant_uid, 10_000, pg_provider="nice")
    report = await app.reconcile.execute(
        ReconcileCommand(clock.now() - timedelta(hours=1), clock.now() + timedelta(seconds=1))
    )
    assert [i.merchant_uid for i in report.repaired] == [co.merchant_uid]
    assert (await app.order(co.order_id)).status is OrderStatus.PAID


async def test_unmatched_missing_and_mismatched_are_reported(app, gateway, clock):
    _, kept = await paid_checkout(app)
    _, vanished = await paid_checkout(app)
    del gateway.payments[vanished.imp_uid]  # ours paid, iamport does not know it
    foreign = gateway.plant_payment("other_shop_1", 1_000)
    forged_co = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 10_000, "card")
    )
    gateway.plant_payment(forged_co.merchant_uid, 10, pg_provider="nice")
    report = await app.reconcile.execute(
        ReconcileCommand(clock.now() - timedelta(hours=1), clock.now() + timedelta(seconds=1))
    )
    assert [i.imp_uid for i in report.unmatched_at_iamport] == [foreign.imp_uid]
    assert [i.imp_uid for i in report.missing_at_iamport] == [vanished.imp_uid]
    assert [i.merchant_uid for i in report.mismatched] == [forged_co.merchant_uid]
    assert gateway.payments[kept.imp_uid].status == "paid"
    assert not report.clean


async def test_abandoned_order_expires_only_when_iamport_shows_no_payment(app, gateway, clock):
    nobody = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 10_000, "card")
    )
    paid_late = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 10_000, "card")
    )
    gateway.plant_payment(paid_late.merchant_uid, 10_000, pg_provider="nice")
    clock.advance(hours=23)
    assert (await app.expire_abandoned.execute(ExpireCommand())).expired == []
    clock.advance(hours=2)
    result = await app.expire_abandoned.execute(ExpireCommand())
    assert result.expired == [str(nobody.order_id)]
    assert (await app.order(nobody.order_id)).status is OrderStatus.FAILED
    assert (await app.order(paid_late.order_id)).status is OrderStatus.PAID
