"""Operator repairs: re-running a stored webhook (idempotent, unmatched ones too) and settling
an unknown refund by hand with a mandatory reason."""

import json

import pytest

from application.errors import ApplicationError, ConflictError, NotFoundError
from application.gateway import Unknown
from application.records import InboxState
from application.use_cases.actor import Actor
from application.use_cases.create_checkout import CreateCheckoutCommand
from application.use_cases.handle_webhook import ProcessWebhookCommand, ReceiveWebhookCommand
from application.use_cases.refund import RequestRefund, RequestRefundCommand
from application.use_cases.reprocess_webhook import ReprocessWebhook, ReprocessWebhookCommand
from application.use_cases.settle_cancellation import (
    CancellationOutcome,
    SettleUnknownCancellation,
    SettleUnknownCancellationCommand,
)
from domain.status import CancellationStatus, OrderStatus, PaymentStatus
from tests.application.builders import OPERATOR, USER, Wiring, World, settlement

OPS = Actor(OPERATOR, operator=True)


@pytest.fixture
def app(store, gateway, clock, ids, settings, channels) -> Wiring:
    return Wiring(store, gateway, clock, ids, settings, channels)


def reprocess(app: Wiring) -> ReprocessWebhook:
    return ReprocessWebhook(app.store, app.process_webhook, app.clock)


async def early_webhook(app: Wiring):
    """A notification iamport sent before its own API shows the payment: unmatched."""
    co = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 10_000, "card")
    )
    body = json.dumps(
        {"imp_uid": "imp_990000000001", "merchant_uid": co.merchant_uid, "status": "paid"}
    )
    message_id = await app.receive_webhook.execute(ReceiveWebhookCommand(body, "application/json"))
    first = await app.process_webhook.execute(ProcessWebhookCommand(message_id))
    return co, message_id, first


async def test_an_unmatched_webhook_reprocessed_once_the_cause_is_fixed_settles_the_payment(
    app, gateway
):
    co, message_id, first = await early_webhook(app)
    gateway.plant_payment(co.merchant_uid, 10_000, imp_uid="imp_990000000001", pg_provider="nice")
    again = await reprocess(app).execute(ReprocessWebhookCommand(OPS, message_id))

    assert (first.state, again.result.state) == (InboxState.UNMATCHED, InboxState.PROCESSED)
    assert (await app.payment(co.merchant_uid)).status is PaymentStatus.PAID
    assert (again.message.reprocessed_by, again.message.attempts) == (f"operator:{OPERATOR}", 2)


async def test_reprocessing_a_processed_webhook_changes_nothing(app, gateway, store):
    co, message_id, _ = await early_webhook(app)
    gateway.plant_payment(co.merchant_uid, 10_000, imp_uid="imp_990000000001", pg_provider="nice")
    await reprocess(app).execute(ReprocessWebhookCommand(OPS, message_id))
    history, events = len(store.history), len(store.outbox)
    again = await reprocess(app).execute(ReprocessWebhookCommand(OPS, message_id))

    assert again.result.state is InboxState.PROCESSED
    assert (len(store.history), len(store.outbox)) == (history, events)


async def test_only_operators_reprocess_and_a_missing_message_is_not_found(app):
    _, message_id, _ = await early_webhook(app)
    with pytest.raises(NotFoundError):
        await reprocess(app).execute(ReprocessWebhookCommand(Actor(USER), message_id))
    with pytest.raises(NotFoundError):
        await reprocess(app).execute(ReprocessWebhookCommand(OPS, 999_999))


# -- a refund whose answer was lost ------------------------------------------------------------
async def lost_refund(w: World, *, iamport_did_it: bool):
    p = await w.paid_payment(amount=10_000)
    w.gateway.script("cancel", Unknown("read timeout"), apply=iamport_did_it)
    result = await RequestRefund(
        w.store, w.gateway, w.clock, w.ids, w.settings, settlement(w), w.channels
    ).execute(RequestRefundCommand(Actor(7), p.id, "후원 취소"))
    assert result.cancellation.status is CancellationStatus.UNKNOWN
    return p, result.cancellation


def settle(w: World, cancellation_id: int, to: CancellationOutcome, reason: str = "콘솔 확인"):
    return SettleUnknownCancellation(w.store, w.clock).execute(
        SettleUnknownCancellationCommand(OPS, cancellation_id, to, reason, "cxl_console")
    )


async def test_settled_as_succeeded_the_refund_is_booked_and_the_order_cancelled():
    w = World()
    p, cancellation = await lost_refund(w, iamport_did_it=True)
    result = await settle(w, cancellation.id, CancellationOutcome.SUCCEEDED)

    (entry,) = [h for h in w.store.history if h.entity == "cancellation" and h.to_status == 1]
    assert (result.cancellation.status, result.cancellation.cancellation_id) == (
        CancellationStatus.SUCCEEDED,
        "cxl_console",
    )
    assert (result.payment.status, (await w.order(p.order_id)).status) == (
        PaymentStatus.CANCELLED,
        OrderStatus.CANCELLED,
    )
    assert (entry.cause, entry.data["reason"]) == (f"operator:{OPERATOR}", "콘솔 확인")
    assert [e.type for e in w.store.outbox.values()][-1] == "payment.cancelled"


async def test_settled_as_rejected_nothing_is_refunded():
    w = World()
    p, cancellation = await lost_refund(w, iamport_did_it=False)
    result = await settle(w, cancellation.id, CancellationOutcome.REJECTED)

    assert (result.cancellation.status, result.payment.status, result.payment.refundable) == (
        CancellationStatus.REJECTED,
        PaymentStatus.PAID,
        10_000,
    )
    assert "콘솔 확인" in (result.cancellation.failure_message or "")


async def test_a_reason_is_mandatory_and_a_settled_refund_cannot_be_settled_again():
    w = World()
    _, cancellation = await lost_refund(w, iamport_did_it=False)
    with pytest.raises(ApplicationError) as missing:
        await settle(w, cancellation.id, CancellationOutcome.REJECTED, reason="  ")
    await settle(w, cancellation.id, CancellationOutcome.REJECTED)
    with pytest.raises(ConflictError):
        await settle(w, cancellation.id, CancellationOutcome.SUCCEEDED)

    assert missing.value.field == "reason"


async def test_only_operators_settle_refunds():
    w = World()
    _, cancellation = await lost_refund(w, iamport_did_it=False)
    with pytest.raises(NotFoundError):
        await SettleUnknownCancellation(w.store, w.clock).execute(
            SettleUnknownCancellationCommand(
                Actor(7), cancellation.id, CancellationOutcome.REJECTED, "x"
            )
        )
