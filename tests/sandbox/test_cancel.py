"""POST /payments/cancel and DELETE /vbanks/{imp_uid} (docs/iamport.md §5)."""

from __future__ import annotations

REFUND = {"refund_holder": "홍길동", "refund_bank": "004", "refund_account": "12345678901234"}


async def test_partial_then_full_cancel(api, inbox, drained):
    paid = await api.pay("o-c1", 10000)
    part = await api.ok(
        "POST",
        "/payments/cancel",
        json={"imp_uid": paid["imp_uid"], "amount": 3000, "checksum": 10000, "reason": "부분"},
    )
    assert part["status"] == "paid" and part["cancel_amount"] == 3000 and part["cancelled_at"] == 0
    assert len(part["cancel_history"]) == 1 and part["cancel_history"][0]["cancellation_id"]
    full = await api.ok("POST", "/payments/cancel", data={"merchant_uid": "o-c1", "reason": "전액"})
    assert (
        full["status"] == "cancelled"
        and full["cancel_amount"] == 10000
        and full["cancelled_at"] > 0
    )
    assert [h["amount"] for h in full["cancel_history"]] == [3000, 7000]
    assert full["cancel_reason"] == "전액"
    await drained()
    assert [b["status"] for b in inbox.bodies()] == ["paid"]  # API cancels send no webhook


async def test_cancel_refusals_are_200_code_1(api):
    paid = await api.pay("o-c2", 5000)
    cases = [
        (
            {"imp_uid": "imp_000000000000", "merchant_uid": "o-c2"},
            "취소할 결제건이 존재하지 않습니다.",
        ),
        ({"merchant_uid": "nothing"}, "취소할 결제건이 존재하지 않습니다."),
        ({"imp_uid": paid["imp_uid"], "amount": 5001}, "초과"),
        ({"imp_uid": paid["imp_uid"], "amount": 1000, "checksum": 4000}, "checksum"),
        ({"imp_uid": paid["imp_uid"], "amount": 1000, "tax_free": 1}, "면세"),
        ({"imp_uid": paid["imp_uid"], "amount": 1000, "vat_amount": 1001}, "부가세"),
    ]
    for body, message in cases:
        response = await api.post("/payments/cancel", json=body)
        assert response.status_code == 200, body
        assert response.json()["code"] == 1 and message in response.json()["message"], body
    assert (await api.ok("GET", f"/payments/{paid['imp_uid']}"))["cancel_amount"] == 0
    await api.ok("POST", "/payments/cancel", json={"imp_uid": paid["imp_uid"], "amount": 0})
    again = (await api.post("/payments/cancel", json={"imp_uid": paid["imp_uid"]})).json()
    assert again == {"code": 1, "message": "이미 전액취소된 주문입니다.", "response": None}


async def test_enable_webhook_sends_cancelled_with_cancellation_id(api, inbox, drained):
    paid = await api.pay("o-c3", 5000, notice_url="http://merchant.test/hook/o-c3")
    cancelled = await api.ok(
        "POST",
        "/payments/cancel",
        json={"imp_uid": paid["imp_uid"], "amount": 1000, "enable_webhook": "true"},
    )
    await drained()
    last = inbox.received[-1]
    assert last["url"] == "http://merchant.test/hook/o-c3"
    assert last["body"] == {
        "imp_uid": paid["imp_uid"],
        "merchant_uid": "o-c3",
        "status": "cancelled",
        "cancellation_id": cancelled["cancel_history"][0]["cancellation_id"],
    }


async def test_vbank_refund_needs_refund_account(api, state):
    issued = await api.window(merchant_uid="o-vb", amount=20000, pay_method="vbank", pg="kcp")
    imp_uid = issued["rsp"]["imp_uid"]
    await api.client.post(f"/_sandbox/vbanks/{imp_uid}/deposit", json={})
    refused = (await api.post("/payments/cancel", json={"imp_uid": imp_uid})).json()
    assert refused["code"] == 1 and "refund_holder" in refused["message"]
    done = await api.ok("POST", "/payments/cancel", json={"imp_uid": imp_uid, **REFUND})
    assert done["status"] == "cancelled"


async def test_phone_payments_only_in_the_same_month_and_not_partially(api, clock):
    paid = await api.pay("o-ph", 9900, pay_method="phone", pg="danal", digital=True)
    partial = (
        await api.post("/payments/cancel", json={"imp_uid": paid["imp_uid"], "amount": 100})
    ).json()
    assert partial["code"] == 1 and "부분취소" in partial["message"]
    clock.advance(days=20)  # 2024-04-04: another month in Seoul
    late = (await api.post("/payments/cancel", json={"imp_uid": paid["imp_uid"]})).json()
    assert late["code"] == 1 and "당월" in late["message"]


async def test_revoke_unpaid_vbank(api):
    issued = await api.window(
        merchant_uid="o-rv", amount=20000, pay_method="vbank", pg="html5_inicis"
    )
    imp_uid = issued["rsp"]["imp_uid"]
    revoked = await api.ok("DELETE", f"/vbanks/{imp_uid}")
    assert revoked["status"] == "cancelled" and revoked["cancelled_at"] > 0
    assert (await api.call("DELETE", f"/vbanks/{imp_uid}")).status_code == 400
    assert (await api.call("DELETE", "/vbanks/imp_000000000000")).status_code == 404
    card = await api.pay("o-rv2", 1000)
    assert (await api.call("DELETE", f"/vbanks/{card['imp_uid']}")).status_code == 400


async def test_outage_refuses_cancels_without_applying_them(api, client):
    paid = await api.pay("o-out", 1000)
    await client.put("/_sandbox/channels/nice", json={"outage": True})
    refused = (await api.post("/payments/cancel", json={"imp_uid": paid["imp_uid"]})).json()
    assert refused["code"] != 0 and refused["response"] is None and "PG사" in refused["message"]
    assert (await api.ok("GET", f"/payments/{paid['imp_uid']}"))["cancel_amount"] == 0
