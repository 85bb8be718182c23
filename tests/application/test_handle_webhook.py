"""Webhooks: stored first, then synced from iamport's own record, exactly once."""

from datetime import timedelta

import pytest

from application.gateway import Unknown
from application.records import InboxState
from application.use_cases.complete_payment import CompletePaymentCommand
from application.use_cases.create_checkout import CreateCheckoutCommand
from application.use_cases.expire_unpaid import ExpireCommand
from application.use_cases.handle_webhook import (
    ProcessDueWebhooksCommand,
    ProcessWebhookCommand,
    ReceiveWebhookCommand,
)
from domain.status import OrderStatus, PaymentStatus
from tests.application.builders import USER, Wiring, paid_transitions, webhook


@pytest.fixture
def app(store, gateway, clock, ids, settings, channels) -> Wiring:
    return Wiring(store, gateway, clock, ids, settings, channels)


async def start(app: Wiring, method: str = "card"):
    return await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 10_000, method)
    )


async def complete(app: Wiring, imp_uid: str, merchant_uid: str):
    return await app.complete.execute(CompletePaymentCommand(imp_uid, merchant_uid, USER))


@pytest.mark.parametrize(
    "order_of_calls",
    [
        ("webhook", "complete"),
        ("complete", "webhook"),
        ("webhook", "webhook", "complete"),
        ("webhook",),
        ("webhook", "webhook"),
    ],
    ids=["before", "after", "twice-then-client", "instead", "twice-instead"],
)
async def test_history_shows_exactly_one_transition_to_paid(app, gateway, order_of_calls):
    co = await start(app)
    rec = gateway.plant_payment(co.merchant_uid, 10_000, pg_provider="nice")
    for call in order_of_calls:
        if call == "webhook":
            assert (await webhook(app, rec.imp_uid, co.merchant_uid)).state is InboxState.PROCESSED
        else:
            assert (await complete(app, rec.imp_uid, co.merchant_uid)).paid
    history = await app.history(co.order_id)
    assert len(paid_transitions(history)) == 1
    assert [h.to_status for h in history if h.entity == "order"] == [OrderStatus.PAID]


async def test_webhook_body_is_only_a_hint(app, gateway):
    co = await start(app)
    failed = gateway.plant_payment(co.merchant_uid, 10_000, status="failed", fail_reason="취소")
    result = await webhook(app, failed.imp_uid, co.merchant_uid, status="paid")  # it lies
    assert result.state is InboxState.PROCESSED
    assert (await app.payment(co.merchant_uid)).status is PaymentStatus.FAILED


async def test_unknown_merchant_uid_is_stored_and_flagged_for_operators(app, gateway):
    foreign = gateway.plant_payment("shop_other_20260302", 5_000, pg_provider="nice")
    result = await webhook(app, foreign.imp_uid, foreign.merchant_uid)
    assert result.state is InboxState.UNMATCHED
    async with app.store() as uow:
        [flagged] = await uow.webhooks.search(InboxState.UNMATCHED)
    assert flagged.merchant_uid == "shop_other_20260302" and flagged.source_ip == "52.78.100.19"
    assert "no payment of ours" in (flagged.last_error or "")


async def test_form_body_with_unknown_fields_is_accepted(app, gateway):
    co = await start(app)
    rec = gateway.plant_payment(co.merchant_uid, 10_000, pg_provider="nice")
    body = f"imp_uid={rec.imp_uid}&merchant_uid={co.merchant_uid}&status=paid&new_field=1"
    message_id = await app.receive_webhook.execute(
        ReceiveWebhookCommand(body, "application/x-www-form-urlencoded")
    )
    async with app.store() as uow:
        stored = await uow.webhooks.get(message_id)
    assert (stored.imp_uid, stored.status, stored.body) == (rec.imp_uid, "paid", body)
    garbage = await app.receive_webhook.execute(
        ReceiveWebhookCommand("{not json", "application/json")
    )
    assert (await app.process_webhook.execute(ProcessWebhookCommand(garbage))).state is (
        InboxState.UNMATCHED
    )


async def test_processing_failure_is_retried_later(app, gateway, clock):
    co = await start(app)
    rec = gateway.plant_payment(co.merchant_uid, 10_000, pg_provider="nice")
    gateway.script("get_payment", Unknown("503"))
    first = await webhook(app, rec.imp_uid, co.merchant_uid)
    assert first.state is InboxState.FAILED
    async with app.store() as uow:
        [failed] = await uow.webhooks.search(InboxState.FAILED)
    assert failed.next_attempt_at == clock.now() + timedelta(minutes=1)

    not_yet = await app.process_due_webhooks.execute(ProcessDueWebhooksCommand())
    assert not_yet.results == []
    clock.advance(minutes=1)
    due = await app.process_due_webhooks.execute(ProcessDueWebhooksCommand())
    assert due.count(InboxState.PROCESSED) == 1
    assert (await app.payment(co.merchant_uid)).status is PaymentStatus.PAID


async def test_vbank_issue_deposit_expiry_and_late_deposit(app, gateway, clock):
    co = await start(app, "vbank")
    due = clock.now() + timedelta(days=3)
    issued = gateway.plant_payment(
        co.merchant_uid,
        10_000,
        status="ready",
        pay_method="vbank",
        pg_provider="html5_inicis",
        vbank_code="004",
        vbank_name="KB국민은행",
        vbank_num="27690104123456",
        vbank_holder="（주）돌고",
        vbank_date=due,
    )
    await webhook(app, issued.imp_uid, co.merchant_uid, "ready")
    payment = await app.payment(co.merchant_uid)
    assert payment.status is PaymentStatus.READY
    assert (payment.vbank.bank_name, payment.vbank.number, payment.vbank.due_at) == (
        "KB국민은행",
        "27690104123456",
        due,
    )

    clock.set(due + timedelta(minutes=1))
    expired = await app.expire_vbanks.execute(ExpireCommand())
    assert expired.expired == [co.merchant_uid]
    assert (await app.payment(co.merchant_uid)).status is PaymentStatus.EXPIRED
    assert (await app.order(co.order_id)).status is OrderStatus.FAILED

    gateway.update_payment(issued.imp_uid, status="paid", paid_at=clock.now())  # late deposit
    await webhook(app, issued.imp_uid, co.merchant_uid, "paid")
    assert (await app.payment(co.merchant_uid)).status is PaymentStatus.PAID
    assert (await app.order(co.order_id)).status is OrderStatus.PAID
    orders = [
        (h.from_status, h.to_status) for h in await app.history(co.order_id) if h.entity == "order"
    ]
    assert orders == [
        (OrderStatus.ORDERED, OrderStatus.FAILED),
        (OrderStatus.FAILED, OrderStatus.PAID),
    ]


async def test_vbank_deposit_webhook_before_expiry(app, gateway, clock):
    co = await start(app, "vbank")
    issued = gateway.plant_payment(
        co.merchant_uid,
        10_000,
        status="ready",
        pay_method="vbank",
        pg_provider="kcp",
        vbank_num="1",
        vbank_date=clock.now() + timedelta(days=3),
    )
    await webhook(app, issued.imp_uid, co.merchant_uid, "ready")
    gateway.update_payment(issued.imp_uid, status="paid", paid_at=clock.now())
    await webhook(app, issued.imp_uid, co.merchant_uid, "paid")
    assert (await app.payment(co.merchant_uid)).status is PaymentStatus.PAID
    clock.advance(days=4)
    assert (await app.expire_vbanks.execute(ExpireCommand())).expired == []
