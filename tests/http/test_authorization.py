"""The authorization matrix, generated from the app's own route table.

Every (method, path) of the app must have a rule here: a new route without one fails.
  public — no token needed
  user   — any valid token; no token → 401
  admin  — role admin; no token → 401, a user's token → 403
"""

import re
from typing import Any

import pytest
from litestar.routes import ASGIRoute, HTTPRoute

from tests.http.conftest import (
    CARD,
    DEMO_TOKENS,
    Api,
    assert_problem,
    paid_order,
    registered_card,
)

RULES: dict[tuple[str, str], str] = {
    ("GET", "/health"): "public",
    ("GET", "/ready"): "public",
    ("GET", "/metrics"): "public",
    ("POST", "/api/webhooks/iamport"): "public",
    ("GET", "/payments/return"): "public",
    ("POST", "/api/demo/token"): "public",
    ("GET", "/admin"): "public",  # the console's page; its data needs role admin
    ("POST", "/api/orders"): "user",
    ("GET", "/api/orders"): "user",
    ("GET", "/api/orders/{order_id:int}"): "user",
    ("POST", "/api/orders/{order_id:int}/checkout"): "user",
    ("POST", "/api/payments/complete"): "user",
    ("GET", "/api/payments/{payment_id:int}"): "user",
    ("POST", "/api/payments/{payment_id:int}/refund"): "user",
    ("POST", "/api/cards"): "user",
    ("GET", "/api/cards"): "user",
    ("DELETE", "/api/cards/{card_id:int}"): "user",
    ("POST", "/api/cards/{card_id:int}/complete"): "user",
    ("POST", "/api/cards/{card_id:int}/backup"): "user",
    ("POST", "/api/billing/payments"): "user",
    ("POST", "/api/subscriptions"): "user",
    ("GET", "/api/subscriptions"): "user",
    ("PATCH", "/api/subscriptions/{order_id:int}"): "user",
    ("POST", "/api/subscriptions/{order_id:int}/cancel"): "user",
    ("GET", "/api/admin/orders"): "admin",
    ("GET", "/api/admin/payments"): "admin",
    ("POST", "/api/admin/payments/{payment_id:int}/refund"): "admin",
    ("POST", "/api/admin/payments/{payment_id:int}/manual-refund"): "admin",
    ("POST", "/api/admin/payments/{payment_id:int}/settle"): "admin",
    ("POST", "/api/admin/payments/{payment_id:int}/acknowledge"): "admin",
    ("GET", "/api/admin/webhooks"): "admin",
    ("POST", "/api/admin/reconcile"): "admin",
    ("GET", "/api/admin/unknown-outcomes"): "admin",
    ("GET", "/api/admin/me"): "admin",
    ("GET", "/api/admin/stuck-leases"): "admin",
    ("GET", "/api/admin/reconcile/reports"): "admin",
    ("GET", "/api/admin/orders/{order_id:int}"): "admin",
    ("GET", "/api/admin/payments/{payment_id:int}"): "admin",
    ("GET", "/api/admin/payments/{payment_id:int}/refund-check"): "admin",
    ("GET", "/api/admin/channels"): "admin",
    ("PUT", "/api/admin/channels/{name:str}/breaker"): "admin",
    ("GET", "/api/admin/events"): "admin",
    ("GET", "/api/admin/events/{event_id:str}"): "admin",
    ("POST", "/api/admin/events/{event_id:str}/resend"): "admin",
    ("GET", "/api/admin/event-deliveries"): "admin",
    ("POST", "/api/admin/webhooks/{message_id:int}/reprocess"): "admin",
    ("POST", "/api/admin/cancellations/{cancellation_id:int}/settle"): "admin",
    ("POST", "/api/admin/key-in-payments"): "admin",
    ("POST", "/api/payments/{payment_id:int}/cash-receipts"): "user",
    ("GET", "/api/payments/{payment_id:int}/cash-receipts"): "user",
    ("POST", "/api/admin/payments/{payment_id:int}/cash-receipts"): "admin",
    ("GET", "/api/admin/payments/{payment_id:int}/cash-receipts"): "admin",
    ("GET", "/api/admin/settlements"): "admin",
    ("GET", "/api/admin/settlements.csv"): "admin",
}

# Routes that are not part of the API proper (schema UI, mounts, the pages' files).
SKIPPED_PREFIXES = ("/schema", "/sandbox", "/demo/static", "/admin/static")


def api_routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, ASGIRoute) or route.path.startswith(SKIPPED_PREFIXES):
            continue
        assert isinstance(route, HTTPRoute)
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            if route.path == "/" and method == "GET":
                continue  # the demo page
            found.append((method, route.path))
    return found


def concrete(path: str, ids: dict[str, int]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + ":int}", str(value))
    return re.sub(r"\{\w+:int\}", "1", path)  # ids no user owns (inbox messages, refunds)


@pytest.mark.parametrize("env", [DEMO_TOKENS])
def test_every_route_has_a_rule(api: Api, env: dict) -> None:
    routes = api_routes(api.app)
    missing = [r for r in routes if r not in RULES]
    assert not missing, f"routes without an authorization rule: {missing}"
    stale = [r for r in RULES if r not in routes]
    assert not stale, f"rules for routes that do not exist: {stale}"


async def _ids(api: Api) -> dict[str, int]:
    """Resources of user A, for the {id} routes."""
    paid = await paid_order(api, who="a")
    card_id = await registered_card(api, who="a")
    sub = await api.post(
        "/api/subscriptions",
        json={
            "card_id": card_id,
            "amount": 1000,
            "billing_day": 5,
            "name": "월 후원",
            "content_type_code": 1,
            "content_seq": 1,
        },
    )
    return {
        "order_id": paid["order_id"],
        "payment_id": paid["payment_id"],
        "card_id": card_id,
        "order_id_sub": sub.json()["order"]["id"],
    }


async def _call(api: Api, method: str, path: str, who: Any) -> Any:
    headers = api.auth(who)
    body = None if method in ("GET", "DELETE") else {}
    return await api.client.request(method, path, json=body, headers=headers)


async def test_no_token_and_wrong_role(api: Api) -> None:
    ids = await _ids(api)
    for (method, template), rule in RULES.items():
        if rule == "public":
            continue
        path = concrete(template, ids)
        assert_problem(await _call(api, method, path, None), 401, "unauthorized")
        assert_problem(
            await api.client.request(
                method, path, json={}, headers={"Authorization": "Bearer not.a.jwt"}
            ),
            401,
            "unauthorized",
        )
        if rule == "admin":
            assert_problem(await _call(api, method, path, "a"), 403, "forbidden")


async def test_user_b_gets_404_on_every_route_naming_user_a_resources(api: Api) -> None:
    ids = await _ids(api)
    with_ids = {
        "order_id": ids["order_id"],
        "payment_id": ids["payment_id"],
        "card_id": ids["card_id"],
    }
    for (method, template), rule in RULES.items():
        if rule != "user" or "{" not in template:
            continue
        if template.startswith("/api/subscriptions"):
            path = template.replace("{order_id:int}", str(ids["order_id_sub"]))
        else:
            path = concrete(template, with_ids)
        body: Any = None
        if method == "POST" and template.endswith("/refund"):
            body = {"reason": "남의 결제"}
        elif method == "POST" and template.endswith("/cash-receipts"):
            body = {"kind": "personal", "identifier": "010-1234-5678"}
        elif method == "PATCH":
            body = {"amount": 1000}
        elif method == "POST":
            body = {}
        r = await api.client.request(method, path, json=body, headers=api.auth("b"))
        assert_problem(r, 404, "not_found")
        # ... and user A reaches each one: an answer of the route itself, never 401/403/404 or 5xx
        r = await api.client.request(method, path, json=body, headers=api.auth("a"))
        assert r.status_code < 500 and r.status_code not in (401, 403, 404), (method, path, r.text)


# Admin routes whose body has required fields (the others take `{}`).
ADMIN_BODIES: dict[str, dict[str, Any]] = {
    "/api/admin/key-in-payments": {
        "user_seq": 7,
        "amount": 1000,
        "name": "전화 후원",
        "content_type_code": 1,
        "content_seq": 1,
        **{k: v for k, v in CARD.items() if k != "issuance"},
    }
}


async def test_admin_reaches_admin_routes(api: Api) -> None:
    for (method, template), rule in RULES.items():
        if rule != "admin" or "{" in template:
            continue
        if template in ADMIN_BODIES:
            r = await api.post(template, who="admin", json=ADMIN_BODIES[template])
        else:
            r = await _call(api, method, template, "admin")
        assert r.status_code in (200, 201), (method, template, r.text)


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "abc"},
        {"sub": "-3"},
        {"sub": "7", "exp": 1},
        {"sub": "7", "no_exp": True},
    ],
)
async def test_bad_tokens_are_401(api: Api, claims: dict) -> None:
    from datetime import UTC, datetime, timedelta

    import jwt

    payload: dict[str, Any] = {"iat": datetime.now(UTC), **claims}
    if "exp" not in payload and not payload.pop("no_exp", False):
        payload["exp"] = datetime.now(UTC) + timedelta(hours=1)
    payload.pop("no_exp", None)
    token = jwt.encode(payload, api.config.jwt_secret, algorithm="HS256")
    r = await api.client.get("/api/orders", headers={"Authorization": f"Bearer {token}"})
    assert_problem(r, 401, "unauthorized")
    forged = jwt.encode({"sub": "7", "exp": 9999999999}, "another-secret-entirely-0123456789")
    r = await api.client.get("/api/orders", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(r, 401, "unauthorized")


@pytest.mark.parametrize("scheme", ["Token", "Basic", "JWT", "", "Bearer\t"])
async def test_only_the_bearer_scheme_carries_a_token(api: Api, scheme: str) -> None:
    token = api.token(7)
    r = await api.client.get("/api/orders", headers={"Authorization": f"{scheme} {token}"})
    assert_problem(r, 401, "unauthorized")


async def test_the_bearer_scheme_is_case_insensitive(api: Api) -> None:
    r = await api.client.get("/api/orders", headers={"Authorization": f"bearer {api.token(7)}"})
    assert r.status_code == 200, r.text


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_a_token_without_iat_is_accepted(api: Api) -> None:
    """The platform's tokens may carry only sub, exp (and role)."""
    from datetime import UTC, datetime, timedelta

    import jwt

    exp = datetime.now(UTC) + timedelta(hours=1)
    user = jwt.encode({"sub": "7", "exp": exp}, api.config.jwt_secret, algorithm="HS256")
    r = await api.client.get("/api/orders", headers={"Authorization": f"Bearer {user}"})
    assert r.status_code == 200, r.text
    admin = jwt.encode(
        {"sub": "900", "exp": exp, "role": "admin"}, api.config.jwt_secret, algorithm="HS256"
    )
    r = await api.client.get("/api/admin/orders", headers={"Authorization": f"Bearer {admin}"})
    assert r.status_code == 200, r.text
    r = await api.client.get("/api/admin/orders", headers={"Authorization": f"Bearer {user}"})
    assert_problem(r, 403, "forbidden")


async def test_a_token_without_exp_or_iat_is_401(api: Api) -> None:
    import jwt

    token = jwt.encode({"sub": "7"}, api.config.jwt_secret, algorithm="HS256")
    r = await api.client.get("/api/orders", headers={"Authorization": f"Bearer {token}"})
    assert_problem(r, 401, "unauthorized")


async def test_an_iat_in_the_future_is_401(api: Api) -> None:
    from datetime import UTC, datetime, timedelta

    import jwt

    now = datetime.now(UTC)
    claims = {"sub": "7", "iat": now + timedelta(hours=1), "exp": now + timedelta(hours=2)}
    token = jwt.encode(claims, api.config.jwt_secret, algorithm="HS256")
    r = await api.client.get("/api/orders", headers={"Authorization": f"Bearer {token}"})
    assert_problem(r, 401, "unauthorized")


@pytest.mark.parametrize("alg", ["none", "HS512", "HS384"])
async def test_only_hs256_is_accepted(api: Api, alg: str) -> None:
    import hashlib
    import hmac
    import json
    from datetime import UTC, datetime, timedelta

    exp = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = _b64(json.dumps({"sub": "7", "exp": exp}).encode())
    signing_input = f"{header}.{payload}".encode()
    if alg == "none":
        signature = ""
    else:
        digest = {"HS512": hashlib.sha512, "HS384": hashlib.sha384}[alg]
        signature = _b64(hmac.new(api.config.jwt_secret.encode(), signing_input, digest).digest())
    token = f"{header}.{payload}.{signature}"
    r = await api.client.get("/api/orders", headers={"Authorization": f"Bearer {token}"})
    assert_problem(r, 401, "unauthorized")


async def test_roles_claim_also_grants_admin(api: Api) -> None:
    from datetime import UTC, datetime, timedelta

    import jwt

    token = jwt.encode(
        {
            "sub": "900",
            "roles": ["support", "admin"],
            "iat": datetime.now(UTC),
            "exp": datetime.now(UTC) + timedelta(hours=1),
        },
        api.config.jwt_secret,
        algorithm="HS256",
    )
    r = await api.client.get("/api/admin/orders", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


@pytest.mark.parametrize("env", [DEMO_TOKENS])
async def test_demo_token_route(api: Api, env: dict) -> None:
    r = await api.client.post("/api/demo/token", json={"user_seq": 42, "admin": True})
    assert r.status_code == 201
    token = r.json()["access_token"]
    r = await api.client.get("/api/admin/orders", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


@pytest.mark.parametrize("env", [{"DOLGO_DEMO_TOKENS": "off"}])
async def test_demo_token_route_can_be_turned_off(api: Api, env: dict) -> None:
    assert_problem(await api.client.post("/api/demo/token", json={"user_seq": 1}), 404, "not_found")
