"""Rate limits shared by N instances through Redis (DOLGO_REDIS_URL): two apps, one budget.

Needs Redis (DOLGO_TEST_REDIS_URL, default redis://127.0.0.1:6379/0); skipped when none is
reachable, fatal under CI=true. Each run uses keys of its own (DOLGO_REDIS_PREFIX).
"""

import os
import uuid

import pytest
from litestar.testing import AsyncTestClient

from adapters.http import create_app
from tests.http.conftest import ORDER, Api, assert_problem, make_api_parts

REDIS_URL = os.environ.get("DOLGO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMITS = {
    "DOLGO_RATE_LIMIT_PAYMENT_PER_USER": "3/minute",
    "DOLGO_RATE_LIMIT_PAYMENT_PER_IP": "off",
}


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis not reachable at {REDIS_URL}: {exc} (CI=true: Redis is required)")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")


async def instance(env: dict[str, str]):
    config, container, store, gateway, clock = make_api_parts(env)
    app = create_app(container)
    return Api(AsyncTestClient(app), app, config, container, store, gateway, clock)


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "per-instance"])
async def test_two_instances_share_one_budget_only_through_redis(shared: bool) -> None:
    env = dict(LIMITS)
    if shared:
        redis_or_skip()
        env |= {"DOLGO_REDIS_URL": REDIS_URL, "DOLGO_REDIS_PREFIX": f"test-{uuid.uuid4().hex}"}
    one, two = await instance(env), await instance(env)
    async with one.client, two.client:
        for api in (one, two, one):
            assert (await api.post("/api/orders", json=ORDER)).status_code == 201
        fourth = await two.post("/api/orders", json=ORDER)
        if shared:
            assert_problem(fourth, 429, "rate_limited")  # the other instance's requests count
        else:
            assert fourth.status_code == 201  # memory: each instance counts its own


async def test_the_webhook_limit_is_shared_through_redis() -> None:
    redis_or_skip()
    env = {
        "DOLGO_RATE_LIMIT_WEBHOOK_PER_IP": "2/minute",
        "DOLGO_REDIS_URL": REDIS_URL,
        "DOLGO_REDIS_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    body = {"imp_uid": "imp_100000000001", "merchant_uid": "dp1a1", "status": "paid"}
    one, two = await instance(env), await instance(env)
    async with one.client, two.client:
        for api in (one, two):
            assert (await api.client.post("/api/webhooks/iamport", json=body)).status_code == 200
        third = await one.client.post("/api/webhooks/iamport", json=body)
        assert_problem(third, 429, "rate_limited")
