"""The iamport webhook (JSON and form, allow-list) and the m_redirect_url landing page."""

import pytest

from tests.http.conftest import Api, assert_problem, checkout, plant_paid


async def _paid_at_iamport(api: Api) -> tuple[dict, str]:
    started = await checkout(api)
    return started, plant_paid(api, started["merchant_uid"])


async def test_json_webhook_is_stored_and_processed(api: Api) -> None:
    started, imp_uid = await _paid_at_iamport(api)
    r = await api.client.post(
        "/api/webhooks/iamport",
        json={
            "imp_uid": imp_uid,
            "merchant_uid": started["merchant_uid"],
            "status": "paid",
            "x": 1,
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "processed"
    order = (await api.get(f"/api/orders/{started['order_id']}")).json()
    assert order["status"] == "paid"


async def test_form_webhook_twice_makes_one_transition(api: Api) -> None:
    started, imp_uid = await _paid_at_iamport(api)
    body = f"imp_uid={imp_uid}&merchant_uid={started['merchant_uid']}&status=paid"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    for _ in range(2):
        r = await api.client.post("/api/webhooks/iamport", content=body, headers=headers)
        assert r.status_code == 200
    order = (await api.get(f"/api/orders/{started['order_id']}")).json()
    assert [h["to_status"] for h in order["history"] if h["entity"] == "payment"] == [2]
    inbox = (await api.get("/api/admin/webhooks", who="admin")).json()["items"]
    assert len(inbox) == 2


async def test_unknown_merchant_uid_is_stored_and_answered_200(api: Api) -> None:
    imp_uid = plant_paid(api, "someone_elses_uid")
    r = await api.client.post(
        "/api/webhooks/iamport",
        json={"imp_uid": imp_uid, "merchant_uid": "someone_elses_uid", "status": "paid"},
    )
    assert r.status_code == 200 and r.json()["state"] == "unmatched"


async def test_processing_failure_still_answers_200(api: Api) -> None:
    from application.gateway import Unknown

    started, imp_uid = await _paid_at_iamport(api)
    api.gateway.script("get_payment", Unknown("timeout"))
    r = await api.client.post(
        "/api/webhooks/iamport",
        json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"], "status": "paid"},
    )
    assert r.status_code == 200 and r.json()["state"] == "failed"
    inbox = (await api.get("/api/admin/webhooks?state=failed", who="admin")).json()["items"]
    assert len(inbox) == 1 and inbox[0]["next_attempt_at"]


@pytest.mark.parametrize(
    "env",
    [{"DOLGO_WEBHOOK_ALLOWED_IPS": "52.78.100.19", "DOLGO_TRUSTED_PROXIES": "127.0.0.0/8"}],
)
async def test_source_ip_allow_list(api: Api, env: dict) -> None:
    body = {"imp_uid": "imp_1", "merchant_uid": "x", "status": "paid"}
    r = await api.client.post("/api/webhooks/iamport", json=body)
    assert_problem(r, 403, "webhook_source_forbidden")
    r = await api.client.post(
        "/api/webhooks/iamport", json=body, headers={"X-Forwarded-For": "1.2.3.4, 52.78.100.19"}
    )
    # The test client's peer ("testclient") is no trusted proxy: its X-Forwarded-For is ignored.
    assert_problem(r, 403, "webhook_source_forbidden")


def test_client_ip_trusts_forwarded_for_only_from_proxies() -> None:
    import ipaddress

    from adapters.http.network import client_ip

    class Conn:
        def __init__(self, peer: str, xff: str | None) -> None:
            self.client = type("C", (), {"host": peer})()
            self.headers = type("H", (), {"getall": lambda _s, _k, _d=(): [xff] if xff else []})()

    proxies = [ipaddress.ip_network("10.0.0.0/8")]
    assert client_ip(Conn("10.0.0.5", "52.78.100.19"), proxies) == "52.78.100.19"  # type: ignore[arg-type]
    assert client_ip(Conn("10.0.0.5", "6.6.6.6, 52.78.100.19, 10.0.0.9"), proxies) == "52.78.100.19"  # type: ignore[arg-type]
    assert client_ip(Conn("8.8.8.8", "52.78.100.19"), proxies) == "8.8.8.8"  # type: ignore[arg-type]
    assert client_ip(Conn("8.8.8.8", "52.78.100.19"), []) == "8.8.8.8"  # type: ignore[arg-type]


async def test_return_page_completes_and_shows_korean_result(api: Api) -> None:
    started, imp_uid = await _paid_at_iamport(api)
    r = await api.client.get(
        "/payments/return",
        params={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"], "imp_success": "true"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "결제가 완료되었습니다" in r.text and 'data-status="paid"' in r.text
    order = (await api.get(f"/api/orders/{started['order_id']}")).json()
    assert order["status"] == "paid"


async def test_return_page_for_an_abandoned_window(api: Api) -> None:
    started = await checkout(api)
    imp_uid = plant_paid(api, started["merchant_uid"], status="failed", fail_reason="사용자 취소")
    r = await api.client.get(
        "/payments/return",
        params={
            "imp_uid": imp_uid,
            "merchant_uid": started["merchant_uid"],
            "error_msg": "<script>",
        },
    )
    assert 'data-status="failed"' in r.text and "<script>" not in r.text


async def test_return_page_for_an_unknown_order_is_404_html(api: Api) -> None:
    r = await api.client.get("/payments/return", params={"merchant_uid": "dp1a1"})
    assert r.status_code == 404 and "주문을 찾을 수 없습니다" in r.text


MALFORMED = [
    ("imp_uid", "imp_1\n2026-12-01 ERROR forged"),
    ("imp_uid", "../../users/getToken"),
    ("imp_uid", "imp_" + "1" * 29),
    ("imp_uid", 100000000001),
    ("imp_uid", ["imp_1"]),
    ("merchant_uid", "dp1 a1"),
    ("merchant_uid", "dp" + "1" * 39),
    ("merchant_uid", "주문1"),
    ("status", "PAID"),
    ("status", True),
]


@pytest.mark.parametrize(("field", "value"), MALFORMED)
async def test_a_malformed_webhook_field_is_stored_then_refused_naming_it(
    api: Api, field: str, value: object
) -> None:
    body = {"imp_uid": "imp_100000000001", "merchant_uid": "dp1a1", "status": "paid"}
    r = await api.client.post("/api/webhooks/iamport", json={**body, field: value})
    assert assert_problem(r, 400, "invalid_value")["field"] == field
    (stored,) = (await api.get("/api/admin/webhooks", who="admin")).json()["items"]
    assert stored["state"] == "unmatched"
    assert api.gateway.calls_of("get_payment") == []  # never looked up


async def test_a_webhook_with_iamports_formats_is_looked_up(api: Api) -> None:
    body = {"imp_uid": "imp_100000000001", "merchant_uid": "dp1a1", "status": "cancelled"}
    r = await api.client.post("/api/webhooks/iamport", json=body)
    assert r.status_code == 200, r.text
    assert api.gateway.calls_of("get_payment") == ["imp_100000000001"]
