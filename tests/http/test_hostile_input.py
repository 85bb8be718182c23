"""Hostile request bodies: deep nesting, loose numbers, oversized bodies. Always a 4xx
problem naming the field (or the body), never a 500; a webhook is stored whatever its body."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.http.conftest import (
    CARD,
    DEMO_TOKENS,
    ORDER,
    Api,
    assert_problem,
    body_routes,
    registered_card,
)

JSON = "application/json"


def who(path: str) -> str:
    return "admin" if "/admin/" in path else "a"


@pytest.mark.parametrize("env", [DEMO_TOKENS])
@pytest.mark.parametrize("depth", [40, 1000, 10000])
async def test_deeply_nested_json_is_400_naming_the_body_on_every_body_route(
    api: Api, env: dict, depth: int
) -> None:
    routes = body_routes(api.app)
    assert len(routes) >= 12
    for nested in (b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth):
        for method, path in routes:
            r = await api.client.request(
                method, path, content=nested, headers={**api.auth(who(path)), "content-type": JSON}
            )
            body = assert_problem(r, 400, "validation_error")
            assert body["field"] == "body", (method, path, body)


async def test_a_deeply_nested_webhook_is_stored_and_answered_200(api: Api) -> None:
    nested = '{"imp_uid": "imp_1", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    r = await api.client.post(
        "/api/webhooks/iamport", content=nested, headers={"content-type": JSON}
    )
    assert r.status_code == 200, r.text
    inbox = (await api.get("/api/admin/webhooks", who="admin")).json()["items"]
    assert len(inbox) == 1 and inbox[0]["id"] == r.json()["id"]


LOOSE = ["1000", "1e3", 1e3, 1000.0, True]


@pytest.mark.parametrize("value", LOOSE)
@pytest.mark.parametrize("name", ["amount", "tax_free", "content_type_code", "content_seq"])
async def test_order_numbers_are_json_integers_only(api: Api, name: str, value: Any) -> None:
    r = await api.post("/api/orders", json={**ORDER, name: value})
    assert assert_problem(r, 400, "validation_error")["field"] == name


@pytest.mark.parametrize("value", LOOSE)
async def test_refund_amount_is_a_json_integer_only(api: Api, value: Any) -> None:
    r = await api.post("/api/payments/1/refund", json={"amount": value, "reason": "취소"})
    assert assert_problem(r, 400, "validation_error")["field"] == "amount"


@pytest.mark.parametrize("value", ["1", 1.0, "1e0"])
async def test_billing_day_is_a_json_integer_only(api: Api, value: Any) -> None:
    card_id = await registered_card(api)
    body = {
        "card_id": card_id,
        "amount": 10000,
        "billing_day": value,
        "name": "정기후원",
        "content_type_code": 1,
        "content_seq": 4521,
    }
    r = await api.post("/api/subscriptions", json=body)
    assert assert_problem(r, 400, "validation_error")["field"] == "billing_day"


async def test_integers_as_integers_still_work(api: Api) -> None:
    r = await api.post("/api/orders", json={**ORDER, "amount": 1000, "tax_free": 100})
    assert r.status_code == 201, r.text
    assert r.json()["request_pay"]["amount"] == 1000


async def post_streamed(api: Api, path: str, stream: "Stream", headers: dict[str, str]) -> Any:
    """Litestar's test client reads a whole body before the app sees it; httpx's ASGI
    transport hands it over chunk by chunk, as a server would."""
    transport = httpx.ASGITransport(app=api.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post(path, content=stream, headers=headers)


class Stream:
    """A request body sent in 1 MiB chunks, counting how many the server pulled."""

    def __init__(self, mib: int) -> None:
        self.mib = mib
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.mib):
            self.pulled += 1
            yield b" " * (1024 * 1024)


@pytest.mark.parametrize("idempotency_key", [None, "k-oversized-1"])
async def test_an_oversized_body_is_refused_while_it_streams_in(
    api: Api, idempotency_key: str | None
) -> None:
    headers = {**api.auth("a"), "content-type": JSON}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    stream = Stream(300)
    r = await post_streamed(api, "/api/orders", stream, headers)
    assert_problem(r, 413, "http_413")
    assert stream.pulled <= 2, f"{stream.pulled} MiB read before the refusal"
    assert not api.store.idempotency  # nothing was claimed for a body never accepted


async def test_an_announced_oversized_body_is_refused_before_reading(api: Api) -> None:
    stream = Stream(300)
    headers = {
        **api.auth("a"),
        "content-type": JSON,
        "content-length": str(300 * 1024 * 1024),
        "Idempotency-Key": "k-announced",
    }
    r = await post_streamed(api, "/api/orders", stream, headers)
    assert_problem(r, 413, "http_413")
    assert stream.pulled == 0


async def test_a_card_body_is_still_accepted(api: Api) -> None:
    r = await api.post("/api/cards", json=CARD, headers={"Idempotency-Key": "k-card"})
    assert r.status_code == 201, r.text
