"""The shared token: one getToken for many callers, renewal before expiry, 401 → refresh + retry."""

import asyncio

import pytest

from adapters.iamport.client import IamportClient
from application.gateway import (
    Approved,
    CancelRequest,
    GatewayConfigurationError,
)
from tests.iamport_client.fake_iamport import (
    KEY,
    SECRET,
    UNAUTHORIZED,
    FakeIamport,
    Reply,
    ok,
    payment,
)


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


async def test_fifty_concurrent_calls_on_a_cold_client_fetch_one_token(fake: FakeIamport):
    fake.token_delay = 0.05  # everyone arrives while the first getToken is in flight
    fake.on("GET", "/payments/imp_1", ok(payment("paid", imp_uid="imp_1")))
    async with IamportClient(fake.base_url, KEY, SECRET) as client:
        outcomes = await asyncio.gather(*(client.get_payment("imp_1") for _ in range(50)))
    assert all(isinstance(o, Approved) for o in outcomes)
    assert fake.token_calls == 1
    assert len(fake.seen("POST", "/users/getToken")) == 1
    assert {r.headers["authorization"] for r in fake.seen("GET", "/payments/imp_1")} == {"tok-1"}


async def test_the_token_is_reused_then_renewed_before_it_expires(fake: FakeIamport):
    ticks = Ticks()
    fake.on("GET", "/payments/imp_1", ok(payment("paid", imp_uid="imp_1")))
    async with IamportClient(fake.base_url, KEY, SECRET, clock=ticks, token_margin=60) as client:
        await client.get_payment("imp_1")
        ticks.t += 1800 - 61  # iamport's 30 minutes, minus the margin, minus a second
        await client.get_payment("imp_1")
        assert fake.token_calls == 1
        ticks.t += 2  # now inside the safety margin: renew before iamport would refuse
        await client.get_payment("imp_1")
        assert fake.token_calls == 2
    tokens = [r.headers["authorization"] for r in fake.seen("GET", "/payments/imp_1")]
    assert tokens == ["tok-1", "tok-1", "tok-2"]


async def test_lifetime_is_iamports_duration_not_its_clock(fake: FakeIamport):
    # iamport's `now` is years away from ours: only expired_at - now counts
    fake.now = 4_000_000_000
    fake.on("GET", "/payments/imp_1", ok(payment("paid", imp_uid="imp_1")))
    async with IamportClient(fake.base_url, KEY, SECRET) as client:
        for _ in range(3):
            await client.get_payment("imp_1")
    assert fake.token_calls == 1


async def test_a_401_refreshes_the_token_once_and_retries(fake: FakeIamport, observed):
    fake.on("GET", "/payments/imp_1", ok(payment("paid", imp_uid="imp_1")))
    fake.on("POST", "/payments/cancel", ok(payment("cancelled", imp_uid="imp_1")))
    async with IamportClient(fake.base_url, KEY, SECRET, observer=observed) as client:
        await client.get_payment("imp_1")
        fake.revoke_tokens()  # iamport expired it earlier than we thought
        assert isinstance(await client.get_payment("imp_1"), Approved)
        assert fake.token_calls == 2
        fake.revoke_tokens()
        cancel = CancelRequest(imp_uid="imp_1", amount=0, checksum=10000, reason="test")
        assert isinstance(await client.cancel(cancel), Approved)  # safe: refused before acting
        assert fake.token_calls == 3
    gets = [r.headers["authorization"] for r in fake.seen("GET", "/payments/imp_1")]
    assert gets == ["tok-1", "tok-1", "tok-2"]
    posts = [r.headers["authorization"] for r in fake.seen("POST", "/payments/cancel")]
    assert posts == ["tok-2", "tok-3"]


async def test_many_401s_at_once_cause_one_refresh(fake: FakeIamport):
    fake.on("GET", "/payments/imp_1", ok(payment("paid", imp_uid="imp_1")))
    async with IamportClient(fake.base_url, KEY, SECRET) as client:
        await client.get_payment("imp_1")
        fake.revoke_tokens()
        fake.token_delay = 0.05
        outcomes = await asyncio.gather(*(client.get_payment("imp_1") for _ in range(20)))
    assert all(isinstance(o, Approved) for o in outcomes)
    assert fake.token_calls == 2


async def test_a_401_after_a_fresh_token_is_a_configuration_error(fake: FakeIamport):
    fake.on("GET", "/payments/imp_1", Reply(401, UNAUTHORIZED))
    async with IamportClient(fake.base_url, KEY, SECRET) as client:
        with pytest.raises(GatewayConfigurationError, match="freshly issued token"):
            await client.get_payment("imp_1")
    assert len(fake.seen("GET", "/payments/imp_1")) == 2
    assert fake.token_calls == 2


async def test_a_cancelled_caller_does_not_cancel_the_refresh_for_the_others(fake: FakeIamport):
    fake.token_delay = 0.1
    fake.on("GET", "/payments/imp_1", ok(payment("paid", imp_uid="imp_1")))
    async with IamportClient(fake.base_url, KEY, SECRET) as client:
        first = asyncio.create_task(client.get_payment("imp_1"))
        second = asyncio.create_task(client.get_payment("imp_1"))
        await asyncio.sleep(0.02)
        first.cancel()
        assert isinstance(await second, Approved)
    assert fake.token_calls == 1
