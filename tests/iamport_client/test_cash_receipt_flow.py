"""A 현금영수증 issued and cancelled at the iamport sandbox over real HTTP: the composed
container with the real client, the sandbox served on loopback. A sponsor pays by 계좌이체 in
the PG window, asks for a receipt, is refunded in full; the resolve-unknown job cancels the
receipt. Each step is read back from the sandbox's own records."""

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.iamport.client import IamportClient
from adapters.iamport.sandbox import SandboxConfig, create_sandbox_app
from adapters.memory import InMemoryStore
from adapters.scheduler.jobs import JOBS
from application.use_cases.actor import Actor
from application.use_cases.cash_receipts import ListCashReceiptsQuery, RequestCashReceiptCommand
from application.use_cases.complete_payment import CompletePaymentCommand
from application.use_cases.create_checkout import CreateCheckoutCommand
from application.use_cases.refund import RequestRefundCommand
from domain.cash_receipt import ReceiptIdentifier, ReceiptKind
from domain.status import CashReceiptStatus
from tests.faults.wiring import MovableClock, container_on
from tests.iamport_client.fake_iamport import serving

SPONSOR = 41
PHONE = "010-2345-6789"


@pytest.fixture
async def world() -> AsyncIterator[tuple]:
    app = create_sandbox_app(
        SandboxConfig(webhook_transport=httpx.MockTransport(lambda _: httpx.Response(200)))
    )
    async with (
        serving(app) as base_url,
        httpx.AsyncClient(timeout=10) as http,
        IamportClient(base_url, "sandbox_key", "sandbox_secret", read_timeout=5) as client,
    ):
        store = InMemoryStore()
        container = container_on(base_url, store, client, MovableClock(), 5.0)
        yield container, app.state.sandbox, base_url, http


async def pay_by_transfer(container, base_url: str, http: httpx.AsyncClient) -> int:
    started = await container.create_checkout().execute(
        CreateCheckoutCommand(SPONSOR, 1, 7, "겨울 후원", 11_000, "trans", buyer_name="홍길동")
    )
    params = {**dataclasses.asdict(started.request_pay), "name": "겨울 후원"}
    opened = await http.post(
        f"{base_url}/window/open",
        json={"merchant_code": "imp00000000", "has_callback": True, "params": params},
    )
    done = await http.post(
        f"{base_url}/window/{opened.json()['window_id']}/approve",
        json={},
        headers={"Accept": "application/json"},
    )
    rsp = done.json()["rsp"]
    assert rsp["success"], rsp
    completed = await container.complete_payment().execute(
        CompletePaymentCommand(rsp["imp_uid"], rsp["merchant_uid"], SPONSOR)
    )
    assert completed.paid, completed
    return started.payment_id


async def test_a_receipt_is_issued_at_the_sandbox_and_cancelled_with_the_full_refund(world):
    container, sandbox, base_url, http = world
    payment_id = await pay_by_transfer(container, base_url, http)
    identifier = ReceiptIdentifier.parse(ReceiptKind.PERSONAL, PHONE)

    receipt = await container.request_cash_receipt().execute(
        RequestCashReceiptCommand(Actor(SPONSOR), payment_id, identifier)
    )
    at_sandbox = sandbox.store.receipts[receipt.imp_uid]
    issued = (receipt.status, receipt.apply_num, at_sandbox.amount, at_sandbox.cancelled_at)
    await container.request_refund().execute(
        RequestRefundCommand(Actor(SPONSOR), payment_id, "후원 취소")
    )
    await JOBS["resolve-unknown"][1](container)

    (after,) = await container.list_cash_receipts().execute(
        ListCashReceiptsQuery(Actor(SPONSOR), payment_id)
    )
    assert issued == (CashReceiptStatus.ISSUED, at_sandbox.apply_num, 11_000, 0)
    assert after.status is CashReceiptStatus.CANCELLED
    assert sandbox.store.receipts[receipt.imp_uid].cancelled_at > 0
    assert at_sandbox.identifier_masked == "*******6789"
