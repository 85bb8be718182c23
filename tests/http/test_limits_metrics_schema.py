"""Rate limits (429 + Retry-After), metrics, health/ready, OpenAPI, problem+json everywhere."""

import pytest

from tests.http.conftest import (
    CARD,
    DEMO_TOKENS,
    ORDER,
    Api,
    assert_problem,
    body_routes,
    paid_order,
)

JSON = "application/json"
LIMITS = {
    "DOLGO_RATE_LIMIT_CARD_PER_USER": "2/hour",
    "DOLGO_RATE_LIMIT_CARD_PER_IP": "3/hour",
    "DOLGO_RATE_LIMIT_PAYMENT_PER_USER": "2/minute",
    "DOLGO_RATE_LIMIT_PAYMENT_PER_IP": "off",
}


@pytest.mark.parametrize("env", [LIMITS])
async def test_card_registration_is_limited_per_user_then_per_ip(api: Api, env: dict) -> None:
    for _ in range(2):
        assert (await api.post("/api/cards", json=CARD)).status_code == 201
    r = await api.post("/api/cards", json=CARD)
    body = assert_problem(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) > 0 and body["detail"]
    # another user from the same address: the per-IP limit (3) is reached on its 1st request
    assert (await api.post("/api/cards", who="b", json=CARD)).status_code == 201
    assert_problem(await api.post("/api/cards", who="b", json=CARD), 429, "rate_limited")
    # listing cards is not limited
    assert (await api.get("/api/cards")).status_code == 200


@pytest.mark.parametrize("env", [LIMITS])
async def test_payment_creation_is_limited_per_user(api: Api, env: dict) -> None:
    for _ in range(2):
        assert (await api.post("/api/orders", json=ORDER)).status_code == 201
    assert_problem(await api.post("/api/orders", json=ORDER), 429, "rate_limited")
    assert (await api.post("/api/orders", who="b", json=ORDER)).status_code == 201


@pytest.mark.parametrize("env", [{"DOLGO_RATE_LIMIT_WEBHOOK_PER_IP": "2/minute"}])
async def test_webhooks_are_limited_per_ip_before_anything_is_stored(api: Api, env: dict) -> None:
    body = {"imp_uid": "imp_100000000001", "merchant_uid": "dp1a1", "status": "paid"}
    for _ in range(2):
        assert (await api.client.post("/api/webhooks/iamport", json=body)).status_code == 200
    r = await api.client.post("/api/webhooks/iamport", json=body)
    assert_problem(r, 429, "rate_limited")
    inbox = (await api.get("/api/admin/webhooks", who="admin")).json()["items"]
    assert len(inbox) == 2 and len(api.gateway.calls_of("get_payment")) == 2


@pytest.mark.parametrize("env", [{"DOLGO_RATE_LIMIT_WEBHOOK_PER_IP": "2/minute"}])
async def test_the_return_page_shares_the_webhook_limit(api: Api, env: dict) -> None:
    query = {"imp_uid": "imp_100000000001", "merchant_uid": "dp1a1"}
    await api.client.post("/api/webhooks/iamport", json=query)
    assert (await api.client.get("/payments/return", params=query)).status_code == 404
    r = await api.client.get("/payments/return", params=query)
    assert_problem(r, 429, "rate_limited")
    assert len(api.gateway.calls_of("get_payment")) == 2


async def test_health_and_ready(api: Api) -> None:
    assert (await api.client.get("/health")).json() == {"status": "ok"}
    ready = (await api.client.get("/ready")).json()
    assert ready == {"status": "ready", "database": "ok", "iamport": "ok"}


async def test_ready_reports_iamport_without_failing(api: Api) -> None:
    from application.gateway import NotAttempted

    api.gateway.script("get_prepared", NotAttempted("connection refused"))
    r = await api.client.get("/ready")
    assert r.status_code == 200 and r.json()["iamport"] == "unreachable"
    assert "dolgo_pay_iamport_reachable 0.0" in (await api.client.get("/metrics")).text
    assert (await api.client.get("/ready")).json()["iamport"] == "ok"
    assert "dolgo_pay_iamport_reachable 1.0" in (await api.client.get("/metrics")).text


async def test_metrics(api: Api) -> None:
    await paid_order(api)
    await api.client.post("/api/webhooks/iamport", json={"imp_uid": "imp_x", "status": "paid"})
    text = (await api.client.get("/metrics")).text
    assert "dolgo_pay_requests_total" in text
    assert 'dolgo_pay_payments_total{method="card",status="paid"}' in text
    assert 'dolgo_pay_webhooks_received_total{status="paid"}' in text


async def _requests(api: Api, path: str, status: int) -> tuple[float, float]:
    """dolgo_pay_requests_total and the duration histogram's count for POST `path`, `status`."""
    from prometheus_client.parser import text_string_to_metric_families

    text = (await api.client.get("/metrics")).text
    labels = {"method": "POST", "path": path, "status_code": str(status)}
    found = {"dolgo_pay_requests_total": 0.0, "dolgo_pay_request_duration_seconds_count": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in found and labels.items() <= sample.labels.items():
                found[sample.name] += sample.value
    return found["dolgo_pay_requests_total"], found["dolgo_pay_request_duration_seconds_count"]


@pytest.mark.parametrize("env", [LIMITS])
async def test_metrics_count_middleware_errors_with_their_real_status(api: Api, env: dict) -> None:
    # a 429 from the rate limiter
    before_429 = await _requests(api, "/api/orders", 429)
    before_200 = await _requests(api, "/api/orders", 200)
    for _ in range(2):
        assert (await api.post("/api/orders", json=ORDER)).status_code == 201
    assert_problem(await api.post("/api/orders", json=ORDER), 429, "rate_limited")
    assert await _requests(api, "/api/orders", 429) == (before_429[0] + 1, before_429[1] + 1)
    assert await _requests(api, "/api/orders", 200) == before_200
    # a 422 from the Idempotency-Key middleware (user b: not limited yet)
    before_422 = await _requests(api, "/api/orders", 422)
    key = {"Idempotency-Key": "metrics-1"}
    assert (await api.post("/api/orders", who="b", json=ORDER, headers=key)).status_code == 201
    r = await api.post("/api/orders", who="b", json={**ORDER, "amount": 5000}, headers=key)
    assert_problem(r, 422, "idempotency_key_reused")
    assert await _requests(api, "/api/orders", 422) == (before_422[0] + 1, before_422[1] + 1)
    assert await _requests(api, "/api/orders", 200) == before_200


def test_gateway_observer_counts_latency_and_unknown() -> None:
    from adapters.metrics import metrics, observe_gateway

    before = metrics().unknown.labels("charge_billing_key")._value.get()
    observe_gateway("charge_billing_key", "unknown", 30.0)
    observe_gateway("prepare", "approved", 0.1)
    assert metrics().unknown.labels("charge_billing_key")._value.get() == before + 1


@pytest.mark.parametrize("env", [DEMO_TOKENS])
async def test_openapi_declares_every_route_with_errors(api: Api, env: dict) -> None:
    import re

    from litestar.routes import HTTPRoute

    from adapters.http.idempotency import IDEMPOTENT

    schema = (await api.client.get("/schema/openapi.json")).json()
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "patch", "delete")
    ]
    assert len(operations) >= 30
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))
    handlers = {
        (re.sub(r"\{(\w+):[^}]*\}", r"{\1}", route.path), method.lower()): handler
        for route in api.app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
    }
    assert schema["security"] == [{"BearerToken": []}]
    public = {"/health", "/ready", "/metrics", "/payments/return"}
    for path, method, op in operations:
        handler = handlers[path, method]
        # public routes override the document's BearerToken with an empty requirement
        if handler.opt.get("exclude_from_auth"):
            assert op.get("security") == [{}], (path, method)
        else:
            assert "security" not in op, (path, method)
        # the Idempotency-Key header, on exactly the routes that honour it
        headers = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "header"}
        if any(
            getattr(m, "middleware", None) is IDEMPOTENT.middleware
            for m in handler.resolve_middleware()
        ):
            key = headers["Idempotency-Key"]
            assert key["required"] is False and key["schema"]["maxLength"] == 255, (path, key)
        else:
            assert "Idempotency-Key" not in headers, (path, method)
        # 429 only where a rate limit applies
        assert ("429" in op["responses"]) == ("rate_limit" in handler.opt), (path, method)
        if path in public:
            continue
        assert "400" in op["responses"] and "500" in op["responses"], (path, method)
        problem = op["responses"]["400"]["content"]
        assert "application/problem+json" in problem, (path, method)
        assert "invalid_idempotency_key" in op["responses"]["400"]["description"]
    public_ops = {p for p, _, op in operations if op.get("security") == [{}]}
    assert public_ops == public | {"/api/webhooks/iamport", "/api/demo/token"}
    assert sum("Idempotency-Key" in str(op.get("parameters")) for _, _, op in operations) == 10
    webhook = schema["paths"]["/api/webhooks/iamport"]["post"]["responses"]
    assert "413" in webhook and "application/problem+json" in webhook["413"]["content"]
    body = schema["paths"]["/api/orders"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]
    retry = schema["paths"]["/api/orders/{order_id}/checkout"]["post"]["requestBody"]
    assert retry["required"] is False and "pay_method" in retry["description"]
    methods = schema["components"]["schemas"]["RetryCheckoutRequest"]["properties"]["pay_method"]
    assert {"card", "trans", "vbank", "phone"} <= set(methods["enum"])


async def test_an_oversized_webhook_body_is_the_declared_413(api: Api) -> None:
    r = await api.client.post(
        "/api/webhooks/iamport", content=b"x" * (65 * 1024), headers={"content-type": JSON}
    )
    assert_problem(r, 413, "http_413")


async def test_unknown_route_and_method_are_problems(api: Api) -> None:
    assert_problem(await api.client.get("/api/nothing"), 404, "not_found")
    assert_problem(
        await api.client.put("/api/orders", headers=api.auth("a")), 405, "method_not_allowed"
    )


async def test_malformed_json_is_400_naming_the_body(api: Api) -> None:
    r = await api.post(
        "/api/orders", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert assert_problem(r, 400, "validation_error")["field"] == "body"


@pytest.mark.parametrize("env", [DEMO_TOKENS])
async def test_invalid_utf8_body_is_400_naming_the_body_on_every_body_route(
    api: Api, env: dict
) -> None:
    routes = body_routes(api.app)
    assert ("POST", "/api/demo/token") in routes and len(routes) >= 12
    for method, path in routes:
        r = await api.client.request(
            method,
            path,
            content=b'{"name":"\xff"}',
            headers={**api.auth("admin" if "/admin/" in path else "a"), "content-type": JSON},
        )
        assert assert_problem(r, 400, "validation_error")["field"] == "body", (method, path)


def test_a_non_utf8_error_raised_outside_request_decoding_stays_a_500() -> None:
    from adapters.http.errors import EXCEPTION_TABLE

    try:
        b"\xff".decode()
    except UnicodeDecodeError as exc:
        answer = EXCEPTION_TABLE[UnicodeDecodeError](exc)
    assert answer.status_code == 500 and answer.extra == {"code": "internal_error"}


async def test_huge_ids_are_400_not_500(api: Api) -> None:
    r = await api.get("/api/orders/99999999999999999999999")
    assert assert_problem(r, 400, "validation_error")["field"] == "order_id"
    r = await api.get("/api/admin/payments?limit=100000", who="admin")
    assert assert_problem(r, 400, "validation_error")["field"] == "limit"


async def test_the_scheduler_runs_due_jobs() -> None:
    import asyncio
    from contextlib import suppress

    from adapters.scheduler.loop import run_scheduler
    from application.records import InboxState
    from application.use_cases.handle_webhook import ReceiveWebhookCommand
    from tests.http.conftest import make_api_parts

    _, container, store, gateway, _ = make_api_parts()
    receive = container.receive_webhook()
    message_id = await receive.execute(
        ReceiveWebhookCommand('{"imp_uid": "imp_nope", "status": "paid"}', "application/json")
    )
    task = asyncio.create_task(run_scheduler(container, tick=0.01, first_delay=0))
    for _ in range(100):
        await asyncio.sleep(0.01)
        if store.inbox[message_id].state is not InboxState.RECEIVED:
            break
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    assert store.inbox[message_id].state is InboxState.UNMATCHED
