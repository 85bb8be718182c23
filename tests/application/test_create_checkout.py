"""CreateCheckout / RetryCheckout: the order, its first attempt, prepare, request_pay params."""

from datetime import timedelta

import pytest

from application.errors import ConflictError, GatewayUnavailable
from application.gateway import NotAttempted, Rejected, Unknown
from application.ports import OrderFilter
from domain.status import OrderStatus, PaymentStatus
from tests.application.builders import USER, Wiring


@pytest.fixture
def app(store, gateway, clock, ids, settings, channels) -> Wiring:
    return Wiring(store, gateway, clock, ids, settings, channels)


def checkout(method: str = "card", amount: int = 10_000, **kw):
    from application.use_cases.create_checkout import CreateCheckoutCommand

    return CreateCheckoutCommand(
        user_seq=USER,
        content_type_code=1,
        content_seq=42,
        name="돌고 후원",
        amount=amount,
        pay_method=method,
        buyer_name="홍길동",
        buyer_tel="010-1234-5678",
        buyer_email="gildong@example.com",
        **kw,
    )


async def test_card_checkout_prepares_the_amount_and_returns_request_pay(app, gateway):
    result = await app.create_checkout.execute(checkout(tax_free=1_000))

    params = result.request_pay.as_dict()
    assert params == {
        "pg": "nice",
        "pay_method": "card",
        "merchant_uid": f"dp{result.order_id}a1",
        "name": "돌고 후원",
        "amount": 10_000,
        "tax_free": 1_000,
        "buyer_name": "홍길동",
        "buyer_tel": "010-1234-5678",
        "buyer_email": "gildong@example.com",
        "notice_url": "https://pay.dolgo.example/api/webhooks/iamport",
        "m_redirect_url": "https://pay.dolgo.example/payments/return",
    }
    assert gateway.prepared[result.merchant_uid] == 10_000
    payment = await app.payment(result.merchant_uid)
    assert (payment.status, payment.channel) == (PaymentStatus.REQUESTED, "nice")
    assert (await app.order(result.order_id)).status is OrderStatus.ORDERED


async def test_vbank_due_is_seoul_time_and_phone_is_digital(app):
    vbank = (await app.create_checkout.execute(checkout("vbank"))).request_pay
    # clock: 2026-03-02 01:00 UTC = 10:00 KST; + 3 days
    assert (vbank.pg, vbank.vbank_due, vbank.digital) == ("html5_inicis", "202603051000", None)
    phone = (await app.create_checkout.execute(checkout("phone"))).request_pay
    assert (phone.pg, phone.digital, phone.vbank_due) == ("html5_inicis", True, None)


async def test_prepare_not_attempted_keeps_the_order_and_allows_a_retry(app, gateway):
    gateway.script("prepare", NotAttempted("connection refused"))
    with pytest.raises(GatewayUnavailable):
        await app.create_checkout.execute(checkout())
    async with app.store() as uow:
        [order] = await uow.orders.search(OrderFilter())
    assert order.status is OrderStatus.ORDERED
    first = await app.payment(f"dp{order.id}a1")
    assert first.status is PaymentStatus.FAILED and first.unpaid_proven

    from application.use_cases.create_checkout import RetryCheckoutCommand

    retry = await app.retry_checkout.execute(RetryCheckoutCommand(order.id, USER))
    assert retry.merchant_uid == f"dp{order.id}a2" and gateway.prepared[retry.merchant_uid]


@pytest.mark.parametrize(
    "first",
    [Unknown("read timeout"), Rejected("이미 등록된 merchant_uid입니다.", 1)],
    ids=["unknown", "already-registered"],
)
async def test_prepare_lost_answer_is_checked_with_iamport(app, gateway, first):
    gateway.script("prepare", first, apply=True)  # iamport did register it
    result = await app.create_checkout.execute(checkout())
    assert result.request_pay.amount == 10_000
    assert gateway.calls_of("get_prepared") == [result.merchant_uid]


async def test_prepare_unknown_and_not_registered_is_unavailable(app, gateway):
    gateway.script("prepare", Unknown("read timeout"))  # not registered at iamport
    with pytest.raises(GatewayUnavailable):
        await app.create_checkout.execute(checkout())


async def test_retry_needs_the_previous_attempt_known_unpaid(app, gateway, clock):
    from application.use_cases.create_checkout import RetryCheckoutCommand

    first = await app.create_checkout.execute(checkout("vbank"))
    gateway.plant_payment(
        first.merchant_uid,
        10_000,
        status="ready",
        pay_method="vbank",
        pg_provider="html5_inicis",
        vbank_num="123",
        vbank_date=clock.now() + timedelta(days=3),
    )
    with pytest.raises(ConflictError):  # a vbank is waiting for the deposit
        await app.retry_checkout.execute(RetryCheckoutCommand(first.order_id, USER))
    assert (await app.payment(first.merchant_uid)).status is PaymentStatus.READY


async def test_retry_after_a_window_nobody_paid(app, gateway):
    from application.use_cases.create_checkout import RetryCheckoutCommand

    first = await app.create_checkout.execute(checkout())
    retry = await app.retry_checkout.execute(RetryCheckoutCommand(first.order_id, USER))
    assert retry.merchant_uid.endswith("a2")
    old = await app.payment(first.merchant_uid)
    assert old.status is PaymentStatus.FAILED and old.unpaid_proven


async def test_retry_by_another_method_uses_that_methods_channel(app, gateway):
    from application.use_cases.create_checkout import RetryCheckoutCommand

    first = await app.create_checkout.execute(checkout())  # card on nice; the window is closed
    retry = await app.retry_checkout.execute(
        RetryCheckoutCommand(first.order_id, USER, pay_method="trans")
    )
    assert retry.merchant_uid == f"dp{first.order_id}a2"
    params = retry.request_pay.as_dict()
    assert (params["pg"], params["pay_method"]) == ("html5_inicis", "trans")
    assert "vbank_due" not in params and "digital" not in params
    assert gateway.prepared[retry.merchant_uid] == 10_000
    payment = await app.payment(retry.merchant_uid)
    assert (payment.pay_method, payment.channel) == ("trans", "html5_inicis")
    assert payment.status is PaymentStatus.REQUESTED
    old = await app.payment(first.merchant_uid)
    assert (old.pay_method, old.status, old.unpaid_proven) == ("card", PaymentStatus.FAILED, True)
    order = await app.order(first.order_id)
    assert (order.pay_method, order.status, order.attempts) == ("trans", OrderStatus.ORDERED, 2)

    vbank = await app.retry_checkout.execute(
        RetryCheckoutCommand(first.order_id, USER, pay_method="vbank")
    )
    # clock: 2026-03-02 10:00 KST; + 3 days
    assert (vbank.request_pay.pg, vbank.request_pay.pay_method) == ("html5_inicis", "vbank")
    assert vbank.request_pay.vbank_due == "202603051000"
    assert (await app.payment(vbank.merchant_uid)).pay_method == "vbank"

    phone = await app.retry_checkout.execute(
        RetryCheckoutCommand(first.order_id, USER, pay_method="phone")
    )
    assert (phone.request_pay.pay_method, phone.request_pay.digital) == ("phone", True)
    assert (await app.order(first.order_id)).pay_method == "phone"

    same = await app.retry_checkout.execute(RetryCheckoutCommand(first.order_id, USER))
    assert same.request_pay.pay_method == "phone"  # no method: the latest attempt's


async def test_retry_by_an_unknown_method_starts_nothing(app):
    from application.use_cases.create_checkout import RetryCheckoutCommand
    from domain.errors import InvalidValue

    first = await app.create_checkout.execute(checkout())
    with pytest.raises(InvalidValue) as raised:
        await app.retry_checkout.execute(
            RetryCheckoutCommand(first.order_id, USER, pay_method="bitcoin")
        )
    assert raised.value.field == "pay_method"
    order = await app.order(first.order_id)
    assert (order.pay_method, order.attempts) == ("card", 1)
    assert (await app.payment(first.merchant_uid)).status is PaymentStatus.REQUESTED


async def test_another_method_does_not_bypass_an_unsettled_attempt(app, gateway, clock):
    from application.use_cases.create_checkout import RetryCheckoutCommand

    first = await app.create_checkout.execute(checkout("vbank"))
    gateway.plant_payment(
        first.merchant_uid,
        10_000,
        status="ready",
        pay_method="vbank",
        pg_provider="html5_inicis",
        vbank_num="123",
        vbank_date=clock.now() + timedelta(days=3),
    )
    with pytest.raises(ConflictError):  # the vbank still waits for its deposit
        await app.retry_checkout.execute(
            RetryCheckoutCommand(first.order_id, USER, pay_method="card")
        )
    order = await app.order(first.order_id)
    assert (order.pay_method, order.attempts) == ("vbank", 1)


def test_only_a_one_time_orders_attempt_changes_its_method(clock):
    from dataclasses import replace

    from domain.errors import InvalidTransition
    from domain.status import OrderType, PayMethod
    from tests.application.builders import one_time_order

    order = one_time_order(1, clock.now())
    assert order.start_attempt(clock.now(), PayMethod.TRANS) == 1
    assert order.pay_method is PayMethod.TRANS
    one_click = replace(one_time_order(2, clock.now()), type=OrderType.ONE_CLICK)
    with pytest.raises(InvalidTransition):
        one_click.start_attempt(clock.now(), PayMethod.TRANS)
    assert (one_click.pay_method, one_click.attempts) == ("card", 0)
    assert one_click.start_attempt(clock.now(), PayMethod.CARD) == 1  # its own method is fine
