"""Idempotency-Key: replay, mismatch, concurrency, release after 5xx, abandoned keys, no
header."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest

from application.gateway import NotAttempted
from application.records import IdempotencyRecord, IdempotencyState
from tests.http.conftest import ORDER, USER_A, Api, assert_problem

REPLAYED = "idempotent-replayed"

ORDERS_SCOPE = f"user:{USER_A} POST /api/orders"


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
    # One ran; on a loaded machine a late one may come after it finished: a replay of it.
    first = [r for r in results if r.status_code == 201 and REPLAYED not in r.headers]
    replays = [r for r in results if r.status_code == 201 and REPLAYED in r.headers]
    assert len(first) == 1 and len(replays) + statuses.count(409) == 7, statuses
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
    record = api.store.idempotency[(ORDERS_SCOPE, "k-503")]
    assert record.state is IdempotencyState.RELEASED
    assert (record.status_code, record.response_body, record.content_type) == (None, None, None)
    r = await api.post("/api/orders", json=ORDER, headers=key("k-503"))
    assert r.status_code == 201
    record = api.store.idempotency[(ORDERS_SCOPE, "k-503")]
    assert record.state is IdempotencyState.DONE and record.status_code == 201
    again = await api.post("/api/orders", json=ORDER, headers=key("k-503"))
    assert again.headers["idempotent-replayed"] == "true" and again.json() == r.json()


async def test_a_key_released_before_the_released_state_existed_is_taken_over(api: Api) -> None:
    """Older rows stored a release as DONE with no response."""
    body = json.dumps(ORDER).encode()
    plant(api, "k-old", body, state=IdempotencyState.DONE, age=timedelta(minutes=1))
    r = await post_raw(api, "k-old", body)
    assert r.status_code == 201
    assert len(api.store.orders) == 1


# -- a key left IN_PROGRESS by a process that died ----------------------------------------------
def plant(
    api: Api,
    value: str,
    body: bytes,
    *,
    age: timedelta,
    state: IdempotencyState = IdempotencyState.IN_PROGRESS,
) -> None:
    """The record a process leaves when it dies after claiming the key (its commit happened,
    its response was never stored)."""
    fingerprint = api.app.state.idempotency.fingerprint("POST", "/api/orders", body)
    created = api.clock.now() - age
    api.store.idempotency[(ORDERS_SCOPE, value)] = IdempotencyRecord(
        ORDERS_SCOPE, value, fingerprint, created, state=state
    )


async def post_raw(api: Api, value: str, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json", **key(value)}
    return await api.post("/api/orders", content=body, headers=headers)


async def test_a_key_in_progress_within_the_lease_is_still_running(api: Api) -> None:
    body = json.dumps(ORDER).encode()
    plant(api, "k-young", body, age=timedelta(minutes=4, seconds=59))
    assert_problem(await post_raw(api, "k-young", body), 409, "idempotency_in_progress")


async def test_a_key_left_in_progress_past_the_lease_is_abandoned(api: Api) -> None:
    body = json.dumps(ORDER).encode()
    plant(api, "k-dead", body, age=timedelta(minutes=5, seconds=1))
    r = await post_raw(api, "k-dead", body)
    problem = assert_problem(r, 409, "idempotency_key_abandoned")
    detail = problem["detail"]
    assert "unknown" in detail and "new Idempotency-Key" in detail and "orders" in detail
    assert "retry-after" not in r.headers  # waiting does not help
    # Never re-run under the same key: the first attempt may have charged.
    assert len(api.store.orders) == 0
    api.clock.advance(hours=24)
    assert_problem(await post_raw(api, "k-dead", body), 409, "idempotency_key_abandoned")
    record = api.store.idempotency[(ORDERS_SCOPE, "k-dead")]
    assert record.state is IdempotencyState.IN_PROGRESS and record.status_code is None
    assert len(api.store.orders) == 0
    # Another body under that key is still the 422 of a reused key.
    other = json.dumps({**ORDER, "amount": 20000}).encode()
    assert_problem(await post_raw(api, "k-dead", other), 422, "idempotency_key_reused")
    # A new key works.
    assert (await post_raw(api, "k-new", body)).status_code == 201


async def test_a_slow_first_attempt_past_the_lease_still_stores_its_answer(api: Api) -> None:
    gate = asyncio.Event()
    original = api.gateway.prepare

    async def slow_prepare(merchant_uid: str, amount: int):  # type: ignore[no-untyped-def]
        await gate.wait()
        return await original(merchant_uid, amount)

    api.gateway.prepare = slow_prepare  # type: ignore[method-assign]
    headers = {**api.auth("a"), **key("k-slow-lease")}
    async with same_loop(api) as client:
        first = asyncio.create_task(client.post("/api/orders", json=ORDER, headers=headers))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if api.store.idempotency:
                break
        api.clock.advance(minutes=6)
        second = await client.post("/api/orders", json=ORDER, headers=headers)
        assert_problem(second, 409, "idempotency_key_abandoned")
        gate.set()
        assert (await first).status_code == 201
        third = await client.post("/api/orders", json=ORDER, headers=headers)
        assert third.status_code == 201 and third.headers["idempotent-replayed"] == "true"
    assert len(api.store.orders) == 1


@pytest.mark.parametrize("env", [{"DOLGO_IDEMPOTENCY_LEASE_SECONDS": "240"}])
async def test_the_lease_is_configurable(api: Api) -> None:
    assert api.config.idempotency_lease == timedelta(seconds=240)
    body = json.dumps(ORDER).encode()
    plant(api, "k-short", body, age=timedelta(seconds=241))
    assert_problem(await post_raw(api, "k-short", body), 409, "idempotency_key_abandoned")


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
