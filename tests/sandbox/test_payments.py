"""Prepare, lookups and the Payment object (docs/iamport.md §3, §4)."""

from __future__ import annotations

from .swagger import require_swagger, swagger


async def test_prepare_post_get_put(api):
    assert await api.ok(
        "POST", "/payments/prepare", json={"merchant_uid": "o1", "amount": 12000}
    ) == {
        "merchant_uid": "o1",
        "amount": 12000,
        "currency": None,
    }
    again = (
        await api.post("/payments/prepare", data={"merchant_uid": "o1", "amount": "5000"})
    ).json()
    assert again["code"] == 1 and again["response"] is None
    assert "이미 등록된 merchant_uid" in again["message"]
    assert (await api.ok("GET", "/payments/prepare/o1"))["amount"] == 12000
    assert (
        await api.ok("PUT", "/payments/prepare", data={"merchant_uid": "o1", "amount": "5000"})
    )["amount"] == 5000
    missing = await api.call(
        "PUT", "/payments/prepare", json={"merchant_uid": "never", "amount": 1}
    )
    assert missing.status_code == 404 and missing.json()["response"] is None


async def test_payment_object_has_every_swagger_field(api):
    payment = await api.pay(
        "o-fields", 10000, custom_data={"sponsor": 7, "이름": "후원"}, buyer_name="홍길동"
    )
    require_swagger()
    annotation = swagger()["definitions"]["PaymentAnnotation"]["properties"]
    assert set(annotation) <= set(payment)
    assert payment["imp_uid"].startswith("imp_") and len(payment["imp_uid"]) == 16
    assert payment["imp_uid"][4:].isdigit()
    assert payment["custom_data"] == '{"sponsor": 7, "이름": "후원"}'
    assert payment["status"] == "paid" and payment["sandbox"] is False
    assert payment["failed_at"] == 0 and payment["cancelled_at"] == 0 and payment["vbank_date"] == 0
    assert payment["fail_reason"] is None and payment["cancel_reason"] is None
    assert payment["card_number"] == "4111-11**-****-1111" and payment["card_name"] == "신한카드"
    assert payment["pg_provider"] == "nice" and payment["channel"] == "pc"


async def test_unknown_imp_uid_is_404(api):
    response = await api.get("/payments/imp_123456789012")
    assert response.status_code == 404
    assert response.json() == {
        "code": -1,
        "message": "존재하지 않는 결제정보입니다.",
        "response": None,
    }


async def test_test_channel_payments_are_hidden_unless_include_sandbox(api):
    result = await api.window(merchant_uid="o-test", amount=1000, pg="nice.nictest04m")
    imp_uid = result["rsp"]["imp_uid"]
    assert (await api.get(f"/payments/{imp_uid}")).status_code == 404
    shown = await api.ok("GET", f"/payments/{imp_uid}", params={"include_sandbox": "true"})
    assert shown["sandbox"] is True and shown["pg_id"] == "nictest04m"


async def test_multi_get_200_207_404(api):
    a = await api.pay("o-a", 1000)
    b = await api.pay("o-b", 2000)
    both = await api.get(
        "/payments", params=[("imp_uid[]", a["imp_uid"]), ("merchant_uid[]", "o-b")]
    )
    assert both.status_code == 200
    assert [p["imp_uid"] for p in both.json()["response"]] == [a["imp_uid"], b["imp_uid"]]
    some = await api.get(
        "/payments", params=[("imp_uid[]", a["imp_uid"]), ("imp_uid[]", "imp_000000000000")]
    )
    assert some.status_code == 207 and len(some.json()["response"]) == 1
    none = await api.get("/payments", params=[("imp_uid[]", "imp_000000000000")])
    assert none.status_code == 404 and none.json()["response"] is None


async def test_find_returns_the_first_by_sorting_and_filters_by_status(api, clock):
    closed = await api.window(action="close", merchant_uid="o-many", amount=3000)
    clock.advance(seconds=10)
    paid = await api.pay("o-many", 3000)
    latest = await api.ok("GET", "/payments/find/o-many")
    assert latest["imp_uid"] == paid["imp_uid"]
    oldest = await api.ok("GET", "/payments/find/o-many", params={"sorting": "started"})
    assert oldest["imp_uid"] == closed["rsp"]["imp_uid"] and oldest["status"] == "ready"
    assert (await api.ok("GET", "/payments/find/o-many/ready"))["imp_uid"] == closed["rsp"][
        "imp_uid"
    ]
    assert (await api.get("/payments/find/o-many/cancelled")).status_code == 404
    assert (await api.get("/payments/find/nothing")).status_code == 404


async def test_find_all_is_paged(api, clock):
    for _ in range(3):
        await api.window(action="fail", merchant_uid="o-paged", amount=100)
        clock.advance(seconds=1)
    first = await api.ok("GET", "/payments/findAll/o-paged", params={"limit": 2})
    assert (first["total"], first["previous"], first["next"], len(first["list"])) == (3, 0, 2, 2)
    second = await api.ok("GET", "/payments/findAll/o-paged/failed", params={"limit": 2, "page": 2})
    assert (second["total"], second["previous"], second["next"], len(second["list"])) == (
        3,
        1,
        0,
        1,
    )
    assert (
        first["list"][0]["started_at"]
        >= first["list"][1]["started_at"]
        >= second["list"][0]["started_at"]
    )
    assert (await api.get("/payments/findAll/o-paged/paid")).status_code == 404
    assert (await api.get("/payments/findAll/o-paged/bogus")).status_code == 400


async def test_status_listing_with_time_window_and_paging(api, clock):
    start = int(clock.now.timestamp())
    await api.pay("o-s1", 100)
    clock.advance(hours=1)
    await api.pay("o-s2", 200)
    await api.window(action="fail", merchant_uid="o-s3", amount=300)
    paid = await api.ok("GET", "/payments/status/paid")
    assert paid["total"] == 2 and {p["merchant_uid"] for p in paid["list"]} == {"o-s1", "o-s2"}
    early = await api.ok("GET", "/payments/status/paid", params={"from": start, "to": start + 60})
    assert [p["merchant_uid"] for p in early["list"]] == ["o-s1"]
    everything = await api.ok(
        "GET", "/payments/status/all", params={"limit": 1, "sorting": "started"}
    )
    assert everything["total"] == 3 and everything["next"] == 2
    assert everything["list"][0]["merchant_uid"] == "o-s1"
    assert (await api.ok("GET", "/payments/status/failed"))["total"] == 1
    assert (await api.get("/payments/status/unknown")).status_code == 400
    too_long = {"from": start - 91 * 86400, "to": start}
    assert (await api.get("/payments/status/all", params=too_long)).status_code == 400
    assert (await api.get("/payments/status/all", params={"page": 9})).status_code == 400
