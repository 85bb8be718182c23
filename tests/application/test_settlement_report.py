"""정산 report: a day's payments, ours beside iamport's, and the payments that differ — a
console cancel and a missed webhook show as differences until reconciliation repairs them."""

from datetime import timedelta

import pytest

from application.errors import NotFoundError
from application.use_cases.actor import Actor
from application.use_cases.create_checkout import CreateCheckoutCommand
from application.use_cases.reconcile import ReconcileCommand
from application.use_cases.settlement_report import BuildSettlementReport, SettlementReportQuery
from domain.seoul import seoul_date
from tests.application.builders import USER, Wiring, paid_checkout

OPS = Actor(900, operator=True)


@pytest.fixture
def app(store, gateway, clock, ids, settings, channels) -> Wiring:
    return Wiring(store, gateway, clock, ids, settings, channels)


def report(app: Wiring, day):
    return BuildSettlementReport(app.store, app.gateway, app.clock).execute(
        SettlementReportQuery(OPS, day)
    )


async def test_a_console_cancel_and_a_missed_webhook_differ_until_reconciled(app, gateway, clock):
    day = seoul_date(clock.now())
    await paid_checkout(app, 10_000)
    cancelled, cancelled_rec = await paid_checkout(app, 20_000)
    gateway.update_payment(cancelled_rec.imp_uid, cancel_amount=5_000, cancel_reason="콘솔 취소")
    missed = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 30_000, "card")
    )
    gateway.plant_payment(missed.merchant_uid, 30_000, pg_provider="nice")
    clock.advance(hours=3)

    before = await report(app, day)
    await app.reconcile.execute(ReconcileCommand(clock.now() - timedelta(days=1), clock.now()))
    after = await report(app, day)

    assert [(d.merchant_uid, d.what) for d in before.differences] == sorted(
        [(cancelled.merchant_uid, "cancelled"), (missed.merchant_uid, "missing_here")]
    )
    (row,) = before.rows
    assert (row.channel, row.pay_method, row.matches) == ("nice", "card", False)
    assert (row.ours.paid_count, row.ours.paid_sum, row.ours.cancelled_sum) == (2, 30_000, 0)
    assert (row.iamport.paid_count, row.iamport.paid_sum, row.iamport.cancelled_sum) == (
        3,
        60_000,
        5_000,
    )
    assert after.differences == [] and after.rows[0].matches
    assert (after.rows[0].ours.net, after.rows[0].ours.vat) == (55_000, 909 + 1_818 + 2_727)


async def test_payments_of_another_seoul_day_are_not_in_the_report(app, clock):
    await paid_checkout(app, 10_000)
    other_day = seoul_date(clock.now()) + timedelta(days=1)
    clock.advance(days=2)

    assert (await report(app, other_day)).rows == []


async def test_the_report_is_for_operators_only(app, clock):
    with pytest.raises(NotFoundError):
        await BuildSettlementReport(app.store, app.gateway, app.clock).execute(
            SettlementReportQuery(Actor(USER), seoul_date(clock.now()))
        )
