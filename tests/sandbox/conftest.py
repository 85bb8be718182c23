"""Fixtures for the sandbox tests: an in-process sandbox with a controllable clock, a webhook
inbox, and an httpx client whose every iamport API response is checked against the swagger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from adapters.iamport.sandbox import SandboxConfig, create_sandbox_app
from adapters.iamport.sandbox.state import SandboxState

from .swagger import swagger_available, validate_response

BASE = "http://sandbox.test"
CONSOLE_URL = "http://merchant.test/webhooks/iamport"
NOT_IAMPORT = ("/_sandbox", "/js/", "/window", "/receipt/")
APPROVE_CARD = "4111-1111-1111-1111"
VALIDATED: list[str] = []


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2024, 3, 15, 3, 0, 0, tzinfo=UTC)  # 12:00 in Seoul

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class WebhookInbox:
    """The merchant's webhook endpoint: records every request; can answer 500 a few times."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail_next = 0

    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.received]

    async def __call__(self, scope, receive, send) -> None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks).decode()
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        content_type = headers.get("content-type", "")
        body = json.loads(raw) if "json" in content_type else dict(parse_qsl(raw))
        status = 200
        if self.fail_next > 0:
            self.fail_next -= 1
            status = 500
        self.received.append(
            {
                "url": f"http://{headers.get('host')}{scope['path']}",
                "content_type": content_type,
                "body": body,
                "status": status,
            }
        )
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _validate(response: httpx.Response) -> None:
    path = response.request.url.path
    if path.startswith(NOT_IAMPORT) or not swagger_available():
        return  # without the swagger, test_swagger_reference_is_present says so
    await response.aread()
    VALIDATED.append(
        validate_response(response.request.method, path, response.status_code, response.json())
    )


class Api:
    """A merchant server talking to the sandbox."""

    def __init__(self, client: httpx.AsyncClient, state: SandboxState) -> None:
        self.client = client
        self.state = state

    async def token(self) -> str:
        response = await self.client.post(
            "/users/getToken", json={"imp_key": "sandbox_key", "imp_secret": "sandbox_secret"}
        )
        assert response.status_code == 200, response.text
        return response.json()["response"]["access_token"]

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": await self.token(), **kwargs.pop("headers", {})}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.call("POST", path, **kwargs)

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        body = response.json()
        assert response.status_code == 200 and body["code"] == 0, (response.status_code, body)
        return body["response"]

    async def open_window(self, **params: Any) -> dict[str, Any]:
        params.setdefault("pay_method", "card")
        params.setdefault("name", "정기후원")
        response = await self.client.post(
            "/window/open",
            json={"merchant_code": "imp00000000", "has_callback": True, "params": params},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def window(
        self, action: str = "approve", card: str | None = APPROVE_CARD, **params: Any
    ) -> dict:
        """Open the PG window and press a button; returns {window_id, rsp, redirect_url}."""
        opened = await self.open_window(**params)
        if not opened["window_url"]:
            return opened
        response = await self.client.post(
            f"/window/{opened['window_id']}/{action}",
            json={"card_number": card} if card else {},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def pay(self, merchant_uid: str, amount: int, **params: Any) -> dict[str, Any]:
        """A paid payment through the window; returns the Payment body."""
        result = await self.window(merchant_uid=merchant_uid, amount=amount, **params)
        assert result["rsp"]["success"], result
        return await self.ok("GET", f"/payments/{result['rsp']['imp_uid']}")

    async def register_card(
        self, customer_uid: str, card: str = APPROVE_CARD, **extra: Any
    ) -> httpx.Response:
        return await self.post(
            f"/subscribe/customers/{customer_uid}",
            json={
                "card_number": card,
                "expiry": "2030-12",
                "birth": "900101",
                "pwd_2digit": "12",
                **extra,
            },
        )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def inbox() -> WebhookInbox:
    return WebhookInbox()


@pytest.fixture
def make_app(clock, inbox):
    def make(**overrides: Any):
        settings: dict[str, Any] = {
            "clock": clock,
            "webhook_url": CONSOLE_URL,
            "webhook_transport": httpx.ASGITransport(app=inbox),
            "seed": 7,
        }
        settings.update(overrides)
        return create_sandbox_app(SandboxConfig(**settings))

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def state(app) -> SandboxState:
    return app.state.sandbox


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE, event_hooks={"response": [_validate]}
    ) as c:
        yield c


@pytest.fixture
async def raw_client(app):
    """No swagger check: for fault injection (HTML 5xx, dropped connections)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c


@pytest.fixture
def api(client, state) -> Api:
    return Api(client, state)


@pytest.fixture
async def drained(state):
    """Call to wait until the webhooks in flight have been delivered."""

    async def drain() -> None:
        await state.webhooks.drain()

    return drain
