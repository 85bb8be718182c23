"""One-click payment with a registered card — spec §4.3."""

import pytest

from application.errors import NotFoundError
from application.gateway import AgainRequest, Rejected, Unknown
from application.use_cases.one_click import ChargeState, PayWithCard, PayWithCardCommand
from domain.status import OrderStatus, PaymentStatus
from tests.application.builders import (
    OTHER_USER,
    USER,
    World,
    pay_with_card,
    registered_card,
)


def pay(w: World) -> PayWithCard:
    return pay_with_card(w)


async def pay_with(w: World, card_id: int, user_seq: int = USER):
    return await pay(w).execute(PayWithCardCommand(user_seq, card_id, 5_000, "원클릭 후원", 1, 42))


async def test_paid_one_click_pays_payment_and_order():
    w = World()
    card = await registered_card(w)
    result = await pay_with(w, card.id)

    assert (
        result.state,
        (await w.payment(result.payment.id)).status,
        (await w.order(result.order.id)).status,
    ) == (
        ChargeState.PAID,
        PaymentStatus.PAID,
        OrderStatus.PAID,
    )


async def test_charge_goes_to_the_cards_key_with_a_fresh_merchant_uid_and_our_notice_url():
    w = World()
    card = await registered_card(w)
    result = await pay_with(w, card.id)

    (request,) = w.gateway.calls_of("charge_billing_key")
    assert request == AgainRequest(
        customer_uid=f"dpc{card.id}_nice",
        merchant_uid=f"dp{result.order.id}a1",
        amount=5_000,
        name="원클릭 후원",
        tax_free=0,
        notice_url="https://pay.dolgo.example/api/webhooks/iamport",
    )


async def test_declined_one_click_fails_with_iamports_fail_reason():
    w = World()
    card = await registered_card(w)
    w.gateway.declining[card.keys[0].customer_uid] = "한도초과"
    result = await pay_with(w, card.id)

    payment = await w.payment(result.payment.id)
    assert (result.state, result.fail_reason, payment.status, payment.unpaid_proven) == (
        ChargeState.FAILED,
        "한도초과",
        PaymentStatus.FAILED,
        True,
    )


async def test_unknown_outcome_stays_requested_and_is_not_failed():
    w = World()
    card = await registered_card(w)
    w.gateway.script("charge_billing_key", Unknown("read timeout"), apply=True)
    result = await pay_with(w, card.id)

    payment = await w.payment(result.payment.id)
    assert (result.state, payment.status, payment.unknown is not None) == (
        ChargeState.UNKNOWN,
        PaymentStatus.REQUESTED,
        True,
    )


async def test_a_rejected_charge_is_looked_up_before_it_counts_as_unpaid():
    w = World()
    card = await registered_card(w)
    w.gateway.script("charge_billing_key", Rejected("등록되지 않은 구매자입니다.", 1))
    result = await pay_with(w, card.id)

    payment = await w.payment(result.payment.id)
    assert (payment.status, payment.unpaid_proven, len(w.gateway.calls_of("find_payment"))) == (
        PaymentStatus.FAILED,
        True,
        1,
    )


async def test_a_rejected_charge_whose_lookup_is_unanswered_is_failed_but_not_proven_unpaid():
    w = World()
    card = await registered_card(w)
    w.gateway.script("charge_billing_key", Rejected("PG 통신 오류", 1))
    w.gateway.script("find_payment", Unknown("502"))
    result = await pay_with(w, card.id)

    payment = await w.payment(result.payment.id)
    assert (payment.status, payment.unpaid_proven) == (PaymentStatus.FAILED, False)


async def test_another_users_card_is_not_found_and_nothing_is_charged():
    w = World()
    card = await registered_card(w, OTHER_USER)
    with pytest.raises(NotFoundError):
        await pay_with(w, card.id)
    assert w.gateway.calls_of("charge_billing_key") == []
