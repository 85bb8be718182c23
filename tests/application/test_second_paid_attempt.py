"""A sponsor is charged once per one-time order (spec §4.1, ADR 0007 addendum 2026-12-02).

A retry gives the order a new attempt once the old one is known unpaid, but the sponsor may
still pay in the old window afterwards. The second attempt found paid while its order is PAID
is recorded as paid and refunded in full at iamport at once; the order stays PAID. What
Settlement cannot repair (a monthly cycle paid after its sponsorship was cancelled) is written
on the payment for operators and listed until one acknowledges it.
"""

import pytest

from application.errors import ConflictError
from application.gateway import Rejected, Unknown
from application.use_cases.actor import Actor
from application.use_cases.attention import AcknowledgeAttention, AcknowledgeAttentionCommand
from application.use_cases.charge_cycle import ChargeCycleCommand
from application.use_cases.complete_payment import CompletePaymentCommand
from application.use_cases.create_checkout import CreateCheckoutCommand, RetryCheckoutCommand
from application.use_cases.queries import SearchPayments, SearchPaymentsCommand
from application.use_cases.reconcile import ReconcileCommand
from application.use_cases.resolve_unknown import ListUnknownOutcomesQuery, ResolveCommand
from domain.status import CancellationStatus, OrderStatus, PaymentStatus
from tests.application.builders import (
    USER,
    CancelWhileCharging,
    Wiring,
    World,
    cycle_use_case,
    kst,
    paid_transitions,
    started,
    webhook,
)

OPERATOR = Actor(900, operator=True)


@pytest.fixture
def app(store, gateway, clock, ids, settings, channels) -> Wiring:
    return Wiring(store, gateway, clock, ids, settings, channels)


async def retried(app: Wiring):
    """An order whose first window was left (nobody paid, so far), and its second attempt."""
    first = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 10_000, "card", buyer_name="홍길동")
    )
    second = await app.retry_checkout.execute(RetryCheckoutCommand(first.order_id, USER))
    assert (await app.payment(first.merchant_uid)).status is PaymentStatus.FAILED
    return first, second


async def complete(app: Wiring, imp_uid: str, merchant_uid: str):
    return await app.complete.execute(CompletePaymentCommand(imp_uid, merchant_uid, USER))


def net_charged(gateway) -> int:
    """What the sponsor is out of pocket, by iamport's records."""
    return sum(p.amount - p.cancel_amount for p in gateway.payments.values())


async def cancellations_of(app: Wiring, payment_id: int):
    async with app.store() as uow:
        return await uow.cancellations.for_payment(payment_id)


async def test_old_window_paid_after_the_retry_was_paid_is_refunded_in_full(app, gateway):
    first, second = await retried(app)
    paid = gateway.plant_payment(second.merchant_uid, 10_000, pg_provider="nice")
    assert (await complete(app, paid.imp_uid, second.merchant_uid)).paid

    late = gateway.plant_payment(first.merchant_uid, 10_000, pg_provider="nice")  # old window
    result = await complete(app, late.imp_uid, first.merchant_uid)

    [cancel] = gateway.calls_of("cancel")
    assert (cancel.imp_uid, cancel.amount, cancel.checksum) == (late.imp_uid, 10_000, 10_000)
    assert cancel.reason == "중복 결제 자동 환불"
    assert gateway.payments[late.imp_uid].status == "cancelled"
    assert net_charged(gateway) == 10_000  # charged once
    old, new = await app.payment(first.merchant_uid), await app.payment(second.merchant_uid)
    assert (old.status, old.cancelled_amount) == (PaymentStatus.CANCELLED, 10_000)
    assert new.status is PaymentStatus.PAID
    assert result.order_status is OrderStatus.PAID
    assert (await app.order(first.order_id)).status is OrderStatus.PAID
    [row] = await cancellations_of(app, old.id)
    assert (row.status, row.requested_by, row.reason) == (
        CancellationStatus.SUCCEEDED,
        "system:duplicate",
        "중복 결제 자동 환불",
    )
    # recorded truthfully: the old attempt was paid, then refunded
    history = await app.history(first.order_id)
    assert len(paid_transitions(history)) == 2
    assert old.attention is None and new.attention is None  # repaired, nothing to report


async def test_the_same_through_the_webhook_after_complete(app, gateway):
    first, second = await retried(app)
    paid = gateway.plant_payment(second.merchant_uid, 10_000, pg_provider="nice")
    await complete(app, paid.imp_uid, second.merchant_uid)

    late = gateway.plant_payment(first.merchant_uid, 10_000, pg_provider="nice")
    await webhook(app, late.imp_uid, first.merchant_uid)
    await webhook(app, late.imp_uid, first.merchant_uid, status="cancelled")  # iamport's echo
    await complete(app, late.imp_uid, first.merchant_uid)  # the browser arrives last

    assert len(gateway.calls_of("cancel")) == 1
    assert net_charged(gateway) == 10_000
    assert (await app.payment(first.merchant_uid)).status is PaymentStatus.CANCELLED
    assert (await app.payment(second.merchant_uid)).status is PaymentStatus.PAID
    assert (await app.order(first.order_id)).status is OrderStatus.PAID


async def test_found_by_reconciliation_it_is_refunded_too(app, gateway, clock):
    first, second = await retried(app)
    paid = gateway.plant_payment(second.merchant_uid, 10_000, pg_provider="nice")
    await complete(app, paid.imp_uid, second.merchant_uid)
    gateway.plant_payment(first.merchant_uid, 10_000, pg_provider="nice")  # nobody told us
    clock.advance(minutes=1)

    await app.reconcile.execute(ReconcileCommand(clock.now().replace(hour=0), clock.now()))

    assert net_charged(gateway) == 10_000
    assert (await app.payment(first.merchant_uid)).status is PaymentStatus.CANCELLED
    assert (await app.order(first.order_id)).status is OrderStatus.PAID


async def test_refund_with_a_lost_answer_is_settled_by_the_janitor_and_the_order_stays_paid(
    app, gateway, clock
):
    first, second = await retried(app)
    paid = gateway.plant_payment(second.merchant_uid, 10_000, pg_provider="nice")
    await complete(app, paid.imp_uid, second.merchant_uid)
    late = gateway.plant_payment(first.merchant_uid, 10_000, pg_provider="nice")
    gateway.script("cancel", Unknown("read timeout"), apply=True)  # refunded, answer lost

    await complete(app, late.imp_uid, first.merchant_uid)
    old = await app.payment(first.merchant_uid)
    assert old.status is PaymentStatus.PAID  # until iamport's record says otherwise
    listed = await app.list_unknown.execute(ListUnknownOutcomesQuery())
    assert [(c.amount, c.requested_by) for c in listed.cancellations] == [
        (10_000, "system:duplicate")
    ]

    clock.advance(minutes=2)
    [resolution] = (await app.resolve_cancellations.execute(ResolveCommand())).resolutions
    assert resolution.outcome == "succeeded"
    assert (await app.payment(first.merchant_uid)).status is PaymentStatus.CANCELLED
    assert (await app.order(first.order_id)).status is OrderStatus.PAID
    assert net_charged(gateway) == 10_000


async def test_a_refused_refund_is_reported_to_operators(app, gateway, store):
    first, second = await retried(app)
    paid = gateway.plant_payment(second.merchant_uid, 10_000, pg_provider="nice")
    await complete(app, paid.imp_uid, second.merchant_uid)
    late = gateway.plant_payment(first.merchant_uid, 10_000, pg_provider="nice")
    gateway.script("cancel", Rejected("PG사 취소 실패", 1))

    await complete(app, late.imp_uid, first.merchant_uid)

    old = await app.payment(first.merchant_uid)
    assert old.status is PaymentStatus.PAID
    assert old.attention is not None and "PG사 취소 실패" in old.attention
    found = await SearchPayments(store).execute(SearchPaymentsCommand(attention_only=True))
    assert [p.id for p in found.payments] == [old.id]


async def test_a_second_paid_try_under_one_merchant_uid_is_kept_for_operators(app, gateway, store):
    first = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 10_000, "card", buyer_name="홍길동")
    )
    one = gateway.plant_payment(first.merchant_uid, 10_000, pg_provider="nice")
    await complete(app, one.imp_uid, first.merchant_uid)
    two = gateway.plant_payment(first.merchant_uid, 10_000, pg_provider="nice")  # same window

    await complete(app, two.imp_uid, first.merchant_uid)  # the browser, not the webhook

    payment = await app.payment(first.merchant_uid)
    assert payment.attention is not None and two.imp_uid in payment.attention
    found = await SearchPayments(store).execute(SearchPaymentsCommand(attention_only=True))
    assert [p.id for p in found.payments] == [payment.id]

    acknowledge = AcknowledgeAttention(store, app.clock)
    cleared = await acknowledge.execute(
        AcknowledgeAttentionCommand(OPERATOR, payment.id, "콘솔에서 두 번째 결제 취소함")
    )
    assert cleared.attention is None
    assert await SearchPayments(store).execute(SearchPaymentsCommand(attention_only=True)) == (
        type(found)(())
    )
    with pytest.raises(ConflictError):
        await acknowledge.execute(AcknowledgeAttentionCommand(OPERATOR, payment.id, "again"))
    [entry] = [h for h in await app.history(first.order_id) if h.event == "attention_acknowledged"]
    assert entry.cause == "operator:900" and entry.data["reason"] == "콘솔에서 두 번째 결제 취소함"


async def test_a_monthly_charge_paid_after_the_sponsor_cancelled_is_reported_not_refunded():
    w = World()
    order, _ = await started(w)
    w.clock.set(kst(2026, 4, 2, 10))
    racing = cycle_use_case(w, CancelWhileCharging(w, order.id))
    await racing.execute(ChargeCycleCommand(order.id))

    late = (await w.payments_of(order.id))[-1]
    assert late.status is PaymentStatus.ROUTINE_PAID
    assert (await w.order(order.id)).status is OrderStatus.ROUTINE_CANCELLED
    assert late.attention is not None and "ROUTINE_CANCELLED" in late.attention
    assert w.gateway.calls_of("cancel") == []  # a real cycle: an operator decides
    found = await SearchPayments(w.store).execute(SearchPaymentsCommand(attention_only=True))
    assert [p.id for p in found.payments] == [late.id]


async def test_a_late_paid_first_monthly_charge_of_a_failed_order_is_reported(
    settings, channels, gateway, clock
):
    from application.settlement import Settlement
    from domain.status import OrderType
    from tests.application.builders import cycle_attempt_of, monthly_order

    settle, now = Settlement(settings, channels), clock.now()
    order = monthly_order(1, now)
    payment = cycle_attempt_of(order, 10, now)
    settle.apply_charge(order, payment, Rejected("timeout at the PG", 1), now, "scheduler")
    settle.apply_unpaid_proof(order, payment, now, "scheduler", "not found")  # → order FAILED
    assert (order.type, order.status) == (OrderType.MONTHLY, OrderStatus.FAILED)

    late = gateway.plant_payment(payment.merchant_uid, 10_000, pg_provider="nice")
    result = settle.apply_record(order, payment, late, now, "janitor")

    assert payment.status is PaymentStatus.ROUTINE_PAID and order.status is OrderStatus.FAILED
    assert result.refund_duplicate is None and result.cancel_at_iamport is None
    assert result.changed and result.needs_operator is not None
    assert payment.attention == result.needs_operator and payment.attention_at == now
    again = settle.apply_record(order, payment, late, now, "webhook")
    assert not again.changed and payment.attention == result.needs_operator  # said once
