"""Outgoing events are written with the state change that means them (in-memory store)."""

import msgspec
import pytest

from adapters.events.schema import Event
from application.use_cases.actor import Actor
from application.use_cases.cards import DeleteCard, DeleteCardCommand
from application.use_cases.refund import RequestRefund, RequestRefundCommand
from application.use_cases.subscriptions import CancelSubscription, CancelSubscriptionCommand
from domain.errors import RefundRefused
from tests.application.builders import (
    USER,
    World,
    kst,
    registered_card,
    run_scheduler,
    settlement,
    started,
)

SPONSOR = Actor(USER)


def events(w: World) -> list:
    return [msgspec.json.decode(e.payload, type=Event) for e in w.store.outbox.values()]


def types(w: World) -> list[str]:
    return [e.type for e in w.store.outbox.values()]


async def refund(w: World, payment_id: int, amount: int | None = None):
    return await RequestRefund(
        w.store, w.gateway, w.clock, w.ids, w.settings, settlement(w), w.channels
    ).execute(RequestRefundCommand(SPONSOR, payment_id, "환불", amount=amount))


async def test_a_paid_payment_writes_payment_paid_with_its_snapshot():
    w = World()
    p = await w.paid_payment(amount=10_000, tax_free=1_000)

    (event,) = events(w)
    assert (type(event).__name__, event.version, event.data.payment_id, event.data.order_id) == (
        "PaymentPaid",
        1,
        p.id,
        p.order_id,
    )
    assert (event.data.amount, event.data.tax_free, event.data.status) == (10_000, 1_000, "paid")


async def test_partial_then_full_refund_writes_partially_refunded_then_cancelled():
    w = World()
    p = await w.paid_payment(amount=10_000)
    await refund(w, p.id, 4_000)
    await refund(w, p.id)

    assert types(w) == ["payment.paid", "payment.partially_refunded", "payment.cancelled"]
    assert [e.data.cancelled_amount for e in events(w)] == [0, 4_000, 10_000]


async def test_a_monthly_sponsorship_tells_its_whole_life():
    w = World()
    order, customer_uid = await started(w)  # card registered, first cycle paid
    w.gateway.declining[customer_uid] = "잔액부족"
    await run_scheduler(w, kst(2026, 4, 2, 10))  # cycle 2 declined: past due
    del w.gateway.declining[customer_uid]
    await run_scheduler(w, kst(2026, 4, 3, 10))  # the retry pays
    await CancelSubscription(w.store, w.clock).execute(CancelSubscriptionCommand(SPONSOR, order.id))

    assert types(w) == [
        "card.registered",
        "sponsorship.started",
        "payment.paid",
        "sponsorship.past_due",
        "payment.failed",
        "sponsorship.renewal_failed",
        "payment.paid",
        "sponsorship.renewed",
        "sponsorship.cancelled",
    ]
    renewed = events(w)[7]
    assert (renewed.data.order_id, renewed.data.cycle) == (order.id, 2)


async def test_exhausted_dunning_ends_the_sponsorship():
    w = World()
    order, customer_uid = await started(w)
    w.gateway.declining[customer_uid] = "잔액부족"
    w.clock.set(kst(2026, 4, 2, 10))
    while w.clock.now() < kst(2026, 5, 10):  # the scheduler runs every hour
        await run_scheduler(w)
        w.clock.advance(hours=1)

    assert types(w).count("sponsorship.renewal_failed") == 4  # the charge and 3 retries
    (ended,) = [e for e, t in zip(events(w), types(w), strict=True) if t == "sponsorship.ended"]
    assert (ended.data.order_id, ended.data.status) == (order.id, "routine_ended")


async def test_card_events_carry_only_the_masked_number():
    w = World()
    card = await registered_card(w, number="5365-1034-8291-4417")
    await DeleteCard(w.store, w.gateway, w.clock).execute(DeleteCardCommand(SPONSOR, card.id))

    assert types(w) == ["card.registered", "card.deleted"]
    assert all("5365103482914417" not in e.payload for e in w.store.outbox.values())
    assert all("8291" not in e.payload for e in w.store.outbox.values())


async def test_a_change_that_is_rolled_back_leaves_no_event():
    w = World()
    p = await w.paid_payment()
    async with w.store.uow() as uow:
        payment = await uow.payments.get(p.id, for_update=True)
        payment.record_refund(10_000, 0, w.clock.now(), "test")
        await uow.payments.save(payment)
        await uow.rollback()

    assert types(w) == ["payment.paid"]


async def test_a_refused_change_writes_no_event():
    w = World()
    p = await w.paid_payment(amount=1_000)
    with pytest.raises(RefundRefused):
        await refund(w, p.id, 5_000)

    assert types(w) == ["payment.paid"]


async def test_every_event_id_is_unique_and_equals_the_body_id():
    w = World()
    for _ in range(3):
        await w.paid_payment()

    ids = list(w.store.outbox)
    assert len(set(ids)) == 3 and [e.id for e in events(w)] == ids
