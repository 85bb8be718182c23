"""The repository / unit-of-work contract, run on the in-memory fakes, SQLite and MariaDB."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from application.ports import ConcurrentUpdate, OrderFilter, Page, PaymentFilter
from application.records import IdempotencyState, InboxState, ReconcileItem, ReconcileReport
from domain.payment import SettledFacts, UnknownOutcome
from domain.status import (
    CancellationStatus,
    CardStatus,
    OrderStatus,
    OrderType,
    PaymentStatus,
)
from tests.persistence import builders as b
from tests.persistence.builders import T0, state


async def add_order(uow_factory, **kw):
    order = b.order(**kw)
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.commit()
    return order


async def add_payment(uow_factory, order_id=None, **kw):
    if order_id is None:
        order_id = (await add_order(uow_factory)).id
    payment = b.payment(order_id, **kw)
    async with uow_factory() as uow:
        await uow.payments.add(payment)
        await uow.commit()
    return payment


# -- unit of work ------------------------------------------------------------------------------


async def test_uncommitted_work_is_rolled_back(uow_factory):
    order = b.order()
    async with uow_factory() as uow:
        await uow.orders.add(order)
    async with uow_factory() as uow:
        assert await uow.orders.get(order.id) is None


async def test_explicit_rollback_discards_and_the_uow_stays_usable(uow_factory):
    first, second = b.order(), b.order()
    async with uow_factory() as uow:
        await uow.orders.add(first)
        await uow.rollback()
        await uow.orders.add(second)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.orders.get(first.id) is None
        assert await uow.orders.get(second.id) is not None


async def test_a_uow_can_commit_twice(uow_factory):
    """Record the intent, commit, (call iamport), apply the outcome, commit: one UoW."""
    order = b.order()
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.commit()
        loaded = await uow.orders.get(order.id, for_update=True)
        loaded.paid(T0, "client")
        await uow.orders.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.orders.get(order.id)).status is OrderStatus.PAID


# -- orders ------------------------------------------------------------------------------------


async def test_order_round_trip(uow_factory):
    order = await add_order(uow_factory)
    async with uow_factory() as uow:
        loaded = await uow.orders.get(order.id)
    assert state(loaded) == state(order)
    assert loaded.created_at.tzinfo is not None


async def test_monthly_order_round_trip_keeps_the_subscription(uow_factory):
    order = b.monthly_order(card_id=b.new_id())
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.orders.get(order.id)
    assert state(loaded) == state(order)
    assert loaded.subscription == order.subscription
    assert loaded.subscription.next_charge_at.tzinfo is not None


async def test_missing_order_is_none(uow_factory):
    async with uow_factory() as uow:
        assert await uow.orders.get(b.new_id()) is None
        assert await uow.orders.get(b.new_id(), for_update=True) is None


async def test_adding_an_existing_id_is_a_concurrent_update(uow_factory):
    order = await add_order(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises(ConcurrentUpdate):
            await uow.orders.add(b.order(id=order.id))


async def test_save_persists_bumps_the_version_and_appends_history(uow_factory):
    order = await add_order(uow_factory)
    async with uow_factory() as uow:
        loaded = await uow.orders.get(order.id, for_update=True)
        loaded.paid(T0 + timedelta(minutes=2), "webhook", {"imp_uid": "imp_1", "금액": 10000})
        pending = list(loaded.pending_history)
        await uow.orders.save(loaded)
        assert loaded.pending_history == []
        assert loaded.version == 1
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.orders.get(order.id)
        history = await uow.history.for_entity("order", order.id)
    assert again.status is OrderStatus.PAID and again.version == 1
    assert history == pending
    assert history[0].data == {"imp_uid": "imp_1", "금액": 10000}


async def test_a_transaction_reads_its_own_history_and_a_rollback_leaves_none(uow_factory):
    order = await add_order(uow_factory)
    async with uow_factory() as uow:
        loaded = await uow.orders.get(order.id, for_update=True)
        loaded.paid(T0, "webhook")
        await uow.orders.save(loaded)
        within = await uow.history.for_entity("order", order.id)
        await uow.rollback()
    async with uow_factory() as uow:
        after = await uow.history.for_entity("order", order.id)
        events = await uow.events.search(None)
    assert (len(within), after, events) == (1, [], [])


async def test_a_stale_save_is_a_concurrent_update(uow_factory):
    order = await add_order(uow_factory)
    async with uow_factory() as uow:
        stale = await uow.orders.get(order.id)
    async with uow_factory() as uow:
        fresh = await uow.orders.get(order.id, for_update=True)
        fresh.paid(T0, "client")
        await uow.orders.save(fresh)
        await uow.commit()
    stale.give_up(T0, "janitor")
    async with uow_factory() as uow:
        with pytest.raises(ConcurrentUpdate):
            await uow.orders.save(stale)
    async with uow_factory() as uow:
        assert (await uow.orders.get(order.id)).status is OrderStatus.PAID


async def test_saving_an_unknown_order_is_a_concurrent_update(uow_factory):
    async with uow_factory() as uow:
        with pytest.raises(ConcurrentUpdate):
            await uow.orders.save(b.order())


async def test_order_search_filters_pages_newest_first(uow_factory):
    a = await add_order(uow_factory, user_seq=501, created_at=T0)
    c = await add_order(
        uow_factory, user_seq=501, created_at=T0 + timedelta(hours=2), status=OrderStatus.PAID
    )
    m = await add_order(
        uow_factory, user_seq=501, created_at=T0 + timedelta(hours=1), type=OrderType.ONE_CLICK
    )
    await add_order(uow_factory, user_seq=502)
    async with uow_factory() as uow:
        mine = await uow.orders.search(OrderFilter(user_seq=501))
        paid = await uow.orders.search(OrderFilter(user_seq=501, status=[OrderStatus.PAID]))
        one_click = await uow.orders.search(OrderFilter(user_seq=501, type=OrderType.ONE_CLICK))
        window = await uow.orders.search(
            OrderFilter(user_seq=501, created_from=T0, created_to=T0 + timedelta(hours=2))
        )
        page = await uow.orders.search(OrderFilter(user_seq=501), Page(limit=1, offset=1))
    assert [o.id for o in mine] == sorted([a.id, c.id, m.id], reverse=True)
    assert [o.id for o in paid] == [c.id]
    assert [o.id for o in one_click] == [m.id]
    assert sorted(o.id for o in window) == sorted([a.id, m.id])  # created_to is exclusive
    assert [o.id for o in page] == [sorted([a.id, c.id, m.id], reverse=True)[1]]


async def test_due_subscriptions_oldest_first(uow_factory):
    now = T0 + timedelta(days=40)
    card = b.new_id()

    def monthly(due, status=OrderStatus.ROUTINE):
        o = b.monthly_order(card, status=status)
        o.subscription.next_charge_at = due
        return o

    late = monthly(now - timedelta(days=2))
    past_due = monthly(now - timedelta(days=1), OrderStatus.ROUTINE_PAST_DUE)
    exactly_now = monthly(now)
    future = monthly(now + timedelta(seconds=1))
    cancelled = monthly(now - timedelta(days=3), OrderStatus.ROUTINE_CANCELLED)
    in_flight = monthly(None)
    async with uow_factory() as uow:
        for o in (late, past_due, exactly_now, future, cancelled, in_flight):
            await uow.orders.add(o)
        await uow.commit()
    async with uow_factory() as uow:
        due = await uow.orders.due_subscriptions(now, limit=10)
        first_two = await uow.orders.due_subscriptions(now, limit=2)
    assert [o.id for o in due] == [late.id, past_due.id, exactly_now.id]
    assert [o.id for o in first_two] == [late.id, past_due.id]


async def test_count_active_using_card(uow_factory):
    card = b.new_id()
    async with uow_factory() as uow:
        for status in (
            OrderStatus.ORDERED,
            OrderStatus.ROUTINE,
            OrderStatus.ROUTINE_PAST_DUE,
            OrderStatus.ROUTINE_CANCELLED,
            OrderStatus.ROUTINE_ENDED,
        ):
            await uow.orders.add(b.monthly_order(card, status=status))
        await uow.orders.add(b.monthly_order(b.new_id()))
        await uow.orders.add(b.order(payment_card_id=card, type=OrderType.ONE_CLICK))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.orders.count_active_using_card(card) == 3
        assert await uow.orders.count_active_using_card(b.new_id()) == 0


async def test_stale_unpaid_one_time_orders(uow_factory):
    cut = T0 + timedelta(days=1)
    old = await add_order(uow_factory, created_at=T0)
    older = await add_order(uow_factory, created_at=T0 - timedelta(hours=1))
    await add_order(uow_factory, created_at=cut)  # not before the cut
    await add_order(uow_factory, created_at=T0, status=OrderStatus.PAID)
    async with uow_factory() as uow:
        await uow.orders.add(b.monthly_order(b.new_id(), status=OrderStatus.ORDERED, created_at=T0))
        await uow.commit()
    async with uow_factory() as uow:
        stale = await uow.orders.stale_unpaid(cut, limit=10)
    assert [o.id for o in stale] == [older.id, old.id]


# -- payments ----------------------------------------------------------------------------------


async def test_payment_round_trip(uow_factory):
    payment = await add_payment(uow_factory)
    async with uow_factory() as uow:
        by_id = await uow.payments.get(payment.id)
        by_merchant_uid = await uow.payments.get_by_merchant_uid(payment.merchant_uid)
        by_imp_uid = await uow.payments.get_by_imp_uid(payment.imp_uid)
    assert state(by_id) == state(payment)
    assert state(by_merchant_uid) == state(payment) == state(by_imp_uid)
    assert by_id.requested_at.tzinfo is not None
    assert by_id.requested_at == payment.requested_at  # the same instant (given in KST)


async def test_the_owner_of_a_merchant_uid(uow_factory):
    payment = await add_payment(uow_factory, user_seq=4242)
    async with uow_factory() as uow:
        owners = (
            await uow.payments.owner_of(payment.merchant_uid),
            await uow.payments.owner_of("dp-no-such-payment"),
        )
    assert owners == (4242, None)


async def test_the_order_of_a_merchant_uid(uow_factory):
    payment = await add_payment(uow_factory)
    async with uow_factory() as uow:
        locked = await uow.orders.get_by_merchant_uid(payment.merchant_uid, for_update=True)
        unlocked = await uow.orders.get_by_merchant_uid(payment.merchant_uid)
        missing = await uow.orders.get_by_merchant_uid("dp-no-such-payment")
    assert locked.id == unlocked.id == payment.order_id
    assert missing is None


async def test_payment_without_optional_parts_round_trips(uow_factory):
    payment = await add_payment(
        uow_factory,
        status=PaymentStatus.REQUESTED,
        imp_uid=None,
        vbank=None,
        unknown=None,
        paid_at=None,
        failed_at=None,
        pay_method=None,
        unpaid_proven=False,
        cancelled_amount=0,
        cancelled_tax_free=0,
        cycle=3,
        attempt=2,
        payment_card_id=b.new_id(),
        type=OrderType.MONTHLY,
    )
    async with uow_factory() as uow:
        loaded = await uow.payments.get(payment.id, for_update=True)
    assert state(loaded) == state(payment)


async def test_merchant_uid_is_unique(uow_factory):
    payment = await add_payment(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises(ConcurrentUpdate):
            await uow.payments.add(
                b.payment(payment.order_id, merchant_uid=payment.merchant_uid, imp_uid=None)
            )


async def test_imp_uid_is_unique(uow_factory):
    first = await add_payment(uow_factory)
    second = await add_payment(uow_factory, first.order_id, imp_uid=None)
    async with uow_factory() as uow:
        loaded = await uow.payments.get(second.id, for_update=True)
        loaded.imp_uid = first.imp_uid
        with pytest.raises(ConcurrentUpdate):
            await uow.payments.save(loaded)


async def test_payment_save_records_the_transition(uow_factory):
    payment = await add_payment(
        uow_factory, status=PaymentStatus.REQUESTED, imp_uid=None, vbank=None, unknown=None,
        cancelled_amount=0, cancelled_tax_free=0,
    )  # fmt: skip
    async with uow_factory() as uow:
        loaded = await uow.payments.get_by_merchant_uid(payment.merchant_uid, for_update=True)
        loaded.approve(SettledFacts("imp_new", pg_provider="nice"), T0, "client")
        await uow.payments.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.payments.get_by_imp_uid("imp_new")
        history = await uow.history.for_entity("payment", payment.id)
    assert again.status is PaymentStatus.PAID and again.version == 1
    assert [(h.from_status, h.to_status) for h in history] == [(0, 2)]


async def test_payments_for_order_and_search(uow_factory):
    order = await add_order(uow_factory, user_seq=601)
    p1 = await add_payment(uow_factory, order.id, user_seq=601, channel="nice",
                           requested_at=T0, unknown=None)  # fmt: skip
    p2 = await add_payment(
        uow_factory, order.id, user_seq=601, channel="kcp", status=PaymentStatus.FAILED,
        requested_at=T0 + timedelta(hours=1), pay_method="card",
    )  # fmt: skip
    await add_payment(uow_factory, user_seq=602)
    async with uow_factory() as uow:
        attempts = await uow.payments.for_order(order.id)
        search = uow.payments.search
        mine = await search(PaymentFilter(user_seq=601))
        kcp = await search(PaymentFilter(user_seq=601, channel="kcp"))
        failed = await search(PaymentFilter(order_id=order.id, status=[PaymentStatus.FAILED]))
        card = await search(PaymentFilter(user_seq=601, pay_method="card"))
        by_uid = await search(PaymentFilter(merchant_uid=p1.merchant_uid))
        by_imp = await search(PaymentFilter(imp_uid=p2.imp_uid))
        early = await search(PaymentFilter(user_seq=601, requested_to=T0 + timedelta(hours=1)))
        late = await search(PaymentFilter(user_seq=601, requested_from=T0 + timedelta(hours=1)))
        unknown = await search(PaymentFilter(user_seq=601, unknown_only=True))
        page = await search(PaymentFilter(user_seq=601), Page(limit=1))
    assert [p.id for p in attempts] == sorted([p1.id, p2.id])
    assert [p.id for p in mine] == sorted([p1.id, p2.id], reverse=True)
    assert [p.id for p in kcp] == [p2.id] == [p.id for p in failed] == [p.id for p in card]
    assert [p.id for p in by_uid] == [p1.id] == [p.id for p in early]
    assert [p.id for p in by_imp] == [p2.id] == [p.id for p in late] == [p.id for p in unknown]
    assert [p.id for p in page] == [max(p1.id, p2.id)]


async def test_attention_is_kept_searched_and_cleared(uow_factory):
    order = await add_order(uow_factory, user_seq=603)
    flagged = await add_payment(uow_factory, order.id, user_seq=603, unknown=None)
    quiet = await add_payment(uow_factory, order.id, user_seq=603, unknown=None)
    note = "payment 중복 paid while its order is ROUTINE_CANCELLED " + "긴 설명 " * 200
    async with uow_factory() as uow:
        loaded = await uow.payments.get(flagged.id, for_update=True)
        loaded.needs_attention(note, T0)
        loaded.needs_attention("second note", T0 + timedelta(minutes=1))
        loaded.needs_attention(note, T0 + timedelta(minutes=2))  # shown already: not repeated
        await uow.payments.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.payments.get(flagged.id)
        listed = await uow.payments.search(PaymentFilter(user_seq=603, attention_only=True))
        everything = await uow.payments.search(PaymentFilter(user_seq=603))
    assert again.attention == f"{note}\nsecond note"
    assert again.attention_at == T0 + timedelta(minutes=1)
    assert [p.id for p in listed] == [flagged.id]
    assert {p.id for p in everything} == {flagged.id, quiet.id}
    assert next(p for p in everything if p.id == quiet.id).attention is None

    async with uow_factory() as uow:
        loaded = await uow.payments.get(flagged.id, for_update=True)
        loaded.acknowledge_attention(T0 + timedelta(hours=1))
        await uow.payments.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        cleared = await uow.payments.get(flagged.id)
        listed = await uow.payments.search(PaymentFilter(user_seq=603, attention_only=True))
    assert cleared.attention is None and cleared.attention_at is None and listed == []


async def test_unresolved_payments(uow_factory):
    now = T0 + timedelta(hours=1)
    order = await add_order(uow_factory)

    def unknown(next_check, status=PaymentStatus.REQUESTED):
        return b.payment(
            order.id, status=status, imp_uid=None, unknown=UnknownOutcome(T0, next_check)
        )

    late = unknown(now - timedelta(minutes=5))
    due = unknown(now)
    later = unknown(now + timedelta(minutes=1))
    settled = unknown(now - timedelta(hours=1), PaymentStatus.PAID)
    known = b.payment(order.id, status=PaymentStatus.REQUESTED, imp_uid=None, unknown=None)
    async with uow_factory() as uow:
        for p in (late, due, later, settled, known):
            await uow.payments.add(p)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.payments.unresolved(now, limit=10)
        first = await uow.payments.unresolved(now, limit=1)
    assert [p.id for p in found] == [late.id, due.id]
    assert [p.id for p in first] == [late.id]


async def test_vbanks_past_due(uow_factory):
    now = T0 + timedelta(days=5)
    order = await add_order(uow_factory)

    def vbank(due_at, status=PaymentStatus.READY):
        p = b.payment(order.id, status=status, imp_uid=None, unknown=None)
        p.vbank = replace(p.vbank, due_at=due_at)
        return p

    past = vbank(now - timedelta(seconds=1))
    at_due = vbank(now)  # the due time itself has not passed
    future = vbank(now + timedelta(days=1))
    paid = vbank(now - timedelta(days=1), PaymentStatus.PAID)
    async with uow_factory() as uow:
        for p in (past, at_due, future, paid):
            await uow.payments.add(p)
        await uow.commit()
    async with uow_factory() as uow:
        assert [p.id for p in await uow.payments.vbanks_past_due(now, 10)] == [past.id]


async def test_refundable_payments_by_id(uow_factory):
    order = await add_order(uow_factory)
    made = []
    for status, cancelled in (
        (PaymentStatus.PAID, 0),
        (PaymentStatus.ROUTINE_PAID, 5_000),
        (PaymentStatus.PAID, 10_000),  # nothing left
        (PaymentStatus.CANCELLED, 10_000),
        (PaymentStatus.FAILED, 0),
        (PaymentStatus.PAID, 9_999),
    ):
        made.append(
            b.payment(
                order.id, status=status, cancelled_amount=cancelled, cancelled_tax_free=0,
                imp_uid=None,
            )
        )  # fmt: skip
    async with uow_factory() as uow:
        for p in made:
            await uow.payments.add(p)
        await uow.commit()
    expected = sorted([made[0].id, made[1].id, made[5].id])
    async with uow_factory() as uow:
        assert [p.id for p in await uow.payments.refundable(0, 10)] == expected
        assert [p.id for p in await uow.payments.refundable(expected[0], 1)] == [expected[1]]


# -- cancellations -----------------------------------------------------------------------------


async def test_cancellation_round_trip_and_for_payment(uow_factory):
    payment = await add_payment(uow_factory)
    first, second = b.cancellation(payment.id), b.cancellation(payment.id, checks=0)
    async with uow_factory() as uow:
        await uow.cancellations.add(second)
        await uow.cancellations.add(first)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.cancellations.get(first.id, for_update=True)
        listed = await uow.cancellations.for_payment(payment.id)
    assert state(loaded) == state(first)
    assert [c.id for c in listed] == sorted([first.id, second.id])


async def test_cancellation_save_history_and_staleness(uow_factory):
    payment = await add_payment(uow_factory)
    c = b.cancellation(payment.id, status=CancellationStatus.REQUESTED, next_check_at=None)
    async with uow_factory() as uow:
        await uow.cancellations.add(c)
        await uow.commit()
    async with uow_factory() as uow:
        stale = await uow.cancellations.get(c.id)
    async with uow_factory() as uow:
        loaded = await uow.cancellations.get(c.id, for_update=True)
        loaded.succeeded(T0, "client", "cancel-9")
        await uow.cancellations.save(loaded)
        await uow.commit()
    stale.rejected(T0, "client", "no")
    async with uow_factory() as uow:
        with pytest.raises(ConcurrentUpdate):
            await uow.cancellations.save(stale)
    async with uow_factory() as uow:
        again = await uow.cancellations.get(c.id)
        history = await uow.history.for_entity("cancellation", c.id)
    assert again.status is CancellationStatus.SUCCEEDED
    assert again.cancellation_id == "cancel-9"
    assert [h.event for h in history] == ["succeeded"]


async def test_unresolved_cancellations(uow_factory):
    now = T0 + timedelta(hours=1)
    payment = await add_payment(uow_factory)
    late = b.cancellation(payment.id, next_check_at=now - timedelta(minutes=1))
    due = b.cancellation(payment.id, next_check_at=now)
    later = b.cancellation(payment.id, next_check_at=now + timedelta(minutes=1))
    done = b.cancellation(payment.id, status=CancellationStatus.SUCCEEDED, next_check_at=T0)
    refused = b.cancellation(payment.id, status=CancellationStatus.REJECTED, next_check_at=T0)
    # An intent whose answer was never recorded (the process died): due on its first check.
    crashed = b.cancellation(
        payment.id, status=CancellationStatus.REQUESTED, next_check_at=now - timedelta(minutes=2)
    )
    in_flight = b.cancellation(
        payment.id, status=CancellationStatus.REQUESTED, next_check_at=now + timedelta(seconds=1)
    )
    async with uow_factory() as uow:
        for c in (due, late, later, done, refused, crashed, in_flight):
            await uow.cancellations.add(c)
        await uow.commit()
    async with uow_factory() as uow:
        listed = [c.id for c in await uow.cancellations.unresolved(now, 10)]
        first = [c.id for c in await uow.cancellations.unresolved(now, 1)]
    assert listed == [crashed.id, late.id, due.id]
    assert first == [crashed.id]


# -- cards -------------------------------------------------------------------------------------


async def test_card_round_trip_keeps_keys_in_order(uow_factory):
    card = b.card()
    async with uow_factory() as uow:
        await uow.cards.add(card)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.cards.get(card.id)
        by_key = await uow.cards.get_by_customer_uid(card.keys[1].customer_uid)
    assert state(loaded) == state(card)
    assert [k.channel for k in loaded.keys] == ["nice", "jtnet"]
    assert state(by_key) == state(card)


async def test_card_save_adds_and_updates_keys(uow_factory):
    card = b.card(status=CardStatus.ISSUING, keys=[])
    async with uow_factory() as uow:
        await uow.cards.add(card)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.cards.get(card.id, for_update=True)
        loaded.key_issued(
            "kcp", T0, "client", card_disp="1234", card_corp="KB", card_type=0, pg_id="kcp-mid"
        )
        await uow.cards.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.cards.get(card.id, for_update=True)
        loaded.key_for("nice")
        await uow.cards.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.cards.get(card.id)
        history = await uow.history.for_entity("card", card.id)
    assert again.status is CardStatus.ACTIVE and again.version == 2
    assert [(k.channel, k.active) for k in again.keys] == [("kcp", True), ("nice", False)]
    assert again.keys[0].pg_id == "kcp-mid"
    assert [h.event for h in history] == ["issued"]


async def test_deleted_cards_are_not_listed(uow_factory):
    kept, gone, other = b.card(user_seq=701), b.card(user_seq=701), b.card(user_seq=702)
    async with uow_factory() as uow:
        for c in (kept, gone, other):
            await uow.cards.add(c)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.cards.get(gone.id, for_update=True)
        loaded.delete(T0, "user:701", sponsorships_using_it=0)
        await uow.cards.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        listed = await uow.cards.for_user(701)
        deleted = await uow.cards.get(gone.id)
    assert [c.id for c in listed] == [kept.id]
    assert deleted.status is CardStatus.DELETED and deleted.use_yn == 0
    assert all(k.deleted_at is not None for k in deleted.keys)


async def test_issuing_cards_created_before_the_cut_off_oldest_first(uow_factory):
    cut_off = T0 + timedelta(hours=1)
    old = b.card(status=CardStatus.ISSUING, created_at=T0, keys=[])
    older = b.card(status=CardStatus.ISSUING, created_at=T0 - timedelta(minutes=1))
    at_cut_off = b.card(status=CardStatus.ISSUING, created_at=cut_off)  # too recent
    recent = b.card(status=CardStatus.ISSUING, created_at=cut_off + timedelta(minutes=1))
    active = b.card(status=CardStatus.ACTIVE, created_at=T0)
    failed = b.card(status=CardStatus.FAILED, created_at=T0)
    async with uow_factory() as uow:
        for c in (old, older, at_cut_off, recent, active, failed):
            await uow.cards.add(c)
        await uow.commit()
    async with uow_factory() as uow:
        listed = await uow.cards.issuing(cut_off, 10)
        first = await uow.cards.issuing(cut_off, 1)
    assert [c.id for c in listed] == [older.id, old.id]
    assert [c.id for c in first] == [older.id]
    assert state(listed[0]) == state(older)  # with its keys
    assert listed[1].keys == []


async def test_saving_twice_in_one_transaction(uow_factory):
    payment = await add_payment(uow_factory)
    async with uow_factory() as uow:
        loaded = await uow.payments.get(payment.id, for_update=True)
        loaded.fail_reason = "first"
        await uow.payments.save(loaded)
        loaded.fail_reason = "second"
        await uow.payments.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.payments.get(payment.id)
    assert again.fail_reason == "second" and again.version == 2


async def test_customer_uid_is_never_shared(uow_factory):
    card = b.card()
    async with uow_factory() as uow:
        await uow.cards.add(card)
        await uow.commit()
    other = b.card()
    other.keys[0].customer_uid = card.keys[0].customer_uid
    async with uow_factory() as uow:
        with pytest.raises(ConcurrentUpdate):
            await uow.cards.add(other)
            await uow.commit()  # the fake checks at commit


async def test_stale_card_save_is_a_concurrent_update(uow_factory):
    card = b.card()
    async with uow_factory() as uow:
        await uow.cards.add(card)
        await uow.commit()
    async with uow_factory() as uow:
        stale = await uow.cards.get(card.id)
    async with uow_factory() as uow:
        fresh = await uow.cards.get(card.id, for_update=True)
        await uow.cards.save(fresh)
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(ConcurrentUpdate):
            await uow.cards.save(stale)


# -- history -----------------------------------------------------------------------------------


async def test_history_for_order_covers_its_payments_and_cancellations(uow_factory):
    order = await add_order(uow_factory)
    payment = await add_payment(
        uow_factory, order.id, status=PaymentStatus.REQUESTED, imp_uid=None, unknown=None,
        cancelled_amount=0, cancelled_tax_free=0,
    )  # fmt: skip
    other = await add_payment(uow_factory, status=PaymentStatus.REQUESTED, imp_uid=None,
                              unknown=None)  # fmt: skip
    c = b.cancellation(payment.id, status=CancellationStatus.REQUESTED)
    async with uow_factory() as uow:
        p = await uow.payments.get(payment.id, for_update=True)
        p.approve(SettledFacts("imp_h1"), T0 + timedelta(minutes=1), "webhook", {"x": [1, 2]})
        await uow.payments.save(p)
        o = await uow.orders.get(order.id, for_update=True)
        o.paid(T0 + timedelta(minutes=2), "webhook")
        await uow.orders.save(o)
        await uow.cancellations.add(c)
        c.succeeded(T0 + timedelta(minutes=3), "operator:1", "cx")
        await uow.cancellations.save(c)
        q = await uow.payments.get(other.id, for_update=True)
        q.fail("declined", T0, "client", unpaid_proven=True)
        await uow.payments.save(q)
        await uow.commit()
    async with uow_factory() as uow:
        history = await uow.history.for_order(order.id)
    assert [(h.entity, h.event) for h in history] == [
        ("payment", "approved"),
        ("order", "paid"),
        ("cancellation", "succeeded"),
    ]
    assert history[0].data == {"x": [1, 2]}
    assert all(h.at.tzinfo is not None for h in history)


# -- webhook inbox -----------------------------------------------------------------------------


async def test_a_webhook_whose_hints_exceed_the_inbox_columns_is_stored(uow_factory):
    """A hostile body or header is cut to what the inbox keeps: never a refused insert."""
    from adapters.memory import FixedClock, SequentialIds
    from application.use_cases.handle_webhook import ReceiveWebhook, ReceiveWebhookCommand

    long = {k: "x" * 300 for k in ("imp_uid", "merchant_uid", "status", "cancellation_id")}
    command = ReceiveWebhookCommand(json.dumps(long), "application/json; " + "p=1;" * 100)
    message_id = await ReceiveWebhook(uow_factory, FixedClock(T0), SequentialIds()).execute(command)
    async with uow_factory() as uow:
        stored = await uow.webhooks.get(message_id)
    assert stored is not None and stored.body == command.body


async def test_inbox_round_trip_save_due_and_search(uow_factory):
    now = T0 + timedelta(hours=1)
    fresh = b.inbox_message(state=InboxState.RECEIVED, next_attempt_at=None, attempts=0)
    retry = b.inbox_message(state=InboxState.FAILED, next_attempt_at=now)
    later = b.inbox_message(state=InboxState.FAILED, next_attempt_at=now + timedelta(seconds=1))
    done = b.inbox_message(state=InboxState.PROCESSED)
    unmatched = b.inbox_message(state=InboxState.UNMATCHED, next_attempt_at=None)
    async with uow_factory() as uow:
        for m in (fresh, retry, later, done, unmatched):
            await uow.webhooks.add(m)
        await uow.commit()
    async with uow_factory() as uow:
        assert state(await uow.webhooks.get(retry.id)) == state(retry)
        assert [m.id for m in await uow.webhooks.due(now, 10)] == [fresh.id, retry.id]
        loaded = await uow.webhooks.get(fresh.id, for_update=True)
        loaded.state, loaded.processed_at, loaded.attempts = InboxState.PROCESSED, now, 1
        await uow.webhooks.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        assert [m.id for m in await uow.webhooks.due(now, 10)] == [retry.id]
        processed = await uow.webhooks.search(InboxState.PROCESSED)
        everything = await uow.webhooks.search(None, Page(limit=2))
        assert [m.id for m in await uow.webhooks.search("unmatched")] == [unmatched.id]
    assert [m.id for m in processed] == sorted([fresh.id, done.id], reverse=True)
    assert [m.id for m in everything] == sorted(
        [fresh.id, retry.id, later.id, done.id, unmatched.id], reverse=True
    )[:2]


async def test_inbox_for_payment_finds_either_uid_newest_first(uow_factory):
    by_imp = b.inbox_message(imp_uid="imp_9", merchant_uid=None)
    by_merchant = b.inbox_message(imp_uid=None, merchant_uid="dp9a1")
    both = b.inbox_message(imp_uid="imp_9", merchant_uid="dp9a1")
    other = b.inbox_message(imp_uid="imp_8", merchant_uid="dp8a1")
    async with uow_factory() as uow:
        for m in (by_imp, by_merchant, both, other):
            await uow.webhooks.add(m)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.webhooks.for_payment("imp_9", "dp9a1", 10)
        newest = await uow.webhooks.for_payment("imp_9", "dp9a1", 1)
        before_paid = await uow.webhooks.for_payment(None, "dp9a1", 10)
    assert [m.id for m in found] == sorted([by_imp.id, by_merchant.id, both.id], reverse=True)
    assert [m.id for m in newest] == [max(by_imp.id, by_merchant.id, both.id)]
    assert [m.id for m in before_paid] == sorted([by_merchant.id, both.id], reverse=True)


# -- reconcile reports -------------------------------------------------------------------------


async def test_reconcile_reports_round_trip_newest_first(uow_factory):
    first = ReconcileReport(T0, T0 + timedelta(hours=1), checked=3, ran_at=T0 + timedelta(hours=2))
    second = ReconcileReport(
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=2),
        checked=5,
        repaired=[ReconcileItem("dp1a1", "imp_1", "PAID/PAID")],
        missing_at_iamport=[ReconcileItem("dp2a1", None, "not at iamport")],
        mismatched=[ReconcileItem("dp3a1", "imp_3", "운영자 확인 필요")],
        errors=["list_payments: NotAttempted()"],
        cause="reconcile:operator:900",
        ran_at=T0 + timedelta(hours=3),
    )
    async with uow_factory() as uow:
        ids = [await uow.reconcile_reports.add(r) for r in (first, second)]
        await uow.commit()
    async with uow_factory() as uow:
        await uow.reconcile_reports.add(first)  # rolled back: never listed
    async with uow_factory() as uow:
        latest = await uow.reconcile_reports.latest(10)
        [newest] = await uow.reconcile_reports.latest(1)
    assert ids[0] < ids[1] and [r.id for r in latest] == ids[::-1]
    assert newest == replace(second, id=ids[1])
    assert latest[1] == replace(first, id=ids[0]) and latest[1].clean and not newest.clean


# -- idempotency keys --------------------------------------------------------------------------


async def test_idempotency_add_once_then_false_and_the_uow_stays_usable(uow_factory):
    record = b.idempotency_record(state=IdempotencyState.IN_PROGRESS, status_code=None,
                                  response_body=None, content_type=None)  # fmt: skip
    async with uow_factory() as uow:
        assert await uow.idempotency.add(record) is True
        await uow.commit()
    order = b.order()
    async with uow_factory() as uow:
        assert await uow.idempotency.add(replace(record, fingerprint="b" * 64)) is False
        await uow.orders.add(order)  # the transaction survives the duplicate
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.idempotency.get(record.scope, record.key, for_update=True)
        assert state(loaded) == state(record)
        assert await uow.orders.get(order.id) is not None
        loaded.state, loaded.status_code = IdempotencyState.DONE, 201
        loaded.response_body, loaded.content_type = b"\x00\xffbody", "application/json"
        await uow.idempotency.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.idempotency.get(record.scope, record.key)
        assert await uow.idempotency.get(record.scope, "other") is None
    assert state(again) == state(loaded)


async def test_idempotency_round_trip(uow_factory):
    record = b.idempotency_record()
    async with uow_factory() as uow:
        await uow.idempotency.add(record)
        await uow.commit()
    async with uow_factory() as uow:
        assert state(await uow.idempotency.get(record.scope, record.key)) == state(record)


async def test_idempotency_purge_deletes_only_records_before_the_cut_off_oldest_first(uow_factory):
    from datetime import timedelta

    ages = [timedelta(hours=h) for h in (1, 30, 48, 72)]
    records = [b.idempotency_record(created_at=b.T0 - age) for age in ages]
    async with uow_factory() as uow:
        for record in records:
            await uow.idempotency.add(record)
        await uow.commit()
    cut_off = b.T0 - timedelta(hours=24)
    async with uow_factory() as uow:
        assert await uow.idempotency.purge(cut_off, limit=2) == 2  # the 72 h and 48 h ones
        await uow.commit()
    async with uow_factory() as uow:
        kept = [await uow.idempotency.get(r.scope, r.key) is not None for r in records]
        assert await uow.idempotency.purge(cut_off, limit=10) == 1  # the 30 h one
        await uow.rollback()
    assert kept == [True, True, False, False]
