"""CompletePayment: the browser's word checked against iamport's record."""

import asyncio

import pytest

from application.errors import NotFoundError, VerificationFailed
from application.gateway import Unknown
from application.use_cases.complete_payment import CompletePaymentCommand
from application.use_cases.create_checkout import CreateCheckoutCommand, RetryCheckoutCommand
from application.use_cases.resolve_unknown import ListUnknownOutcomesQuery, ResolveCommand
from domain.status import CancellationStatus, OrderStatus, PaymentStatus
from tests.application.builders import USER, Wiring, paid_transitions


@pytest.fixture
def app(store, gateway, clock, ids, settings, channels) -> Wiring:
    return Wiring(store, gateway, clock, ids, settings, channels)


async def start(app: Wiring, method: str = "card", amount: int = 10_000):
    return await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", amount, method, buyer_name="홍길동")
    )


def pay(gateway, checkout, **fields):
    """The sponsor pays in the PG window: iamport now holds the payment."""
    fields.setdefault("pg_provider", "nice")
    amount = fields.pop("amount", checkout.request_pay.amount)
    return gateway.plant_payment(checkout.merchant_uid, amount, **fields)


async def test_paid_payment_is_verified_and_settled(app, gateway):
    co = await start(app)
    rec = pay(gateway, co)
    result = await app.complete.execute(CompletePaymentCommand(rec.imp_uid, co.merchant_uid, USER))
    assert result.paid and result.order_status is OrderStatus.PAID
    payment = await app.payment(co.merchant_uid)
    assert payment.imp_uid == rec.imp_uid and payment.paid_at is not None


async def test_someone_elses_or_unknown_merchant_uid_is_not_found(app, gateway):
    co = await start(app)
    rec = pay(gateway, co)
    with pytest.raises(NotFoundError):
        await app.complete.execute(CompletePaymentCommand(rec.imp_uid, co.merchant_uid, USER + 1))
    with pytest.raises(NotFoundError):
        await app.complete.execute(CompletePaymentCommand(rec.imp_uid, "dp999a1", USER))
    assert (await app.payment(co.merchant_uid)).status is PaymentStatus.REQUESTED


async def test_imp_uid_of_another_order_is_refused_touching_and_cancelling_nothing(app, gateway):
    mine, other = await start(app), await start(app)
    genuine_other = pay(gateway, other)
    with pytest.raises(VerificationFailed):
        await app.complete.execute(
            CompletePaymentCommand(genuine_other.imp_uid, mine.merchant_uid, USER)
        )
    assert (await app.payment(mine.merchant_uid)).status is PaymentStatus.REQUESTED
    assert (await app.payment(other.merchant_uid)).status is PaymentStatus.REQUESTED
    assert gateway.calls_of("cancel") == []
    assert await app.history(mine.order_id) == []


async def test_forged_amount_is_failed_with_evidence_and_cancelled_at_iamport(app, gateway):
    co = await start(app, amount=50_000)
    forged = pay(gateway, co, amount=500)  # the browser was tampered with
    result = await app.complete.execute(
        CompletePaymentCommand(forged.imp_uid, co.merchant_uid, USER)
    )
    assert result.payment_status is PaymentStatus.FAILED
    assert result.refused_rule == "amount" and result.forgery_cancelled is True
    [cancel] = gateway.calls_of("cancel")
    assert (cancel.imp_uid, cancel.amount, cancel.checksum) == (forged.imp_uid, 500, 500)
    assert cancel.reason == "위변조 의심: 금액 불일치"
    assert gateway.payments[forged.imp_uid].status == "cancelled"
    assert result.order_status is OrderStatus.ORDERED
    failed = [h for h in await app.history(co.order_id) if h.to_status == PaymentStatus.FAILED]
    assert (failed[0].data["expected_amount"], failed[0].data["amount"]) == (50_000, 500)


async def test_forgery_cancel_with_lost_answer_is_resolved_by_the_janitor(app, gateway, clock):
    co = await start(app, amount=50_000)
    forged = pay(gateway, co, amount=500)
    gateway.script("cancel", Unknown("read timeout"), apply=True)  # cancelled, answer lost
    result = await app.complete.execute(
        CompletePaymentCommand(forged.imp_uid, co.merchant_uid, USER)
    )
    assert result.forgery_cancelled is False
    listed = await app.list_unknown.execute(ListUnknownOutcomesQuery())
    assert [c.amount for c in listed.cancellations] == [500]

    clock.advance(minutes=2)
    [resolution] = (await app.resolve_cancellations.execute(ResolveCommand())).resolutions
    assert resolution.outcome == "succeeded"
    async with app.store() as uow:
        payment = await uow.payments.get_by_merchant_uid(co.merchant_uid)
        [row] = await uow.cancellations.for_payment(payment.id)
    assert row.status is CancellationStatus.SUCCEEDED
    assert payment.status is PaymentStatus.FAILED and payment.cancelled_amount == 0


async def test_an_order_whose_forged_try_was_cancelled_can_be_retried(app, gateway):
    from application.use_cases.create_checkout import RetryCheckoutCommand

    co = await start(app, amount=50_000)
    forged = pay(gateway, co, amount=500)
    result = await app.complete.execute(
        CompletePaymentCommand(forged.imp_uid, co.merchant_uid, USER)
    )
    assert result.forgery_cancelled is True
    assert (await app.payment(co.merchant_uid)).unpaid_proven  # the 500 KRW went back

    retry = await app.retry_checkout.execute(RetryCheckoutCommand(co.order_id, USER))
    assert retry.merchant_uid == f"dp{co.order_id}a2"


async def test_a_forged_try_whose_cancel_answer_was_lost_is_retryable_once_resolved(
    app, gateway, clock
):
    from application.use_cases.create_checkout import RetryCheckoutCommand

    co = await start(app, amount=50_000)
    forged = pay(gateway, co, amount=500)
    gateway.script("cancel", Unknown("read timeout"), apply=True)
    await app.complete.execute(CompletePaymentCommand(forged.imp_uid, co.merchant_uid, USER))
    assert not (await app.payment(co.merchant_uid)).unpaid_proven  # not yet known

    clock.advance(minutes=2)
    await app.resolve_cancellations.execute(ResolveCommand())
    assert (await app.payment(co.merchant_uid)).unpaid_proven
    retry = await app.retry_checkout.execute(RetryCheckoutCommand(co.order_id, USER))
    assert retry.merchant_uid == f"dp{co.order_id}a2"


async def test_lookup_without_answer_leaves_the_payment_pending_confirmation(app, gateway):
    co = await start(app)
    rec = pay(gateway, co)
    gateway.script("get_payment", Unknown("read timeout"))
    result = await app.complete.execute(CompletePaymentCommand(rec.imp_uid, co.merchant_uid, USER))
    assert result.pending_confirmation and result.payment_status is PaymentStatus.REQUESTED
    assert await app.history(co.order_id) == []


async def test_card_window_in_ready_is_abandoned_and_the_sponsor_may_retry(app, gateway):
    co = await start(app)
    left = pay(gateway, co, status="ready")
    result = await app.complete.execute(CompletePaymentCommand(left.imp_uid, co.merchant_uid, USER))
    assert result.payment_status is PaymentStatus.FAILED
    assert result.order_status is OrderStatus.ORDERED
    retry = await app.retry_checkout.execute(RetryCheckoutCommand(co.order_id, USER))
    assert retry.merchant_uid == f"dp{co.order_id}a2"


async def test_test_channel_payment_refused_in_production(store, gateway, clock, ids, channels):
    from application.settings import PaymentSettings

    app = Wiring(store, gateway, clock, ids, PaymentSettings(production=True), channels)
    co = await start(app)
    rec = pay(gateway, co, pg_id="test")
    result = await app.complete.execute(CompletePaymentCommand(rec.imp_uid, co.merchant_uid, USER))
    assert result.refused_rule == "test_channel" and not result.paid


async def test_two_concurrent_completes_make_one_transition_to_paid(app, gateway):
    co = await start(app)
    rec = pay(gateway, co)
    command = CompletePaymentCommand(rec.imp_uid, co.merchant_uid, USER)
    first, second = await asyncio.gather(
        app.complete.execute(command), app.complete.execute(command)
    )
    assert first.paid and second.paid
    history = await app.history(co.order_id)
    assert len(paid_transitions(history)) == 1
    assert len([h for h in history if h.entity == "order"]) == 1
    async with app.store() as uow:
        assert len(await uow.payments.for_order(co.order_id)) == 1
