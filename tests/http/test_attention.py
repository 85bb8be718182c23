"""What Settlement reports on a payment is an operator's: listed and acknowledged on admin
routes, never shown to the sponsor."""

from tests.http.conftest import Api, assert_problem, paid_order


async def test_an_admin_sees_and_acknowledges_the_attention_and_a_user_never_sees_it(
    api: Api,
) -> None:
    order = await paid_order(api)
    # the sponsor paid a second time in the same window: iamport holds two paid tries
    second = api.gateway.plant_payment(order["merchant_uid"], 10000).imp_uid
    r = await api.post(
        "/api/payments/complete",
        json={"imp_uid": second, "merchant_uid": order["merchant_uid"]},
    )
    assert r.status_code == 200, r.text

    r = await api.get("/api/admin/payments?attention_only=true", who="admin")
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    assert second in item["attention"] and item["attention_at"] is not None
    payment_id = item["id"]

    mine = await api.get(f"/api/payments/{payment_id}")
    assert mine.status_code == 200, mine.text
    assert "attention" not in mine.json() and "attention_at" not in mine.json()
    listed = (await api.get(f"/api/orders/{order['order_id']}")).json()
    assert "attention" not in str(listed)

    r = await api.post(f"/api/admin/payments/{payment_id}/acknowledge", json={"reason": "x"})
    assert r.status_code == 403  # a user's token
    r = await api.post(
        f"/api/admin/payments/{payment_id}/acknowledge",
        who="admin",
        json={"reason": "콘솔에서 두 번째 결제를 취소함"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["attention"] is None
    r = await api.get("/api/admin/payments?attention_only=true", who="admin")
    assert r.json()["items"] == []
    r = await api.post(
        f"/api/admin/payments/{payment_id}/acknowledge", who="admin", json={"reason": "again"}
    )
    assert_problem(r, 409, "conflict")
