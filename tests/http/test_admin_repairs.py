"""Operator repairs over HTTP: reprocess a stored webhook, settle an unknown refund."""

import json

from application.gateway import Unknown
from tests.http.conftest import Api, assert_problem, checkout, paid_order


async def test_an_operator_reprocesses_an_unmatched_webhook(api: Api) -> None:
    started = await checkout(api)
    body = {
        "imp_uid": "imp_990000000007",
        "merchant_uid": started["merchant_uid"],
        "status": "paid",
    }
    r = await api.client.post(
        "/api/webhooks/iamport",
        content=json.dumps(body),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 200 and r.json()["state"] == "unmatched", r.text
    [message] = (await api.get("/api/admin/webhooks?state=unmatched", who="admin")).json()["items"]
    api.gateway.plant_payment(started["merchant_uid"], 10000, imp_uid="imp_990000000007")

    r = await api.post(f"/api/admin/webhooks/{message['id']}/reprocess", who="admin")
    assert r.status_code == 200, r.text
    assert (r.json()["outcome"], r.json()["message"]["reprocessed_by"]) == (
        "processed",
        "operator:900",
    )
    r = await api.post(f"/api/admin/webhooks/{message['id']}/reprocess", who="a")
    assert r.status_code == 403, r.text
    r = await api.post("/api/admin/webhooks/424242/reprocess", who="admin")
    assert_problem(r, 404, "not_found")


async def test_an_operator_settles_an_unknown_refund_with_a_reason(api: Api) -> None:
    order = await paid_order(api)
    payment_id = (await api.get(f"/api/orders/{order['order_id']}")).json()["payments"][0]["id"]
    api.gateway.script("cancel", Unknown("read timeout"), apply=True)
    r = await api.post(f"/api/payments/{payment_id}/refund", json={"reason": "변심"})
    assert r.status_code in (200, 201, 202), r.text
    cancellation_id = r.json()["cancellation"]["id"]
    path = f"/api/admin/cancellations/{cancellation_id}/settle"

    r = await api.post(path, who="admin", json={"outcome": "succeeded"})
    assert_problem(r, 400, "validation_error")
    r = await api.post(path, who="admin", json={"outcome": "succeeded", "reason": "콘솔 확인"})
    assert r.status_code == 200, r.text
    assert (r.json()["cancellation"]["status"], r.json()["payment"]["status"]) == (
        "succeeded",
        "cancelled",
    )
    r = await api.post(path, who="admin", json={"outcome": "rejected", "reason": "again"})
    assert_problem(r, 409, "conflict")
