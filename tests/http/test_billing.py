"""One-click payments and monthly sponsorships."""

from tests.http.conftest import Api, assert_problem, registered_card

ONE_CLICK = {"amount": 5000, "name": "한 번 후원", "content_type_code": 1, "content_seq": 9}
MONTHLY = {**ONE_CLICK, "name": "정기후원", "billing_day": 31}


async def test_one_click_paid(api: Api) -> None:
    card_id = await registered_card(api)
    r = await api.post("/api/billing/payments", json={**ONE_CLICK, "card_id": card_id})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "paid" and body["payment"]["status"] == "paid"
    assert body["order"]["type"] == "one_click"


async def test_one_click_declined_is_a_result_with_the_reason(api: Api) -> None:
    card_id = await registered_card(api)
    customer_uid = next(iter(api.gateway.keys))
    api.gateway.declining[customer_uid] = "잔액부족"
    r = await api.post("/api/billing/payments", json={**ONE_CLICK, "card_id": card_id})
    assert r.status_code == 201
    assert r.json()["state"] == "failed" and r.json()["fail_reason"] == "잔액부족"


async def test_one_click_with_another_users_card_is_404(api: Api) -> None:
    card_id = await registered_card(api, who="b")
    r = await api.post("/api/billing/payments", json={**ONE_CLICK, "card_id": card_id})
    assert_problem(r, 404, "not_found")


async def test_subscription_lifecycle(api: Api) -> None:
    card_id = await registered_card(api)
    r = await api.post("/api/subscriptions", json={**MONTHLY, "card_id": card_id})
    assert r.status_code == 201, r.text
    order = r.json()["order"]
    assert r.json()["state"] == "paid" and order["status"] == "routine"
    assert order["subscription"]["billing_day"] == 31

    listed = (await api.get("/api/subscriptions")).json()["items"]
    assert [o["id"] for o in listed] == [order["id"]]

    r = await api.client.patch(
        f"/api/subscriptions/{order['id']}",
        json={"amount": 7000, "billing_day": 15},
        headers=api.auth("a"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["subscription"]["next_amount"] == 7000
    assert r.json()["subscription"]["billing_day"] == 15

    r = await api.post(f"/api/subscriptions/{order['id']}/cancel", json={"reason": "그만"})
    assert r.status_code == 200 and r.json()["status"] == "routine_cancelled"
    r = await api.post(f"/api/subscriptions/{order['id']}/cancel", json={})
    assert r.status_code == 200 and r.json()["status"] == "routine_cancelled"  # idempotent
    r = await api.client.patch(
        f"/api/subscriptions/{order['id']}", json={"amount": 1000}, headers=api.auth("a")
    )
    assert_problem(r, 409, "invalid_transition")


async def test_card_of_an_active_subscription_cannot_be_deleted(api: Api) -> None:
    card_id = await registered_card(api)
    await api.post("/api/subscriptions", json={**MONTHLY, "card_id": card_id})
    r = await api.client.delete(f"/api/cards/{card_id}", headers=api.auth("a"))
    assert_problem(r, 409, "card_in_use")


async def test_another_users_subscription_is_404(api: Api) -> None:
    card_id = await registered_card(api)
    order = (await api.post("/api/subscriptions", json={**MONTHLY, "card_id": card_id})).json()
    oid = order["order"]["id"]
    r = await api.client.patch(
        f"/api/subscriptions/{oid}", json={"amount": 1000}, headers=api.auth("b")
    )
    assert_problem(r, 404, "not_found")
    assert_problem(
        await api.post(f"/api/subscriptions/{oid}/cancel", who="b", json={}), 404, "not_found"
    )


async def test_billing_day_out_of_range_is_400(api: Api) -> None:
    card_id = await registered_card(api)
    r = await api.post(
        "/api/subscriptions", json={**MONTHLY, "card_id": card_id, "billing_day": 32}
    )
    assert assert_problem(r, 400, "validation_error")["field"] == "billing_day"
