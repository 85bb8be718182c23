"""Monthly sponsorship — spec §4.4: first charge, cycles, dunning, unknown vs declined."""

import asyncio
from datetime import timedelta

import pytest

from application.errors import NotFoundError
from application.gateway import NotAttempted, Rejected, Unknown
from application.use_cases.actor import Actor
from application.use_cases.cards import DeleteCard, DeleteCardCommand
from application.use_cases.charge_cycle import (
    ChargeCycleCommand,
    CycleAction,
)
from application.use_cases.subscriptions import (
    CancelSubscription,
    CancelSubscriptionCommand,
    ChangeSubscription,
    ChangeSubscriptionCommand,
    ListSubscriptions,
    ListSubscriptionsCommand,
)
from domain.card import CardInUse
from domain.order import Order
from domain.status import CardStatus, OrderStatus, PaymentStatus
from tests.application.builders import (
    OTHER_USER,
    USER,
    CancelWhileCharging,
    World,
    charges,
    cycle_use_case,
    kst,
    registered_card,
    run_scheduler,
    start,
    started,
)

SPONSOR = Actor(USER)


async def make_due_now(w: World, order_id: int) -> None:
    """Test setup only: something (an operator, a clock jump) made the sponsorship due."""
    order = w.store.orders[order_id]
    assert order.subscription is not None
    order.subscription.next_charge_at = w.clock.now()


# -- starting ------------------------------------------------------------------------------------
async def test_first_charge_paid_makes_the_sponsorship_routine_with_the_next_cycle_scheduled():
    w = World()  # 2026-03-02 10:00 KST
    order, _ = await started(w, billing_day=15)
    stored = await w.order(order.id)
    assert (stored.status, stored.subscription.next_charge_at) == (
        OrderStatus.ROUTINE,
        kst(2026, 4, 15, 10),
    )


async def test_first_charge_declined_fails_the_order():
    w = World()
    card = await registered_card(w)
    w.gateway.declining[card.keys[0].customer_uid] = "잔액부족"
    result = await start(w, card.id)
    assert (result.order.status, result.fail_reason) == (OrderStatus.FAILED, "잔액부족")


async def test_first_charge_unknown_leaves_the_order_ordered_and_the_payment_requested():
    w = World()
    card = await registered_card(w)
    w.gateway.script("charge_billing_key", Unknown("read timeout"))
    result = await start(w, card.id)
    assert (result.order.status, result.payment.status) == (
        OrderStatus.ORDERED,
        PaymentStatus.REQUESTED,
    )


# -- calendar --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start_at", "due"),
    [
        (kst(2026, 1, 31, 10), kst(2026, 2, 28, 10)),
        (kst(2028, 1, 31, 10), kst(2028, 2, 29, 10)),  # leap year
    ],
)
async def test_billing_day_31_falls_on_the_last_day_of_february_at_the_charge_hour_in_seoul(
    start_at, due
):
    w = World()
    w.clock.set(start_at)
    order, _ = await started(w, billing_day=31)
    assert (await w.order(order.id)).subscription.next_charge_at == due


async def test_the_scheduler_charges_at_the_configured_seoul_hour_not_at_midnight():
    w = World()
    w.clock.set(kst(2026, 1, 31, 10))
    order, _ = await started(w, billing_day=31)

    await run_scheduler(w, kst(2026, 2, 28, 9, 59))
    before = len(charges(w))
    await run_scheduler(w, kst(2026, 2, 28, 10, 0))
    assert (before, [c.merchant_uid for c in charges(w)][1:]) == (1, [f"dp{order.id}c2a1"])


async def test_after_february_the_billing_day_31_comes_back_in_march():
    w = World()
    w.clock.set(kst(2026, 1, 31, 10))
    order, _ = await started(w, billing_day=31)
    await run_scheduler(w, kst(2026, 2, 28, 10))
    assert (await w.order(order.id)).subscription.next_charge_at == kst(2026, 3, 31, 10)


# -- changes -------------------------------------------------------------------------------------
async def test_amount_change_applies_from_the_next_cycle():
    w = World()
    order, _ = await started(w, billing_day=2)
    await ChangeSubscription(w.store, w.clock).execute(
        ChangeSubscriptionCommand(SPONSOR, order.id, amount=20_000)
    )
    await run_scheduler(w, kst(2026, 4, 2, 10))

    assert [p.amount.total for p in await w.payments_of(order.id)] == [10_000, 20_000]


async def test_billing_day_change_moves_the_next_charge_within_its_month():
    w = World()
    order, _ = await started(w, billing_day=2)
    await ChangeSubscription(w.store, w.clock).execute(
        ChangeSubscriptionCommand(SPONSOR, order.id, billing_day=20)
    )
    assert (await w.order(order.id)).subscription.next_charge_at == kst(2026, 4, 20, 10)


async def change_billing_day(w: World, order_id: int, day: int, at) -> Order:
    w.clock.set(at)
    await ChangeSubscription(w.store, w.clock).execute(
        ChangeSubscriptionCommand(SPONSOR, order_id, billing_day=day)
    )
    return await w.order(order_id)


async def test_a_billing_day_already_past_in_its_month_moves_the_charge_to_the_next_month():
    """Day 31 → 5 on Apr 10 (next charge Apr 30): Apr 5 is past, so May 5, not at once."""
    w = World()
    w.clock.set(kst(2026, 3, 31, 10))
    order, _ = await started(w, billing_day=31)
    changed = await change_billing_day(w, order.id, 5, kst(2026, 4, 10, 12))
    await run_scheduler(w, kst(2026, 4, 10, 13))

    assert (changed.subscription.next_charge_at, len(charges(w))) == (kst(2026, 5, 5, 10), 1)


async def test_a_billing_day_change_never_skips_a_cycle_already_due():
    """Apr 30's cycle is due but not yet charged (the scheduler was down) when the day moves to
    5 on May 1: it is charged at the next run, and May's cycle on May 5."""
    w = World()
    w.clock.set(kst(2026, 3, 31, 10))
    order, _ = await started(w, billing_day=31)
    changed = await change_billing_day(w, order.id, 5, kst(2026, 5, 1, 9))
    await run_scheduler(w, kst(2026, 5, 1, 10))

    stored = await w.order(order.id)
    assert (
        changed.subscription.next_charge_at,
        [c.merchant_uid for c in charges(w)][1:],
        stored.subscription.next_charge_at,
    ) == (kst(2026, 4, 30, 10), [f"dp{order.id}c2a1"], kst(2026, 5, 5, 10))


async def test_the_card_can_only_move_to_one_of_the_sponsors_active_cards():
    w = World()
    order, _ = await started(w)
    foreign = await registered_card(w, OTHER_USER)
    with pytest.raises(NotFoundError):
        await ChangeSubscription(w.store, w.clock).execute(
            ChangeSubscriptionCommand(SPONSOR, order.id, card_id=foreign.id)
        )


async def test_a_card_paying_a_sponsorship_cannot_be_deleted_until_it_moves_to_another_card():
    w = World()
    order, _ = await started(w)
    first_card = (await w.order(order.id)).subscription.card_id
    delete = DeleteCard(w.store, w.gateway, w.clock)
    with pytest.raises(CardInUse):
        await delete.execute(DeleteCardCommand(SPONSOR, first_card))

    second = await registered_card(w, number="4111-1111-1111-1111")
    await ChangeSubscription(w.store, w.clock).execute(
        ChangeSubscriptionCommand(SPONSOR, order.id, card_id=second.id)
    )
    result = await delete.execute(DeleteCardCommand(SPONSOR, first_card))
    assert result.card.status is CardStatus.DELETED


async def test_the_next_cycle_is_charged_on_the_new_card():
    w = World()
    order, _ = await started(w)
    second = await registered_card(w, number="4111-1111-1111-1111")
    await ChangeSubscription(w.store, w.clock).execute(
        ChangeSubscriptionCommand(SPONSOR, order.id, card_id=second.id)
    )
    await run_scheduler(w, kst(2026, 4, 2, 10))
    assert charges(w)[-1].customer_uid == second.keys[0].customer_uid


# -- cancel --------------------------------------------------------------------------------------
async def test_cancelled_sponsorship_is_not_charged_again_and_past_cycles_stay_paid():
    w = World()
    order, _ = await started(w)
    await CancelSubscription(w.store, w.clock).execute(CancelSubscriptionCommand(SPONSOR, order.id))
    await run_scheduler(w, kst(2026, 4, 2, 10))

    (first,) = await w.payments_of(order.id)
    assert ((await w.order(order.id)).status, first.status, len(charges(w))) == (
        OrderStatus.ROUTINE_CANCELLED,
        PaymentStatus.ROUTINE_PAID,
        1,
    )


async def test_another_users_sponsorship_cannot_be_cancelled():
    w = World()
    order, _ = await started(w)
    with pytest.raises(NotFoundError):
        await CancelSubscription(w.store, w.clock).execute(
            CancelSubscriptionCommand(Actor(OTHER_USER), order.id)
        )


async def test_a_cancel_racing_an_in_flight_charge_leaves_both_recorded_truthfully():
    w = World()
    order, _ = await started(w)
    w.clock.set(kst(2026, 4, 2, 10))
    racing = cycle_use_case(w, CancelWhileCharging(w, order.id))
    await racing.execute(ChargeCycleCommand(order.id))

    second = (await w.payments_of(order.id))[-1]
    assert ((await w.order(order.id)).status, second.cycle, second.status) == (
        OrderStatus.ROUTINE_CANCELLED,
        2,
        PaymentStatus.ROUTINE_PAID,
    )


async def test_list_shows_the_users_sponsorships():
    w = World()
    order, _ = await started(w)
    listed = await ListSubscriptions(w.store).execute(ListSubscriptionsCommand(USER))
    others = await ListSubscriptions(w.store).execute(ListSubscriptionsCommand(OTHER_USER))
    assert ([o.id for o in listed.orders], others.orders) == ([order.id], ())


# -- dunning ---------------------------------------------------------------------------------------
async def test_a_declined_cycle_is_retried_after_1_3_and_7_days_then_the_sponsorship_ends():
    w = World()
    order, customer_uid = await started(w)
    w.gateway.declining[customer_uid] = "잔액부족"
    w.clock.set(kst(2026, 4, 2, 10))
    while w.clock.now() < kst(2026, 5, 10):  # the scheduler runs every hour
        await run_scheduler(w)
        w.clock.advance(hours=1)

    cycle2 = [p for p in await w.payments_of(order.id) if p.cycle == 2]
    gaps = [(b.requested_at - a.requested_at) for a, b in zip(cycle2, cycle2[1:], strict=False)]
    assert (gaps, (await w.order(order.id)).status) == (
        [timedelta(days=1), timedelta(days=3), timedelta(days=7)],
        OrderStatus.ROUTINE_ENDED,
    )


async def test_a_declined_cycle_goes_past_due_until_a_retry_pays():
    w = World()
    order, customer_uid = await started(w)
    w.gateway.declining[customer_uid] = "잔액부족"
    await run_scheduler(w, kst(2026, 4, 2, 10))
    past_due = (await w.order(order.id)).status
    del w.gateway.declining[customer_uid]
    await run_scheduler(w, kst(2026, 4, 3, 10))

    stored = await w.order(order.id)
    assert (past_due, stored.status, stored.subscription.next_charge_at) == (
        OrderStatus.ROUTINE_PAST_DUE,
        OrderStatus.ROUTINE,
        kst(2026, 5, 2, 10),
    )


async def test_retries_of_a_cycle_have_deterministic_merchant_uids():
    w = World()
    order, customer_uid = await started(w)
    w.gateway.declining[customer_uid] = "잔액부족"
    await run_scheduler(w, kst(2026, 4, 2, 10))
    await run_scheduler(w, kst(2026, 4, 3, 10))
    assert [c.merchant_uid for c in charges(w)] == [
        f"dp{order.id}c1a1",
        f"dp{order.id}c2a1",
        f"dp{order.id}c2a2",
    ]


async def test_a_refused_connection_is_known_unpaid_but_no_decline_so_no_dunning():
    """The PG never saw the charge: nothing is known of the card, so the cycle is retried after
    the first backoff step and the sponsorship stays ROUTINE (spec §4.9)."""
    w = World()
    order, _ = await started(w)
    w.gateway.script("charge_billing_key", NotAttempted("connection refused"))
    due = kst(2026, 4, 2, 10)
    await run_scheduler(w, due)
    stored = await w.order(order.id)
    failed = (await w.payments_of(order.id))[-1]
    assert (stored.status, stored.subscription.next_charge_at) == (
        OrderStatus.ROUTINE,
        due + timedelta(minutes=1),
    )
    assert (failed.status, failed.unpaid_proven) == (PaymentStatus.FAILED, True)

    await run_scheduler(w, due + timedelta(minutes=1))
    assert [p.status for p in await w.payments_of(order.id)][-2:] == [
        PaymentStatus.FAILED,
        PaymentStatus.ROUTINE_PAID,
    ]


# -- unknown and rejected: never a new attempt before the previous one is known unpaid ---------------
async def test_an_unknown_charge_iamport_never_received_is_proven_so_and_the_cycle_charged_once():
    w = World()
    order, _ = await started(w)
    w.gateway.script("charge_billing_key", Unknown("read timeout"))  # iamport saw nothing
    due = kst(2026, 4, 2, 10)
    await run_scheduler(w, due)
    assert (await w.order(order.id)).subscription.next_charge_at == due + timedelta(minutes=1)

    await run_scheduler(w, due + timedelta(minutes=1))  # first check: not found is no proof
    [_, lost] = await w.payments_of(order.id)
    assert lost.status is PaymentStatus.REQUESTED and len(charges(w)) == 2
    assert (await w.order(order.id)).subscription.next_charge_at == lost.unknown.next_check_at

    await run_scheduler(w, due + timedelta(minutes=6))  # confirmed: never attempted; charged
    [_, lost, retry] = await w.payments_of(order.id)
    assert (lost.status, lost.unpaid_proven) == (PaymentStatus.FAILED, True)
    assert retry.merchant_uid == f"dp{order.id}c2a2"
    assert retry.status is PaymentStatus.ROUTINE_PAID
    stored = await w.order(order.id)
    assert stored.status is OrderStatus.ROUTINE  # a lost call is no decline: no dunning
    assert stored.subscription.next_charge_at == kst(2026, 5, 2, 10)
    assert len(charges(w)) == 3


async def test_an_unknown_charge_is_not_retried_while_iamport_does_not_answer():
    w = World()
    order, _ = await started(w)
    w.gateway.script("charge_billing_key", Unknown("read timeout"))
    await run_scheduler(w, kst(2026, 4, 2, 10))
    for day in (1, 3, 7, 40):
        w.gateway.script("find_all_payments", Unknown("502"))
        await run_scheduler(w, kst(2026, 4, 2, 10) + timedelta(days=day))

    last = (await w.payments_of(order.id))[-1]
    assert (len(charges(w)), last.status, last.unknown is not None) == (
        2,
        PaymentStatus.REQUESTED,
        True,
    )


async def test_a_due_order_with_an_unknown_charge_looks_it_up_and_waits_without_an_answer():
    w = World()
    order, _ = await started(w)
    w.gateway.script("charge_billing_key", Unknown("read timeout"))
    await run_scheduler(w, kst(2026, 4, 2, 10))
    w.clock.advance(hours=1)
    await make_due_now(w, order.id)
    w.gateway.script("find_payment", Unknown("502"))

    result = await cycle_use_case(w).execute(ChargeCycleCommand(order.id))
    last = (await w.payments_of(order.id))[-1]
    assert (result.action, len(charges(w)), last.status) == (
        CycleAction.WAITING,
        2,
        PaymentStatus.REQUESTED,
    )


async def test_an_unknown_charge_found_paid_is_settled_without_a_new_attempt():
    w = World()
    order, _ = await started(w)
    w.gateway.script("charge_billing_key", Unknown("read timeout"), apply=True)  # charged
    await run_scheduler(w, kst(2026, 4, 2, 10))
    w.clock.advance(hours=1)
    await make_due_now(w, order.id)

    result = await cycle_use_case(w).execute(ChargeCycleCommand(order.id))
    assert (result.action, result.payment.status, len(charges(w))) == (
        CycleAction.PREVIOUS_PAID,
        PaymentStatus.ROUTINE_PAID,
        2,
    )


async def test_an_unknown_charge_proven_unpaid_is_retried_on_the_dunning_schedule():
    w = World()
    order, _ = await started(w)
    w.gateway.script("charge_billing_key", Unknown("read timeout"))  # never reached the PG
    await run_scheduler(w, kst(2026, 4, 2, 10))
    w.clock.advance(hours=1)
    await make_due_now(w, order.id)
    await cycle_use_case(w).execute(ChargeCycleCommand(order.id))  # lookup: no paid try
    await run_scheduler(w, kst(2026, 4, 3, 11))

    assert [c.merchant_uid for c in charges(w)][1:] == [f"dp{order.id}c2a1", f"dp{order.id}c2a2"]


async def test_a_rejected_charge_gets_a_new_attempt_only_after_a_lookup_proves_it_unpaid():
    w = World()
    order, _ = await started(w)
    w.gateway.calls.clear()
    w.gateway.script("charge_billing_key", Rejected("PG 통신 오류", 1))
    w.gateway.script("find_payment", Unknown("502"))  # the immediate lookup gets no answer
    await run_scheduler(w, kst(2026, 4, 2, 10))
    for minutes in range(0, 3 * 24 * 60, 30):  # the scheduler runs every 30 minutes
        await run_scheduler(w, kst(2026, 4, 2, 10) + timedelta(minutes=minutes))

    ops = [op for op, _ in w.gateway.calls if op in ("charge_billing_key", "find_payment")]
    assert ops[:4] == ["charge_billing_key", "find_payment", "find_payment", "charge_billing_key"]


async def test_a_rejected_charge_found_paid_is_settled_without_a_new_attempt():
    w = World()
    order, _ = await started(w)
    w.gateway.script("charge_billing_key", Rejected("중복 요청", 1), apply=True)
    await run_scheduler(w, kst(2026, 4, 2, 10))

    last = (await w.payments_of(order.id))[-1]
    assert (last.status, len(charges(w))) == (PaymentStatus.ROUTINE_PAID, 2)


async def test_two_schedulers_racing_on_one_order_charge_it_once():
    w = World()
    order, _ = await started(w)
    w.clock.set(kst(2026, 4, 2, 10))
    one, two = cycle_use_case(w), cycle_use_case(w)
    results = await asyncio.gather(
        one.execute(ChargeCycleCommand(order.id)), two.execute(ChargeCycleCommand(order.id))
    )
    actions = [r.action for r in results]
    assert (actions.count(CycleAction.CHARGED), len(charges(w))) == (1, 2)


# -- the next cycle follows the cycle's own due date, not the day its payment landed -----------------
async def test_a_dunning_retry_paid_in_the_next_month_keeps_that_months_cycle():
    """Billing day 28: January's cycle declined, recovered Feb 1 → February is still charged."""
    w = World()
    w.clock.set(kst(2025, 12, 28, 10))
    order, customer_uid = await started(w, billing_day=28)
    w.gateway.declining[customer_uid] = "잔액부족"
    await run_scheduler(w, kst(2026, 1, 28, 10))  # declined → retry Jan 29
    await run_scheduler(w, kst(2026, 1, 29, 10))  # declined → retry Feb 1
    del w.gateway.declining[customer_uid]
    await run_scheduler(w, kst(2026, 2, 1, 10))  # paid in February

    stored = await w.order(order.id)
    await run_scheduler(w, kst(2026, 2, 28, 10))
    assert (stored.status, stored.subscription.next_charge_at, charges(w)[-1].merchant_uid) == (
        OrderStatus.ROUTINE,
        kst(2026, 2, 28, 10),
        f"dp{order.id}c3a1",
    )


async def test_a_cycle_charged_late_across_the_seoul_month_end_keeps_the_next_one():
    """A scheduler outage: the Jan 31 cycle is charged Feb 1 00:30 KST (still Jan 31 in UTC)."""
    w = World()
    w.clock.set(kst(2025, 12, 31, 10))
    order, _ = await started(w, billing_day=31)
    await run_scheduler(w, kst(2026, 2, 1, 0, 30))

    stored = await w.order(order.id)
    assert (stored.subscription.cycle, stored.subscription.next_charge_at) == (
        2,
        kst(2026, 2, 28, 10),
    )


async def test_a_recovery_after_the_next_due_date_charges_that_cycle_at_the_next_run():
    """Billing day 28, the scheduler down from Jan 28 to Mar 1: February is not skipped."""
    w = World()
    w.clock.set(kst(2025, 12, 28, 10))
    order, _ = await started(w, billing_day=28)
    await run_scheduler(w, kst(2026, 3, 1, 9))  # January's cycle, late
    after_january = (await w.order(order.id)).subscription.next_charge_at
    await run_scheduler(w, kst(2026, 3, 1, 10))  # February's, at the next run

    stored = await w.order(order.id)
    assert (
        after_january,
        [c.merchant_uid for c in charges(w)][1:],
        stored.subscription.next_charge_at,
    ) == (
        kst(2026, 2, 28, 10),
        [f"dp{order.id}c2a1", f"dp{order.id}c3a1"],
        kst(2026, 3, 28, 10),
    )
