"""Billing keys, again and onetime (docs/iamport.md §6)."""

from __future__ import annotations

DECLINE_BALANCE = "4000-0000-0000-0002"
DECLINE_LIMIT = "4000-0000-0000-0069"
DECLINE_LOST = "4000-0000-0000-0119"
INVALID = "4000-0000-0000-0127"


async def test_issue_get_replace_delete_a_billing_key(api, clock):
    issued = (await api.register_card("cust-1", customer_name="홍길동")).json()["response"]
    assert issued["customer_uid"] == "cust-1" and issued["pg_provider"] == "nice"
    assert issued["card_number"] == "4111-11**-****-1111" and issued["card_name"] == "신한카드"
    assert issued["sandbox"] is False and issued["customer_name"] == "홍길동"
    clock.advance(minutes=5)
    replaced = (await api.register_card("cust-1", card="5555-5555-5555-4444")).json()["response"]
    assert replaced["card_name"] == "BC카드" and replaced["updated"] == issued["inserted"] + 300
    assert (await api.ok("GET", "/subscribe/customers/cust-1"))["card_name"] == "BC카드"
    deleted = await api.ok("DELETE", "/subscribe/customers/cust-1", params={"reason": "해지"})
    assert deleted["customer_uid"] == "cust-1"
    for method in ("GET", "DELETE"):
        gone = await api.call(method, "/subscribe/customers/cust-1")
        assert gone.status_code == 404 and gone.json()["response"] is None


async def test_billing_key_accepts_form_bodies_and_no_channel_key(api):
    response = await api.post(
        "/subscribe/customers/cust-form",
        data={"card_number": "4111111111111111", "expiry": "203012", "birth": "900101"},
    )
    assert (
        response.json()["code"] == 0
        and response.json()["response"]["card_number"] == "4111-11**-****-1111"
    )


async def test_invalid_card_and_expired_card_are_refused_at_issue(api, state):
    invalid = (await api.register_card("cust-bad", card=INVALID)).json()
    assert invalid == {
        "code": -1,
        "message": "유효하지않은 카드번호를 입력하셨습니다.",
        "response": None,
    }
    unknown = (await api.register_card("cust-bad", card="1234-5678-9012-3456")).json()
    assert unknown["code"] == -1
    expired = (await api.register_card("cust-bad", expiry="2020-01")).json()
    assert expired["code"] == -1 and expired["response"] is None
    assert "cust-bad" not in state.store.customers


async def test_window_only_channel_refuses_rest_issue(api):
    refused = (await api.register_card("cust-ini", pg="html5_inicis")).json()
    assert refused == {
        "code": 1,
        "message": "비인증결제모듈 사용정보를 찾을 수 없습니다.",
        "response": None,
    }


async def test_channel_key_and_pg_with_mid_select_the_channel(api):
    by_mid = (await api.register_card("cust-t", pg="nice.nictest04m")).json()["response"]
    assert by_mid["pg_id"] == "nictest04m" and by_mid["sandbox"] is True
    by_key = (await api.register_card("cust-k", channel_key="channel-key-nice")).json()["response"]
    assert by_key["pg_id"] == "dolgonice1m"
    unknown = (await api.register_card("cust-u", pg="nosuchpg")).json()["response"]
    assert unknown["pg_provider"] == "nice" and unknown["sandbox"] is False


async def test_multi_get_customers(api):
    await api.register_card("c-a")
    await api.register_card("c-b")
    both = await api.get(
        "/subscribe/customers", params=[("customer_uid[]", "c-a"), ("customer_uid[]", "c-b")]
    )
    assert both.status_code == 200 and [c["customer_uid"] for c in both.json()["response"]] == [
        "c-a",
        "c-b",
    ]
    some = await api.get(
        "/subscribe/customers", params=[("customer_uid[]", "c-a"), ("customer_uid[]", "c-x")]
    )
    assert some.status_code == 207 and len(some.json()["response"]) == 1
    none = await api.get("/subscribe/customers", params=[("customer_uid[]", "c-x")])
    assert none.status_code == 404


async def test_again_approves_and_sends_the_webhook_to_notice_url(api, inbox, drained):
    await api.register_card("cust-pay")
    paid = await api.ok(
        "POST",
        "/subscribe/payments/again",
        json={
            "customer_uid": "cust-pay",
            "merchant_uid": "m-1",
            "amount": 8900,
            "notice_url": "http://merchant.test/n",
        },
    )
    assert (
        paid["status"] == "paid"
        and paid["channel"] == "api"
        and paid["customer_uid_usage"] == "payment"
    )
    assert paid["paid_at"] > 0 and paid["apply_num"] and paid["name"] is None
    await drained()
    assert inbox.received == [
        {
            "url": "http://merchant.test/n",
            "content_type": "application/json",
            "body": {"imp_uid": paid["imp_uid"], "merchant_uid": "m-1", "status": "paid"},
            "status": 200,
        }
    ]


async def test_again_declines_are_code_0_failed_without_webhook(api, inbox, drained):
    for uid, card, reason in [
        ("c-bal", DECLINE_BALANCE, "잔액부족"),
        ("c-lim", DECLINE_LIMIT, "한도초과"),
        ("c-lost", DECLINE_LOST, "거래정지카드"),
    ]:
        issued = (await api.register_card(uid, card=card)).json()
        assert issued["code"] == 0  # the key is issued; only charges fail
        failed = await api.ok(
            "POST",
            "/subscribe/payments/again",
            data={
                "customer_uid": uid,
                "merchant_uid": f"m-{uid}",
                "amount": "8900",
                "name": "정기후원",
            },
        )
        assert failed["status"] == "failed" and reason in failed["fail_reason"]
        assert (
            failed["failed_at"] > 0
            and failed["paid_at"] == 0
            and failed["imp_uid"].startswith("imp_")
        )
    await drained()
    assert inbox.received == []


async def test_again_unknown_customer_is_code_1_and_null(api):
    body = (
        await api.post(
            "/subscribe/payments/again",
            json={"customer_uid": "nobody", "merchant_uid": "m-x", "amount": 100},
        )
    ).json()
    assert body == {"code": 1, "message": "등록되지 않은 구매자입니다.", "response": None}


async def test_again_outage_is_a_refusal_without_a_payment(api, client, state):
    await api.register_card("cust-o")
    await client.put("/_sandbox/channels/nice", json={"outage": True})
    body = (
        await api.post(
            "/subscribe/payments/again",
            json={"customer_uid": "cust-o", "merchant_uid": "m-o", "amount": 100},
        )
    ).json()
    assert body["code"] != 0 and body["response"] is None and "장애" in body["message"]
    assert state.store.by_merchant_uid("m-o") == []
    await client.put("/_sandbox/channels/nice", json={"outage": False})
    assert (
        await api.ok(
            "POST",
            "/subscribe/payments/again",
            json={"customer_uid": "cust-o", "merchant_uid": "m-o", "amount": 100},
        )
    )["status"] == "paid"


async def test_again_on_a_paid_merchant_uid_charges_again_by_default(api):
    await api.register_card("cust-d")
    body = {"customer_uid": "cust-d", "merchant_uid": "m-dup", "amount": 100}
    first = await api.ok("POST", "/subscribe/payments/again", json=body)
    second = await api.ok("POST", "/subscribe/payments/again", json=body)  # default: charges again
    assert first["imp_uid"] != second["imp_uid"]


async def test_again_rejecting_paid_merchant_uid_when_configured(make_app):
    import httpx

    from .conftest import BASE, Api

    app = make_app(again_rejects_paid_merchant_uid=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        api = Api(client, app.state.sandbox)
        await api.register_card("cust-d")
        body = {"customer_uid": "cust-d", "merchant_uid": "m-dup", "amount": 100}
        await api.ok("POST", "/subscribe/payments/again", json=body)
        refused = (await api.post("/subscribe/payments/again", json=body)).json()
        assert refused["code"] == 1 and refused["response"] is None


async def test_onetime_charges_and_optionally_stores_the_key(api, state):
    paid = await api.ok(
        "POST",
        "/subscribe/payments/onetime",
        json={
            "merchant_uid": "m-one",
            "amount": 1000,
            "card_number": "4111-1111-1111-1111",
            "expiry": "2030-12",
            "birth": "900101",
            "pwd_2digit": "12",
            "customer_uid": "cust-one",
        },
    )
    assert paid["status"] == "paid" and paid["customer_uid"] == "cust-one"
    assert paid["customer_uid_usage"] == "issue"
    assert (await api.ok("GET", "/subscribe/customers/cust-one"))[
        "card_number"
    ] == "4111-11**-****-1111"
    declined = await api.ok(
        "POST",
        "/subscribe/payments/onetime",
        json={
            "merchant_uid": "m-two",
            "amount": 1000,
            "card_number": DECLINE_LIMIT,
            "expiry": "2030-12",
        },
    )
    assert declined["status"] == "failed" and declined["fail_reason"] == "한도초과"
    invalid = (
        await api.post(
            "/subscribe/payments/onetime",
            json={
                "merchant_uid": "m-3",
                "amount": 1000,
                "card_number": INVALID,
                "expiry": "2030-12",
            },
        )
    ).json()
    assert invalid == {
        "code": -1,
        "message": "카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림",
        "response": None,
    }
