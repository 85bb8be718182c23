"""The app on in-memory fakes, driven through Litestar's AsyncTestClient."""

import dataclasses
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from adapters.config import AppConfig, load_config
from adapters.container import Container, build_container, use_in_memory
from adapters.http import create_app
from adapters.http.auth import issue_token
from adapters.memory import FakeGateway, FixedClock, InMemoryStore, SequentialIds
from application.channels import ChannelDirectory

USER_A = 7
USER_B = 8
ADMIN = 900

BASE_ENV = {
    "DOLGO_SANDBOX": "off",
    "DOLGO_SCHEDULER": "off",
    "DOLGO_IAMPORT_URL": "http://iamport.invalid",
    "DOLGO_PUBLIC_BASE_URL": "https://pay.dolgo.example",
    "DOLGO_JWT_SECRET": "test-jwt-secret-0123456789abcdef0123456789",
    "DOLGO_SECRET": "test-service-secret-0123456789abcdef012345",
}

# Every abuse limit off: for tests that send many requests from one client.
NO_LIMITS = {
    f"DOLGO_RATE_LIMIT_{limit}": "off"
    for limit in (
        "CARD_PER_USER",
        "CARD_PER_IP",
        "PAYMENT_PER_USER",
        "PAYMENT_PER_IP",
        "WEBHOOK_PER_IP",
    )
}

# Demo tokens are never signed with a configured JWT secret: the app gets a random one.
DEMO_TOKENS = {"DOLGO_DEMO_TOKENS": "on", "DOLGO_JWT_SECRET": ""}


@dataclass
class Api:
    client: AsyncTestClient[Litestar]
    app: Litestar
    config: AppConfig
    container: Container
    store: InMemoryStore
    gateway: FakeGateway
    clock: FixedClock
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, user_seq: int, *, admin: bool = False) -> str:
        return issue_token(self.config.jwt_secret, user_seq, admin=admin)

    def auth(self, who: str | int | None) -> dict[str, str]:
        """Headers for "a" (user A), "b" (user B), "admin", a user_seq, or None (no token)."""
        if who is None:
            return {}
        if who == "a":
            token = self.token(USER_A)
        elif who == "b":
            token = self.token(USER_B)
        elif who == "admin":
            token = self.token(ADMIN, admin=True)
        else:
            token = self.token(int(who))
        return {"Authorization": f"Bearer {token}"}

    async def post(self, path: str, who: Any = "a", json: Any = None, **kw: Any) -> Any:
        headers = {**self.auth(who), **kw.pop("headers", {})}
        return await self.client.post(path, json=json, headers=headers, **kw)

    async def get(self, path: str, who: Any = "a", **kw: Any) -> Any:
        headers = {**self.auth(who), **kw.pop("headers", {})}
        return await self.client.get(path, headers=headers, **kw)


def make_api_parts(
    env: Mapping[str, str] | None = None,
) -> tuple[AppConfig, Container, InMemoryStore, FakeGateway, FixedClock]:
    config = load_config({**BASE_ENV, **(env or {})})
    clock = FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    store = InMemoryStore()
    gateway = FakeGateway(clock=clock.now)
    container = build_container(config)
    use_in_memory(container, store=store, gateway=gateway, clock=clock, ids=SequentialIds())
    # The FakeGateway reports no pg_id: accept any MID on our channels.
    channels = ChannelDirectory.of(
        dataclasses.replace(c, pg_ids=frozenset()) for c in config.channels.channels
    )
    container.channels.override(providers.Object(channels))
    return config, container, store, gateway, clock


@pytest.fixture
def env() -> dict[str, str]:
    return {}


@pytest.fixture
async def api(env: dict[str, str]) -> AsyncIterator[Api]:
    config, container, store, gateway, clock = make_api_parts(env)
    app = create_app(container)
    async with AsyncTestClient(app) as client:
        yield Api(client, app, config, container, store, gateway, clock)


def body_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path) of every route that decodes a JSON body, path parameters filled in."""
    return [
        (method, re.sub(r"\{[^}]*\}", "1", route.path))
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
        if "data" in handler.parsed_fn_signature.parameters
    ]


PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    return body


ORDER = {
    "content_type_code": 1,
    "content_seq": 4521,
    "name": "돌고 후원",
    "amount": 10000,
    "pay_method": "card",
    "buyer_name": "홍길동",
    "buyer_tel": "010-1234-5678",
    "buyer_email": "sponsor@example.kr",
}

CARD = {
    "issuance": "rest",
    "card_number": "5365-1034-8291-4417",
    "expiry": "2031-07",
    "birth": "730415",
    "pwd_2digit": "93",
}


async def checkout(api: Api, who: Any = "a", **fields: Any) -> dict[str, Any]:
    r = await api.post("/api/orders", who=who, json={**ORDER, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def plant_paid(api: Api, merchant_uid: str, amount: int = 10000, **fields: Any) -> str:
    """iamport took the payment through the PG window (on our nice channel)."""
    return api.gateway.plant_payment(merchant_uid, amount, **fields).imp_uid


async def paid_order(api: Api, who: Any = "a") -> dict[str, Any]:
    started = await checkout(api, who)
    imp_uid = plant_paid(api, started["merchant_uid"])
    r = await api.post(
        "/api/payments/complete",
        who=who,
        json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]},
    )
    assert r.status_code == 200 and r.json()["paid"], r.text
    return {**started, "imp_uid": imp_uid}


async def registered_card(api: Api, who: Any = "a") -> int:
    r = await api.post("/api/cards", who=who, json=CARD)
    assert r.status_code == 201, r.text
    return int(r.json()["card"]["id"])
