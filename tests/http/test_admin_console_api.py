"""The admin routes the operator console needs: who is signed in, a payment's story, the refund
check before sending, an order's detail; every action names the operator in the history."""

from datetime import timedelta

from adapters.http.deps import resolve
from application.gateway import Unknown
from application.ports import Work
from application.use_cases.reconcile import ReconcileCommand
from tests.http.conftest import (
    ADMIN,
    USER_A,
    Api,
    assert_problem,
    checkout,
    paid_order,
    registered_card,
)

OPERATOR = f"operator:{ADMIN}"


async def test_me_answers_an_operator_and_refuses_a_sponsor(api: Api) -> None:
    r = await api.get("/api/admin/me", who="admin")
    assert r.status_code == 200, r.text
    assert r.json() == {"user_seq": ADMIN, "admin": True}
    assert_problem(await api.get("/api/admin/me", who="a"), 403, "forbidden")
    assert (await api.get("/api/admin/me", who=None)).status_code == 401


async def test_a_sponsor_token_cannot_read_a_story_or_check_a_refund(api: Api) -> None:
    paid = await paid_order(api)
    for path in (
        f"/api/admin/payments/{paid['payment_id']}",
        f"/api/admin/payments/{paid['payment_id']}/refund-check",
        f"/api/admin/orders/{paid['order_id']}",
    ):
        assert (await api.get(path, who="a")).status_code == 403, path


async def test_the_story_holds_timeline_cancellations_webhooks_and_notes(api: Api) -> None:
    paid = await paid_order(api)
    # iamport's notification of the same payment, and a second paid try (an attention note)
    r = await api.client.post(
        "/api/webhooks/iamport",
        json={"imp_uid": paid["imp_uid"], "merchant_uid": paid["merchant_uid"], "status": "paid"},
    )
    assert r.status_code == 200, r.text
    second = api.gateway.plant_payment(paid["merchant_uid"], 10000).imp_uid
    await api.post(
        "/api/payments/complete", json={"imp_uid": second, "merchant_uid": paid["merchant_uid"]}
    )
    pid = paid["payment_id"]
    r = await api.post(
        f"/api/admin/payments/{pid}/refund",
        who="admin",
        json={"reason": "일부 환불", "amount": 3000},
    )
    assert r.status_code == 201, r.text
    r = await api.post(
        f"/api/admin/payments/{pid}/acknowledge", who="admin", json={"reason": "확인함"}
    )
    assert r.status_code == 200, r.text

    r = await api.get(f"/api/admin/payments/{pid}", who="admin")
    assert r.status_code == 200, r.text
    story = r.json()
    assert story["payment"]["id"] == pid and story["order"]["id"] == paid["order_id"]
    assert story["payment"]["cancelled_amount"] == 3000
    [cancel] = story["payment"]["cancellations"]
    assert cancel["amount"] == 3000 and cancel["requested_by"] == OPERATOR

    timeline = story["timeline"]
    approved = next(e for e in timeline if e["entity"] == "payment" and e["to_name"] == "paid")
    assert approved["from_name"] == "requested" and approved["cause"] == f"user:{USER_A}"
    assert approved["data"].get("imp_uid") == paid["imp_uid"]  # the iamport data seen
    ours = [e for e in timeline if e["cause"] == OPERATOR]
    assert {e["entity"] for e in ours} >= {"payment", "cancellation"}
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)

    assert [w["imp_uid"] for w in story["webhooks"]] == [paid["imp_uid"]]
    [note] = story["cleared_notes"]
    assert second in note["note"] and note["by"] == OPERATOR and note["reason"] == "확인함"


async def test_the_story_of_a_missing_payment_is_404(api: Api) -> None:
    assert_problem(await api.get("/api/admin/payments/424242", who="admin"), 404, "not_found")


async def test_refund_check_names_the_rule_that_would_refuse(api: Api) -> None:
    paid = await paid_order(api)
    base = f"/api/admin/payments/{paid['payment_id']}/refund-check"
    whole = (await api.get(base, who="admin")).json()
    assert whole["allowed"] and whole["amount"] == whole["refundable"] == 10000
    assert whole["tax_free"] == 0 and whole["vat_amount"] == 909
    part = (await api.get(f"{base}?amount=3000", who="admin")).json()
    assert part["allowed"] and part["amount"] == 3000
    over = (await api.get(f"{base}?amount=20000", who="admin")).json()
    assert not over["allowed"] and over["rule"] == "amount"
    api.clock.advance(days=400)  # past the card PG window: a manual bank refund still records
    late = (await api.get(base, who="admin")).json()
    assert not late["allowed"] and late["rule"] == "pg_window.card"
    manual = (await api.get(f"{base}?manual=true", who="admin")).json()
    assert manual["allowed"] and manual["amount"] == 10000
    r = await api.get(f"{base}?amount=0", who="admin")
    assert assert_problem(r, 400, "validation_error")["field"] == "amount"


async def test_refund_check_of_a_vbank_asks_for_the_refund_account(api: Api) -> None:
    started = await checkout(api, pay_method="vbank")
    imp_uid = api.gateway.plant_payment(
        started["merchant_uid"], 10000, pay_method="vbank", pg_provider="kcp"
    ).imp_uid
    r = await api.post(
        "/api/payments/complete",
        json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]},
    )
    assert r.status_code == 200 and r.json()["paid"], r.text
    base = f"/api/admin/payments/{started['payment_id']}/refund-check"
    bare = (await api.get(base, who="admin")).json()
    assert not bare["allowed"] and bare["rule"] == "vbank_refund_account"
    assert bare["needs_refund_account"] and "004" in bare["refund_banks"]
    assert (await api.get(f"{base}?refund_bank=004", who="admin")).json()["allowed"]
    wrong = (await api.get(f"{base}?refund_bank=999", who="admin")).json()
    assert wrong["rule"] == "vbank_refund_bank"


async def test_admin_order_detail_shows_payments_and_history(api: Api) -> None:
    paid = await paid_order(api)
    r = await api.get(f"/api/admin/orders/{paid['order_id']}", who="admin")
    assert r.status_code == 200, r.text
    order = r.json()
    assert [p["id"] for p in order["payments"]] == [paid["payment_id"]]
    assert "attention" in order["payments"][0]  # the operators' view of the payment
    assert {h["entity"] for h in order["history"]} >= {"order", "payment"}
    assert order["subscription"] is None and order["status"] == "paid"


async def test_an_operators_reconcile_names_them_on_what_it_repaired(api: Api) -> None:
    started = await checkout(api)
    api.gateway.plant_payment(started["merchant_uid"], 10000)  # paid; the client never said so
    api.clock.advance(minutes=1)
    r = await api.post("/api/admin/reconcile", who="admin", json={})
    assert r.status_code == 200, r.text
    assert r.json()["cause"] == f"reconcile:{OPERATOR}"
    assert [i["merchant_uid"] for i in r.json()["repaired"]] == [started["merchant_uid"]]
    story = (await api.get(f"/api/admin/payments/{started['payment_id']}", who="admin")).json()
    assert any(e["cause"] == f"reconcile:{OPERATOR}" for e in story["timeline"])


async def test_the_last_reconcile_runs_are_kept_newest_first(api: Api) -> None:
    assert (await api.get("/api/admin/reconcile/reports", who="admin")).json() == {"items": []}
    await paid_order(api)
    api.clock.advance(minutes=1)
    ran = (await api.post("/api/admin/reconcile", who="admin", json={})).json()
    await api.container.reconcile().execute(  # the scheduler's run
        ReconcileCommand(api.clock.now() - timedelta(hours=1), api.clock.now())
    )
    r = await api.get("/api/admin/reconcile/reports", who="admin")
    assert r.status_code == 200, r.text
    newest, operators = r.json()["items"]
    assert newest["cause"] == "reconcile" and operators["cause"] == f"reconcile:{OPERATOR}"
    assert operators["id"] == ran["id"] and operators["checked"] == ran["checked"] >= 1
    assert operators["ran_at"] is not None and newest["id"] > operators["id"]
    [only] = (await api.get("/api/admin/reconcile/reports?limit=1", who="admin")).json()["items"]
    assert only["id"] == newest["id"]
    assert (await api.get("/api/admin/reconcile/reports", who="a")).status_code == 403


async def test_stuck_leases_list_due_work_whose_owner_died(api: Api) -> None:
    card_id = await registered_card(api)
    api.gateway.script("charge_billing_key", Unknown("read timeout"))
    r = await api.post(
        "/api/billing/payments",
        json={"card_id": card_id, "amount": 5000, "name": "후원", "content_type_code": 1,
              "content_seq": 2},
    )  # fmt: skip
    payment_id = r.json()["payment"]["id"]
    api.clock.advance(days=1)  # its next check is due
    uow_factory = await resolve(api.container.uow_factory)
    async with uow_factory() as uow:
        claimed = await uow.leases.claim(
            Work.UNKNOWN_PAYMENTS, "instance-7", api.clock.now(), 10, timedelta(minutes=5)
        )
        await uow.commit()
    assert claimed == [payment_id]
    assert (await api.get("/api/admin/stuck-leases", who="admin")).json() == {"items": []}
    real = api.store.db_clock
    api.store.db_clock = lambda: real() + timedelta(minutes=6)  # instance-7 never came back
    r = await api.get("/api/admin/stuck-leases", who="admin")
    assert r.status_code == 200, r.text
    [stuck] = r.json()["items"]
    assert stuck["work"] == "unknown-payments" and stuck["row_id"] == payment_id
    assert stuck["owner"] == "instance-7" and stuck["lease_until"]
