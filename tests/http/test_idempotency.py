"""Idempotency-Key: replay, mismatch, concurrency, release after 5xx, no header."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from application.gateway import NotAttempted
from tests.http.conftest import ORDER, Api, assert_problem


@asynccontextmanager
async def same_loop(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """A client that calls the app in this event loop, so requests really interleave
    (Litestar's test client runs the app through a blocking portal, one request at a time)."""
    transport = httpx.ASGITransport(app=api.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


async def test_a_repeat_returns_the_first_response(api: Api) -> None:
    first = await api.post("/api/orders", json=ORDER, headers=key("k-1"))
    again = await api.post("/api/orders", json=ORDER, headers=key("k-1"))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(api.store.orders) == 1


async def test_same_key_other_body_is_422(api: Api) -> None:
    await api.post("/api/orders", json=ORDER, headers=key("k-2"))
    r = await api.post("/api/orders", json={**ORDER, "amount": 20000}, headers=key("k-2"))
    assert_problem(r, 422, "idempotency_key_reused")
    assert len(api.store.orders) == 1


async def test_keys_are_per_user(api: Api) -> None:
    a = await api.post("/api/orders", json=ORDER, headers=key("shared"))
    b = await api.post("/api/orders", who="b", json=ORDER, headers=key("shared"))
    assert a.json()["order_id"] != b.json()["order_id"]


async def test_concurrent_requests_with_one_key_make_one_order(api: Api) -> None:
    original = api.gateway.prepare

    async def slow_prepare(merchant_uid: str, amount: int):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.05)  # the first request is still running when the others come
        return await original(merchant_uid, amount)

    api.gateway.prepare = slow_prepare  # type: ignore[method-assign]
    headers = {**api.auth("a"), **key("k-race")}
    async with same_loop(api) as client:
        results = await asyncio.gather(
            *(client.post("/api/orders", json=ORDER, headers=headers) for _ in range(8))
        )
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == 1 and statuses.count(409) == 7, statuses
    assert len(api.store.orders) == 1
    created = {r.json()["order_id"] for r in results if r.status_code == 201}
    assert len(created) == 1
    for r in results:
        if r.status_code == 409:
            assert_problem(r, 409, "idempotency_in_progress")


async def test_a_repeat_while_the_first_runs_is_409(api: Api) -> None:
    gate = asyncio.Event()
    original = api.gateway.prepare

    async def slow_prepare(merchant_uid: str, amount: int):  # type: ignore[no-untyped-def]
        await gate.wait()
        return await original(merchant_uid, amount)

    api.gateway.prepare = slow_prepare  # type: ignore[method-assign]
    headers = {**api.auth("a"), **key("k-slow")}
    async with same_loop(api) as client:
        first = asyncio.create_task(client.post("/api/orders", json=ORDER, headers=headers))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if api.store.idempotency:
                break
        second = await client.post("/api/orders", json=ORDER, headers=headers)
        assert_problem(second, 409, "idempotency_in_progress")
        gate.set()
        assert (await first).status_code == 201
        third = await client.post("/api/orders", json=ORDER, headers=headers)
        assert third.status_code == 201 and third.headers["idempotent-replayed"] == "true"
    assert len(api.store.orders) == 1


async def test_a_5xx_releases_the_key(api: Api) -> None:
    api.gateway.script("prepare", NotAttempted("connection refused"))
    r = await api.post("/api/orders", json=ORDER, headers=key("k-503"))
    assert_problem(r, 503, "gateway_unavailable")
    r = await api.post("/api/orders", json=ORDER, headers=key("k-503"))
    assert r.status_code == 201


async def test_no_header_is_processed_normally(api: Api) -> None:
    await api.post("/api/orders", json=ORDER)
    await api.post("/api/orders", json=ORDER)
    assert len(api.store.orders) == 2


async def test_fingerprints_are_keyed_hmacs(api: Api) -> None:
    import hashlib
    import json

    await api.post("/api/orders", json=ORDER, headers=key("k-fp"))
    record = next(iter(api.store.idempotency.values()))
    body = json.dumps(ORDER).encode()
    assert record.fingerprint != hashlib.sha256(body).hexdigest()
    assert len(record.fingerprint) == 64


async def test_bad_key_is_400(api: Api) -> None:
    r = await api.post("/api/orders", json=ORDER, headers=key("x" * 300))
    assert_problem(r, 400, "invalid_idempotency_key")
