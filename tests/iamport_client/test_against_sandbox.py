"""The client against the iamport sandbox served by uvicorn on loopback: every call, every outcome."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from adapters.iamport.bodies import OnetimeRequest
from adapters.iamport.client import IamportClient
from adapters.iamport.sandbox import SandboxConfig, create_sandbox_app
from application.gateway import (
    AgainRequest,
    Approved,
    BillingKeyRequest,
    CancelRequest,
    Declined,
    GatewayConfigurationError,
    IamportStatus,
    NotFound,
    Pending,
    PreparedAmount,
    Rejected,
    Unknown,
)
from domain.card_credentials import CardCredentials
from tests.iamport_client.conftest import Observed
from tests.iamport_client.fake_iamport import serving

APPROVE = "4111-1111-1111-1111"
DECLINE = "4000-0000-0000-0002"  # 잔액부족
INVALID = "4000-0000-0000-0127"


def card(number: str) -> CardCredentials:
    return CardCredentials(number=number, expiry="2030-12", birth="900101", pwd_2digit="12")


class Sandbox:
    """The operator side of the sandbox (its /_sandbox controls and PG window)."""

    def __init__(self, base_url: str, http: httpx.AsyncClient) -> None:
        self.base_url = base_url
        self.http = http

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.http.request(method, f"{self.base_url}/_sandbox{path}", json=body)
        assert response.status_code < 300, response.text
        return response.json()

    async def fault(self, kind: str, path: str, **options: Any) -> None:
        await self.control("POST", "/faults", {"kind": kind, "path": path, "count": 1, **options})

    async def pay(self, merchant_uid: str, amount: int, **params: Any) -> dict[str, Any]:
        """A sponsor pays in the PG window; returns the callback `rsp`."""
        params = {
            "pay_method": "card",
            "name": "후원",
            "merchant_uid": merchant_uid,
            "amount": amount,
            **params,
        }
        opened = await self.http.post(
            f"{self.base_url}/window/open",
            json={"merchant_code": "imp00000000", "has_callback": True, "params": params},
        )
        window_id = opened.json()["window_id"]
        done = await self.http.post(
            f"{self.base_url}/window/{window_id}/approve",
            json={"card_number": APPROVE},
            headers={"Accept": "application/json"},
        )
        rsp = done.json()["rsp"]
        assert rsp["imp_uid"], rsp
        return rsp


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    app = create_sandbox_app(SandboxConfig(seed=11, hold_seconds=10))
    async with serving(app) as base_url, httpx.AsyncClient() as http:
        yield Sandbox(base_url, http)
        await http.post(f"{base_url}/_sandbox/faults/release")


@pytest.fixture
async def client(sandbox: Sandbox, observed: Observed) -> AsyncIterator[IamportClient]:
    async with IamportClient(
        sandbox.base_url, "sandbox_key", "sandbox_secret", read_timeout=1.0, observer=observed
    ) as client:
        yield client


def again(merchant_uid: str, customer_uid: str = "cu_1", amount: int = 9900) -> AgainRequest:
    return AgainRequest(
        customer_uid=customer_uid, merchant_uid=merchant_uid, amount=amount, name="정기후원"
    )


async def _register(client: IamportClient, customer_uid: str, number: str = APPROVE):
    return await client.issue_billing_key(
        BillingKeyRequest(customer_uid=customer_uid, pg="nice", card=card(number))
    )


async def test_prepare_calls(client: IamportClient):
    assert await client.prepare("o-prep", 12000) == Approved(PreparedAmount("o-prep", 12000))
    duplicate = await client.prepare("o-prep", 5000)
    assert isinstance(duplicate, Rejected) and "merchant_uid" in duplicate.message
    assert await client.get_prepared("o-prep") == Approved(PreparedAmount("o-prep", 12000))
    assert await client.update_prepared("o-prep", 5000) == Approved(PreparedAmount("o-prep", 5000))
    assert isinstance(await client.update_prepared("o-never", 1), NotFound)


async def test_lookups_of_a_window_payment(sandbox: Sandbox, client: IamportClient):
    since = datetime.now(UTC) - timedelta(minutes=5)
    rsp = await sandbox.pay("o-look", 10000)
    imp_uid = rsp["imp_uid"]
    found = await client.get_payment(imp_uid)
    assert isinstance(found, Approved)
    assert found.value.status is IamportStatus.PAID and found.value.amount == 10000
    assert found.value.merchant_uid == "o-look" and found.value.paid_at is not None
    assert (await client.find_payment("o-look")) == found
    assert (await client.find_payment("o-look", paid_only=True)) == found
    everything = await client.find_all_payments("o-look")
    assert isinstance(everything, Approved) and [p.imp_uid for p in everything.value] == [imp_uid]
    some = await client.get_payments([imp_uid, "imp_000000000000"])
    assert isinstance(some, Approved) and [p.imp_uid for p in some.value] == [imp_uid]
    listed = await client.list_payments("paid", since, datetime.now(UTC) + timedelta(minutes=5))
    assert isinstance(listed, Approved) and imp_uid in {p.imp_uid for p in listed.value}


async def test_not_found(client: IamportClient):
    assert isinstance(await client.get_payment("imp_000000000000"), NotFound)
    assert isinstance(await client.find_payment("o-nothing"), NotFound)
    assert isinstance(await client.find_payment("o-nothing", paid_only=True), NotFound)
    assert isinstance(await client.find_all_payments("o-nothing"), NotFound)
    assert isinstance(await client.get_payments(["imp_000000000000"]), NotFound)
    assert isinstance(await client.get_billing_key("cu-nobody"), NotFound)


async def test_test_channel_payment_needs_include_sandbox(sandbox: Sandbox, client: IamportClient):
    rsp = await sandbox.pay("o-testch", 1000, pg="nice.nictest04m")
    assert isinstance(await client.get_payment(rsp["imp_uid"]), NotFound)
    shown = await client.get_payment(rsp["imp_uid"], include_sandbox=True)
    assert isinstance(shown, Approved) and shown.value.sandbox is True


async def test_vbank_is_pending_then_closed(sandbox: Sandbox, client: IamportClient):
    rsp = await sandbox.pay("o-vbank", 20000, pay_method="vbank", pg="html5_inicis")
    pending = await client.get_payment(rsp["imp_uid"])
    assert isinstance(pending, Pending)
    assert pending.payment.vbank_num and pending.payment.vbank_date is not None
    closed = await client.close_vbank(rsp["imp_uid"])
    assert isinstance(closed, Approved) and closed.value.status is IamportStatus.CANCELLED
    assert isinstance(await client.close_vbank(rsp["imp_uid"]), Rejected)  # 400: not ready
    assert isinstance(await client.close_vbank("imp_000000000000"), Rejected)  # 404


async def test_billing_key_lifecycle_and_charges(client: IamportClient):
    issued = await _register(client, "cu_1")
    assert isinstance(issued, Approved)
    assert issued.value.customer_uid == "cu_1" and issued.value.card_number == "4111-11**-****-1111"
    assert await client.get_billing_key("cu_1") == issued
    charged = await client.charge_billing_key(again("o-again-1"))
    assert isinstance(charged, Approved)
    assert charged.value.status is IamportStatus.PAID and charged.value.channel == "api"
    assert charged.value.customer_uid == "cu_1"
    deleted = await client.delete_billing_key("cu_1", reason="카드 삭제")
    assert isinstance(deleted, Approved)
    assert isinstance(await client.get_billing_key("cu_1"), NotFound)
    assert isinstance(
        await client.charge_billing_key(again("o-again-2")), Rejected
    )  # unknown buyer


async def test_decline_by_test_card(client: IamportClient):
    assert isinstance(await _register(client, "cu_poor", DECLINE), Approved)
    outcome = await client.charge_billing_key(again("o-declined", "cu_poor"))
    assert isinstance(outcome, Declined) and outcome.reason == "잔액부족"
    assert outcome.payment is not None and outcome.payment.status is IamportStatus.FAILED
    assert isinstance(await client.find_payment("o-declined"), Declined)


async def test_invalid_card_is_rejected(client: IamportClient):
    outcome = await _register(client, "cu_bad", INVALID)
    assert isinstance(outcome, Rejected) and outcome.message
    onetime = OnetimeRequest(merchant_uid="o-onetime-bad", amount=1000, card=card(INVALID))
    assert isinstance(await client.charge_onetime(onetime), Rejected)


async def test_onetime(client: IamportClient):
    outcome = await client.charge_onetime(
        OnetimeRequest(merchant_uid="o-onetime", amount=3000, card=card(APPROVE), name="후원")
    )
    assert isinstance(outcome, Approved) and outcome.value.amount == 3000
    declined = await client.charge_onetime(
        OnetimeRequest(merchant_uid="o-onetime-2", amount=3000, card=card(DECLINE), name="후원")
    )
    assert isinstance(declined, Declined) and declined.reason == "잔액부족"


async def test_partial_then_full_cancel(sandbox: Sandbox, client: IamportClient):
    rsp = await sandbox.pay("o-cancel", 10000)
    imp_uid = rsp["imp_uid"]
    wrong = await client.cancel(CancelRequest(imp_uid, 1000, checksum=999, reason="x"))
    assert isinstance(wrong, Rejected)  # checksum differs from iamport's balance: not executed
    partial = await client.cancel(CancelRequest(imp_uid, 4000, checksum=10000, reason="부분"))
    assert isinstance(partial, Approved)
    assert partial.value.status is IamportStatus.PAID and partial.value.cancel_amount == 4000
    full = await client.cancel(CancelRequest(imp_uid, 6000, checksum=6000, reason="전액"))
    assert isinstance(full, Approved) and full.value.status is IamportStatus.CANCELLED
    assert [c.amount for c in full.value.cancel_history] == [4000, 6000]
    again_ = await client.cancel(CancelRequest(imp_uid, 1000, checksum=0, reason="또"))
    assert isinstance(again_, Rejected)


async def test_pg_outage_is_rejected(sandbox: Sandbox, client: IamportClient):
    assert isinstance(await _register(client, "cu_out"), Approved)
    await sandbox.control("PUT", "/channels/nice", {"outage": True})
    outcome = await client.charge_billing_key(again("o-outage", "cu_out"))
    assert isinstance(outcome, Rejected) and outcome.message
    await sandbox.control("PUT", "/channels/nice", {"outage": False})
    assert isinstance(await client.find_payment("o-outage", paid_only=True), NotFound)


async def test_a_hanging_pg_times_out_unknown_charges_nothing_and_spares_other_pgs(
    sandbox: Sandbox, client: IamportClient
):
    assert isinstance(await _register(client, "cu_hang"), Approved)
    kicc = BillingKeyRequest(customer_uid="cu_hang_kicc", pg="kicc", card=card(APPROVE))
    assert isinstance(await client.issue_billing_key(kicc), Approved)
    await sandbox.control("PUT", "/channels/nice", {"outage": "hang"})
    outcome = await client.charge_billing_key(again("o-hang", "cu_hang"))
    assert isinstance(outcome, Unknown)
    assert isinstance(
        await client.charge_billing_key(again("o-hang-kicc", "cu_hang_kicc")), Approved
    )
    await sandbox.control("PUT", "/channels/nice", {"outage": False})
    assert isinstance(await client.find_payment("o-hang", paid_only=True), NotFound)


async def test_5xx_and_dropped_connections_are_unknown(sandbox: Sandbox, client: IamportClient):
    assert isinstance(await _register(client, "cu_5xx"), Approved)
    await sandbox.fault("error", "/subscribe/payments/again", status=502)
    assert isinstance(await client.charge_billing_key(again("o-5xx", "cu_5xx")), Unknown)
    await sandbox.fault("drop", "/subscribe/payments/again")
    assert isinstance(await client.charge_billing_key(again("o-drop", "cu_5xx")), Unknown)
    await sandbox.fault("latency", "/payments/find", seconds=1.5)
    assert isinstance(await client.find_payment("o-5xx"), Unknown)  # read timeout
    # none of them was charged: a lookup proves it
    assert isinstance(await client.find_payment("o-5xx"), NotFound)
    assert isinstance(await client.find_payment("o-drop"), NotFound)


async def test_timeout_after_commit_is_unknown_and_a_lookup_finds_it_paid(
    sandbox: Sandbox, client: IamportClient
):
    assert isinstance(await _register(client, "cu_slow"), Approved)
    await sandbox.fault("timeout_after_commit", "/subscribe/payments/again", seconds=5)
    outcome = await client.charge_billing_key(again("o-slow", "cu_slow"))
    assert isinstance(outcome, Unknown) and "ReadTimeout" in outcome.reason
    found = await client.find_payment("o-slow", paid_only=True)
    assert isinstance(found, Approved) and found.value.status is IamportStatus.PAID
    await sandbox.fault("drop_after_commit", "/payments/cancel")
    imp_uid = found.value.imp_uid
    lost = await client.cancel(CancelRequest(imp_uid, 9900, checksum=9900, reason="환불"))
    assert isinstance(lost, Unknown)
    after = await client.get_payment(imp_uid)
    assert isinstance(after, Approved) and after.value.status is IamportStatus.CANCELLED


async def test_expired_token_is_refreshed_after_a_401(
    sandbox: Sandbox, client: IamportClient, observed: Observed
):
    rsp = await sandbox.pay("o-tok", 1000)
    assert isinstance(await client.get_payment(rsp["imp_uid"]), Approved)
    await sandbox.control("POST", "/clock", {"advance": 31 * 60})  # iamport's token expired
    assert isinstance(await client.get_payment(rsp["imp_uid"]), Approved)
    assert observed.pairs().count(("get_token", "approved")) == 2


async def test_fifty_cold_calls_share_one_token(
    sandbox: Sandbox, client: IamportClient, observed: Observed
):
    rsp = await sandbox.pay("o-many", 1000)  # the client has not fetched a token yet
    outcomes = await asyncio.gather(*(client.get_payment(rsp["imp_uid"]) for _ in range(50)))
    assert all(isinstance(o, Approved) for o in outcomes)
    assert observed.pairs().count(("get_token", "approved")) == 1


async def test_bad_credentials(sandbox: Sandbox):
    async with IamportClient(sandbox.base_url, "sandbox_key", "nope") as client:
        with pytest.raises(GatewayConfigurationError):
            await client.get_payment("imp_000000000000")
