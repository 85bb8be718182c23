"""One-time payments: checkout, completion, reading, refunds."""

from tests.http.conftest import ORDER, Api, assert_problem, checkout, paid_order, plant_paid


async def test_checkout_answers_request_pay_parameters(api: Api) -> None:
    body = await checkout(api)
    params = body["request_pay"]
    assert params["merchant_uid"] == body["merchant_uid"] and len(params["merchant_uid"]) <= 40
    assert params["amount"] == 10000 and params["pay_method"] == "card"
    assert params["pg"].startswith("nice")
    assert params["notice_url"] == "https://pay.dolgo.example/api/webhooks/iamport"
    assert params["m_redirect_url"] == "https://pay.dolgo.example/payments/return"
    assert api.gateway.prepared[params["merchant_uid"]] == 10000


async def test_vbank_checkout_has_a_due_date(api: Api) -> None:
    body = await checkout(api, pay_method="vbank")
    assert len(body["request_pay"]["vbank_due"]) == 12


async def test_complete_then_read_order_and_payment(api: Api) -> None:
    paid = await paid_order(api)
    order = (await api.get(f"/api/orders/{paid['order_id']}")).json()
    assert order["status"] == "paid" and order["status_code"] == 2
    assert order["payments"][0]["status"] == "paid"
    assert [h["to_status"] for h in order["history"] if h["entity"] == "payment"] == [2]
    payment = (await api.get(f"/api/payments/{paid['payment_id']}")).json()
    assert payment["imp_uid"] == paid["imp_uid"] and payment["refundable"] == 10000
    listed = (await api.get("/api/orders")).json()
    assert [o["id"] for o in listed["items"]] == [paid["order_id"]]


async def test_complete_with_a_forged_amount_fails_the_payment(api: Api) -> None:
    started = await checkout(api)
    imp_uid = plant_paid(api, started["merchant_uid"], amount=100)
    r = await api.post(
        "/api/payments/complete",
        json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]},
    )
    assert r.status_code == 200
    assert not r.json()["paid"] and r.json()["payment_status"] == "failed"


async def test_complete_with_an_unknown_imp_uid_is_422(api: Api) -> None:
    started = await checkout(api)
    r = await api.post(
        "/api/payments/complete",
        json={"imp_uid": "imp_000000000000", "merchant_uid": started["merchant_uid"]},
    )
    assert_problem(r, 422, "verification_failed")


async def test_retry_checkout_starts_a_new_attempt(api: Api) -> None:
    started = await checkout(api)
    r = await api.post(f"/api/orders/{started['order_id']}/checkout")
    assert r.status_code == 201, r.text
    assert r.json()["merchant_uid"] != started["merchant_uid"]


async def test_retry_checkout_body_variants(api: Api) -> None:
    started = await checkout(api)
    url = f"/api/orders/{started['order_id']}/checkout"
    # an empty object (like no body) keeps the order's method
    r = await api.post(url, json={})
    assert r.status_code == 201, r.text
    assert r.json()["request_pay"]["pay_method"] == "card"
    r = await api.post(url, json={"pay_method": None})
    assert r.status_code == 201, r.text
    assert r.json()["request_pay"]["pay_method"] == "card"
    # another method: the new parameters carry it, on that method's channel
    r = await api.post(url, json={"pay_method": "vbank"})
    assert r.status_code == 201, r.text
    params = r.json()["request_pay"]
    assert params["pay_method"] == "vbank" and len(params["vbank_due"]) == 12
    assert api.gateway.prepared[params["merchant_uid"]] == 10000
    r = await api.post(url, json={"pay_method": "phone"})
    assert r.status_code == 201, r.text
    assert r.json()["request_pay"]["digital"] is True
    order = (await api.get(f"/api/orders/{started['order_id']}")).json()
    assert order["pay_method"] == "phone"
    tries = sorted(order["payments"], key=lambda p: p["attempt"])
    assert [p["pay_method"] for p in tries] == ["card", "card", "card", "vbank", "phone"]
    assert tries[3]["channel"] != tries[0]["channel"]  # the card channel takes no vbank
    assert [p["status"] for p in tries] == ["failed"] * 4 + ["requested"]


async def test_retry_checkout_with_an_unknown_method_or_field_is_400(api: Api) -> None:
    started = await checkout(api)
    url = f"/api/orders/{started['order_id']}/checkout"
    r = await api.post(url, json={"pay_method": "bitcoin"})
    assert assert_problem(r, 400, "validation_error")["field"] == "pay_method"
    r = await api.post(url, json={"method": "trans"})
    assert r.status_code == 400, r.text
    r = await api.post(url, json=["trans"])
    assert r.status_code == 400, r.text
    # nothing was started by the refused requests
    order = (await api.get(f"/api/orders/{started['order_id']}")).json()
    assert len(order["payments"]) == 1


async def test_refund_by_the_sponsor(api: Api) -> None:
    paid = await paid_order(api)
    r = await api.post(
        f"/api/payments/{paid['payment_id']}/refund", json={"reason": "단순 변심", "amount": 4000}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["cancellation"]["status"] == "succeeded" and not body["pending"]
    assert body["payment"]["refundable"] == 6000
    r = await api.post(f"/api/payments/{paid['payment_id']}/refund", json={"reason": "나머지"})
    assert r.json()["payment"]["status"] == "cancelled"
    order = (await api.get(f"/api/orders/{paid['order_id']}")).json()
    assert order["status"] == "cancelled"


async def test_refund_past_the_business_window_names_the_rule(api: Api) -> None:
    paid = await paid_order(api)
    api.clock.advance(days=30)
    r = await api.post(f"/api/payments/{paid['payment_id']}/refund", json={"reason": "늦은 요청"})
    body = assert_problem(r, 422, "refund_refused")
    assert body["rule"]


async def test_a_user_never_sees_another_users_things(api: Api) -> None:
    paid = await paid_order(api)
    for path in (f"/api/orders/{paid['order_id']}", f"/api/payments/{paid['payment_id']}"):
        assert_problem(await api.get(path, who="b"), 404, "not_found")
    r = await api.post(f"/api/payments/{paid['payment_id']}/refund", who="b", json={"reason": "x"})
    assert_problem(r, 404, "not_found")
    r = await api.post(
        "/api/payments/complete",
        who="b",
        json={"imp_uid": paid["imp_uid"], "merchant_uid": paid["merchant_uid"]},
    )
    assert_problem(r, 404, "not_found")
    assert (await api.get("/api/orders", who="b")).json()["items"] == []


async def test_bad_fields_are_named(api: Api) -> None:
    cases = [
        ({**ORDER, "amount": 0}, "amount"),
        ({**ORDER, "amount": "many"}, "amount"),
        ({**ORDER, "pay_method": "bitcoin"}, "pay_method"),
        ({**ORDER, "buyer_email": "nope"}, "buyer_email"),
        ({**ORDER, "extra": 1}, "extra"),
        ({k: v for k, v in ORDER.items() if k != "name"}, "name"),
    ]
    for body, field in cases:
        problem = assert_problem(await api.post("/api/orders", json=body), 400, "validation_error")
        assert problem["field"] == field, problem
    problem = assert_problem(
        await api.post("/api/orders", json={**ORDER, "tax_free": 20000}), 400, "invalid_value"
    )
    assert problem["field"] == "tax_free"


async def test_gateway_unavailable_is_503(api: Api) -> None:
    from application.gateway import NotAttempted

    api.gateway.script("prepare", NotAttempted("connection refused"))
    r = await api.post("/api/orders", json=ORDER)
    body = assert_problem(r, 503, "gateway_unavailable")
    assert r.headers["retry-after"] and body["detail"]


# -- vbank: the account in the completion answer, the waiting deposit in the order list ---------
def plant_vbank(api: Api, merchant_uid: str) -> str:
    from datetime import timedelta

    return plant_paid(
        api,
        merchant_uid,
        status="ready",
        pay_method="vbank",
        vbank_code="004",
        vbank_name="KB국민은행",
        vbank_num="12345678901234",
        vbank_holder="(주)돌고",
        vbank_date=api.clock.now() + timedelta(days=3),
    )


async def test_vbank_completion_carries_the_full_account_for_its_owner(api: Api) -> None:
    started = await checkout(api, pay_method="vbank")
    imp_uid = plant_vbank(api, started["merchant_uid"])
    r = await api.post(
        "/api/payments/complete",
        json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["payment_status"] == "ready" and not body["paid"]
    assert body["order_status"] == "ordered"
    vbank = body["vbank"]
    assert vbank["bank_code"] == "004" and vbank["bank_name"] == "KB국민은행"
    assert vbank["number"] == "12345678901234"  # the payer deposits into it
    assert vbank["holder"] == "(주)돌고"
    assert vbank["due_at"].startswith("2026-03-05")
    # another user's completion of it is the 404 of a missing payment, with nothing in it
    other = await api.post(
        "/api/payments/complete",
        who="b",
        json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]},
    )
    assert_problem(other, 404, "not_found")
    assert "12345678901234" not in other.text


async def test_a_card_completion_has_no_vbank(api: Api) -> None:
    started = await checkout(api)
    imp_uid = plant_paid(api, started["merchant_uid"])
    r = await api.post(
        "/api/payments/complete",
        json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]},
    )
    assert r.json()["paid"] and "vbank" not in r.json()


async def test_orders_carry_their_latest_payment(api: Api) -> None:
    waiting = await checkout(api, pay_method="vbank")
    imp_uid = plant_vbank(api, waiting["merchant_uid"])
    await api.post(
        "/api/payments/complete",
        json={"imp_uid": imp_uid, "merchant_uid": waiting["merchant_uid"]},
    )
    paid = await paid_order(api)
    retried = await checkout(api)
    again = await api.post(f"/api/orders/{retried['order_id']}/checkout")
    fresh = await checkout(api, who="b")

    listed = {o["id"]: o for o in (await api.get("/api/orders")).json()["items"]}
    assert set(listed) == {waiting["order_id"], paid["order_id"], retried["order_id"]}
    w = listed[waiting["order_id"]]
    assert w["status"] == "ordered" and w["latest_payment_status"] == "ready"
    assert w["latest_payment_id"] == waiting["payment_id"]
    p = listed[paid["order_id"]]
    assert (p["latest_payment_id"], p["latest_payment_status"]) == (paid["payment_id"], "paid")
    r = listed[retried["order_id"]]
    assert r["latest_payment_id"] == again.json()["payment_id"] != retried["payment_id"]

    detail = (await api.get(f"/api/orders/{waiting['order_id']}")).json()
    assert detail["latest_payment_id"] == waiting["payment_id"]
    assert detail["latest_payment_status"] == "ready"
    assert detail["payments"][0]["vbank"]["number"] == "12345678901234"

    admin = (await api.get("/api/admin/orders", who="admin")).json()["items"]
    by_id = {o["id"]: o for o in admin}
    assert by_id[fresh["order_id"]]["latest_payment_id"] == fresh["payment_id"]
    assert by_id[fresh["order_id"]]["latest_payment_status"] == "requested"


async def test_an_unpaid_vbank_past_due_is_expired_and_closed_at_iamport_where_the_pg_closes(
    api: Api,
) -> None:
    from datetime import timedelta

    from adapters.scheduler.jobs import JOBS

    started = await checkout(api, pay_method="vbank")  # html5_inicis: closes_vbanks in demo
    imp_uid = plant_vbank(api, started["merchant_uid"])
    api.gateway.update_payment(imp_uid, pg_provider="html5_inicis")
    r = await api.post(
        "/api/payments/complete",
        json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]},
    )
    assert r.json()["payment_status"] == "ready", r.text
    api.clock.advance(timedelta(days=4))

    await JOBS["expire-vbanks"][1](api.container)

    assert api.gateway.calls_of("close_vbank") == [imp_uid]
