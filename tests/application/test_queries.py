"""Queries (own orders and payments; operators' search) and settling unknown outcomes."""

import pytest

from application.errors import ConflictError, NotFoundError
from application.gateway import Unknown
from application.use_cases.actor import Actor
from application.use_cases.one_click import PayWithCardCommand
from application.use_cases.queries import (
    GetOrder,
    GetOrderCommand,
    GetPayment,
    GetPaymentCommand,
    ListOrders,
    ListOrdersCommand,
    SearchPayments,
    SearchPaymentsCommand,
)
from application.use_cases.refund import RequestRefund, RequestRefundCommand
from application.use_cases.settle_unknown import (
    SettleTo,
    SettleUnknownPayment,
    SettleUnknownPaymentCommand,
)
from domain.status import OrderStatus, PaymentStatus
from tests.application.builders import (
    OPERATOR,
    OTHER_USER,
    USER,
    World,
    pay_with_card,
    registered_card,
    settlement,
)

SPONSOR = Actor(USER)
OPS = Actor(OPERATOR, operator=True)


async def test_a_sponsor_lists_only_their_own_orders_even_when_asking_for_another_user():
    w = World()
    mine = await w.paid_payment()
    await w.paid_payment(user_seq=OTHER_USER)
    listed = await ListOrders(w.store).execute(ListOrdersCommand(SPONSOR, user_seq=OTHER_USER))
    assert [o.id for o in listed.orders] == [mine.order_id]


async def test_operators_filter_orders_by_user():
    w = World()
    await w.paid_payment()
    theirs = await w.paid_payment(user_seq=OTHER_USER)
    listed = await ListOrders(w.store).execute(ListOrdersCommand(OPS, user_seq=OTHER_USER))
    assert [o.id for o in listed.orders] == [theirs.order_id]


async def test_an_order_shows_its_payments_cancellations_and_history():
    w = World()
    p = await w.paid_payment(amount=10_000)
    await RequestRefund(
        w.store, w.gateway, w.clock, w.ids, w.settings, settlement(w), w.channels
    ).execute(RequestRefundCommand(SPONSOR, p.id, "일부 환불", amount=4_000))
    view = await GetOrder(w.store).execute(GetOrderCommand(SPONSOR, p.order_id))

    (payment_view,) = view.payments
    assert (
        payment_view.payment.cancelled_amount,
        [c.amount for c in payment_view.cancellations],
        sorted((h.entity, h.event) for h in view.history),
    ) == (
        4_000,
        [4_000],
        [
            ("cancellation", "succeeded"),
            ("order", "paid"),
            ("payment", "approved"),
            ("payment", "partially_refunded"),
        ],
    )


async def test_another_users_order_is_not_found():
    w = World()
    p = await w.paid_payment()
    with pytest.raises(NotFoundError):
        await GetOrder(w.store).execute(GetOrderCommand(Actor(OTHER_USER), p.order_id))


async def test_another_users_payment_is_not_found_but_operators_see_it():
    w = World()
    p = await w.paid_payment()
    with pytest.raises(NotFoundError):
        await GetPayment(w.store).execute(GetPaymentCommand(Actor(OTHER_USER), p.id))
    assert (await GetPayment(w.store).execute(GetPaymentCommand(OPS, p.id))).payment.id == p.id


async def test_operators_search_payments_by_method_channel_and_imp_uid():
    w = World()
    await w.paid_payment(method="card", pg_provider="nice")
    vbank = await w.paid_payment(method="vbank", pg_provider="kcp")
    search = SearchPayments(w.store)
    by_method = await search.execute(SearchPaymentsCommand(pay_method="vbank"))
    by_channel = await search.execute(SearchPaymentsCommand(channel="kcp"))
    by_imp = await search.execute(SearchPaymentsCommand(imp_uid=vbank.imp_uid))
    assert {p.id for r in (by_method, by_channel, by_imp) for p in r.payments} == {vbank.id}


async def test_operators_search_payments_by_status_and_user():
    w = World()
    await w.paid_payment()
    theirs = await w.paid_payment(user_seq=OTHER_USER)
    found = await SearchPayments(w.store).execute(
        SearchPaymentsCommand(status=(PaymentStatus.PAID,), user_seq=OTHER_USER)
    )
    assert [p.id for p in found.payments] == [theirs.id]


# -- settling unknown outcomes ---------------------------------------------------------------------
async def unknown_one_click(w: World):
    card = await registered_card(w)
    w.gateway.script("charge_billing_key", Unknown("read timeout"))
    result = await pay_with_card(w).execute(
        PayWithCardCommand(USER, card.id, 5_000, "원클릭", 1, 42)
    )
    return result.payment


def settle(w: World) -> SettleUnknownPayment:
    return SettleUnknownPayment(w.store, w.clock, w.channels, settlement(w))


async def test_unknown_payments_are_listed_for_operators():
    w = World()
    p = await unknown_one_click(w)
    found = await SearchPayments(w.store).execute(SearchPaymentsCommand(unknown_only=True))
    assert [x.id for x in found.payments] == [p.id]


async def test_operator_settles_an_unknown_payment_as_paid_with_a_reason_in_history():
    w = World()
    p = await unknown_one_click(w)
    await settle(w).execute(
        SettleUnknownPaymentCommand(OPS, p.id, SettleTo.PAID, "PG 관리자 화면 확인", "imp_9")
    )

    async with w.store.uow() as uow:
        (entry,) = await uow.history.for_entity("payment", p.id)
    payment, order = await w.payment(p.id), await w.order(p.order_id)
    assert (payment.status, order.status, entry.cause, entry.data["operator_reason"]) == (
        PaymentStatus.PAID,
        OrderStatus.PAID,
        f"operator:{OPERATOR}",
        "PG 관리자 화면 확인",
    )


async def test_operator_settles_an_unknown_payment_as_failed():
    w = World()
    p = await unknown_one_click(w)
    await settle(w).execute(SettleUnknownPaymentCommand(OPS, p.id, SettleTo.FAILED, "PG 미승인"))
    payment = await w.payment(p.id)
    assert (payment.status, payment.fail_reason) == (PaymentStatus.FAILED, "운영자 확인: PG 미승인")


async def test_a_known_outcome_cannot_be_settled_by_hand():
    w = World()
    p = await w.paid_payment()
    with pytest.raises(ConflictError):
        await settle(w).execute(SettleUnknownPaymentCommand(OPS, p.id, SettleTo.FAILED, "x"))


async def test_sponsors_cannot_settle_payments():
    w = World()
    p = await unknown_one_click(w)
    with pytest.raises(NotFoundError):
        await settle(w).execute(SettleUnknownPaymentCommand(SPONSOR, p.id, SettleTo.FAILED, "x"))
