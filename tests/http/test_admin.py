"""Admin routes: search, refunds, manual refund, settling unknown outcomes, inbox, reconcile."""

from application.gateway import Unknown
from tests.http.conftest import (
    ADMIN,
    USER_A,
    Api,
    assert_problem,
    checkout,
    paid_order,
    registered_card,
)


async def test_search_orders_and_payments_with_filters(api: Api) -> None:
    paid = await paid_order(api)
    await checkout(api, who="b", pay_method="vbank")
    orders = (await api.get(f"/api/admin/orders?user_seq={USER_A}", who="admin")).json()["items"]
    assert [o["id"] for o in orders] == [paid["order_id"]]
    everyone = (await api.get("/api/admin/orders", who="admin")).json()["items"]
    assert len(everyone) == 2
    r = await api.get("/api/admin/payments?status=paid&method=card&channel=nice", who="admin")
    assert [p["id"] for p in r.json()["items"]] == [paid["payment_id"]]
    r = await api.get(f"/api/admin/payments?imp_uid={paid['imp_uid']}", who="admin")
    assert len(r.json()["items"]) == 1
    r = await api.get(f"/api/admin/payments?merchant_uid={paid['merchant_uid']}", who="admin")
    assert len(r.json()["items"]) == 1
    r = await api.get("/api/admin/payments?status=bogus", who="admin")
    assert assert_problem(r, 400, "validation_error")["field"] == "status"


async def test_operator_refund_past_the_business_window(api: Api) -> None:
    paid = await paid_order(api)
    api.clock.advance(days=30)
    r = await api.post(
        f"/api/admin/payments/{paid['payment_id']}/refund",
        who="admin",
        json={"reason": "운영자 환불"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["payment"]["status"] == "cancelled"
    assert body["cancellation"]["requested_by"] == f"operator:{ADMIN}"


async def test_manual_refund_is_recorded(api: Api) -> None:
    paid = await paid_order(api)
    r = await api.post(
        f"/api/admin/payments/{paid['payment_id']}/manual-refund",
        who="admin",
        json={"amount": 3000, "reason": "계좌이체로 환불"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["payment"]["cancelled_amount"] == 3000


async def test_unknown_outcome_is_listed_and_settled_by_hand(api: Api) -> None:
    card_id = await registered_card(api)
    api.gateway.script("charge_billing_key", Unknown("read timeout"))
    r = await api.post(
        "/api/billing/payments",
        json={
            "card_id": card_id,
            "amount": 5000,
            "name": "후원",
            "content_type_code": 1,
            "content_seq": 2,
        },
    )
    assert r.status_code == 201 and r.json()["state"] == "unknown"
    payment_id = r.json()["payment"]["id"]
    unknown = (await api.get("/api/admin/unknown-outcomes", who="admin")).json()
    assert [p["payment_id"] for p in unknown["payments"]] == [payment_id]
    r = await api.get("/api/admin/payments?unknown_only=true", who="admin")
    assert [p["id"] for p in r.json()["items"]] == [payment_id]
    r = await api.post(
        f"/api/admin/payments/{payment_id}/settle",
        who="admin",
        json={"outcome": "failed", "reason": "PG사 확인 결과 미승인"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "failed"


async def test_reconcile_reports(api: Api) -> None:
    await paid_order(api)
    api.clock.advance(minutes=1)
    r = await api.post("/api/admin/reconcile", who="admin", json={})
    assert r.status_code == 200, r.text
    assert r.json()["checked"] >= 1
    r = await api.post(
        "/api/admin/reconcile",
        who="admin",
        json={"since": "2026-03-02T00:00:00Z", "until": "2026-03-01T00:00:00Z"},
    )
    assert assert_problem(r, 400, "invalid_value")["field"] == "since"
