"""What the use-case races run on: a migrated database, the iamport sandbox served by uvicorn on
loopback, and one long-lived IamportClient shared by every racer (as the app's container does).

    async with use_case_world("mariadb", pool_size=20, directory=tmp_path) as world:
        paid = await world.pay(10_000)            # checkout → sandbox window → complete
        refund = world.request_refund(world.gated(barrier, at=0))

`gated(barrier, at=k)` is a UnitOfWorkFactory that makes the k-th unit of work a racer opens
wait at the barrier before its first statement: the use case's own locking read comes right
after it (on SQLite, BEGIN IMMEDIATE is that first statement).
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from adapters.config.channels import demo_channels
from adapters.iamport.client import IamportClient
from adapters.iamport.sandbox import SandboxConfig, create_sandbox_app
from adapters.iamport.sandbox.config import WebhookOptions
from adapters.memory.clock import SystemClock
from adapters.memory.ids import TimeOrderedIds
from application.payment_sync import PaymentSync
from application.ports import UnitOfWorkFactory
from application.settings import PaymentSettings
from application.settlement import Settlement
from application.use_cases.complete_payment import CompletePayment, CompletePaymentCommand
from application.use_cases.create_checkout import CreateCheckout, CreateCheckoutCommand
from application.use_cases.handle_webhook import ProcessWebhook, ReceiveWebhook
from application.use_cases.refund import RequestRefund
from tests.iamport_client.fake_iamport import serving
from tests.persistence.databases import SqlDatabase, sql_database

USER = 4242
APPROVE_CARD = "4111-1111-1111-1111"


class _GatedUnitOfWork:
    def __init__(self, inner: Any, barrier: asyncio.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    async def __aenter__(self) -> Any:
        await self._barrier.wait()
        return await self._inner.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        await self._inner.__aexit__(*exc)


class GatedUnitOfWorkFactory:
    """`inner`'s units of work; the `at`-th one opened waits at `barrier` when entered."""

    def __init__(self, inner: UnitOfWorkFactory, barrier: asyncio.Barrier, at: int) -> None:
        self._inner = inner
        self._barrier = barrier
        self._at = at
        self.opened = 0

    def __call__(self) -> Any:
        index, self.opened = self.opened, self.opened + 1
        uow = self._inner()
        return _GatedUnitOfWork(uow, self._barrier) if index == self._at else uow


class _WithoutLocks:
    """A repository whose reads never lock (`for_update` dropped)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not name.startswith("get"):
            return attribute

        async def read(*args: Any, **kwargs: Any) -> Any:
            kwargs.pop("for_update", None)
            return await attribute(*args, **kwargs)

        return read


class _UnlockedUnitOfWork:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def __aenter__(self) -> Any:
        uow = await self._inner.__aenter__()
        for name in ("orders", "payments", "cancellations", "webhooks"):
            setattr(self, name, _WithoutLocks(getattr(uow, name)))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._inner.__aexit__(*exc)

    def __getattr__(self, name: str) -> Any:  # commit, rollback, the other repositories
        return getattr(self._inner, name)


class UnlockedUnitOfWorkFactory:
    """Test-only, for negative controls: `inner`'s units of work with every lock dropped."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self._inner = inner

    def __call__(self) -> Any:
        return _UnlockedUnitOfWork(self._inner())


@dataclass(frozen=True)
class Paid:
    order_id: int
    payment_id: int
    merchant_uid: str
    imp_uid: str


@dataclass(frozen=True)
class Webhook:
    body: str
    content_type: str


@dataclass
class UseCaseWorld:
    db: SqlDatabase
    gateway: IamportClient
    sandbox_url: str
    http: httpx.AsyncClient
    webhooks: list[Webhook] = field(default_factory=list)
    clock: SystemClock = field(default_factory=SystemClock)
    ids: TimeOrderedIds = field(default_factory=TimeOrderedIds)
    settings: PaymentSettings = field(
        default_factory=lambda: PaymentSettings(public_base_url="https://pay.dolgo.example")
    )

    def __post_init__(self) -> None:
        self.settlement = Settlement(settings=self.settings, channels=demo_channels())

    # -- use cases, built per request as the container's Factory providers do -------------------
    def gated(
        self, barrier: asyncio.Barrier, at: int, inner: UnitOfWorkFactory | None = None
    ) -> GatedUnitOfWorkFactory:
        return GatedUnitOfWorkFactory(self._uow(inner), barrier, at)

    def _uow(self, uow: UnitOfWorkFactory | None) -> UnitOfWorkFactory:
        return uow if uow is not None else self.db.uow_factory

    def sync(self, uow: UnitOfWorkFactory | None = None) -> PaymentSync:
        return PaymentSync(self._uow(uow), self.gateway, self.settlement, self.clock, self.ids)

    def complete(self, uow: UnitOfWorkFactory | None = None) -> CompletePayment:
        return CompletePayment(self._uow(uow), self.gateway, self.sync(uow), self.clock)

    def receive_webhook(self, uow: UnitOfWorkFactory | None = None) -> ReceiveWebhook:
        return ReceiveWebhook(self._uow(uow), self.clock, self.ids)

    def process_webhook(self, uow: UnitOfWorkFactory | None = None) -> ProcessWebhook:
        return ProcessWebhook(
            self._uow(uow), self.gateway, self.sync(uow), self.clock, self.settings
        )

    def request_refund(self, uow: UnitOfWorkFactory | None = None) -> RequestRefund:
        return RequestRefund(
            self._uow(uow),
            self.gateway,
            self.clock,
            self.ids,
            self.settings,
            self.settlement,
            demo_channels(),
        )

    # -- a real payment at the sandbox ----------------------------------------------------------
    async def paid_at_iamport(self, amount: int) -> Paid:
        """CreateCheckout, then the sponsor pays in the sandbox's PG window over HTTP with the
        exact request_pay parameters; nothing is settled in our database yet."""
        checkout = await CreateCheckout(
            self.db.uow_factory,
            self.gateway,
            self.clock,
            self.ids,
            self.settings,
            demo_channels(),
            self.settlement,
        ).execute(
            CreateCheckoutCommand(
                user_seq=USER,
                content_type_code=3,
                content_seq=77,
                name="겨울 후원",
                amount=amount,
                pay_method="card",
                buyer_name="홍길동",
            )
        )
        opened = await self.http.post(
            f"{self.sandbox_url}/window/open",
            json={
                "merchant_code": "imp00000000",
                "has_callback": True,
                "params": checkout.request_pay.as_dict(),
            },
        )
        assert opened.status_code < 300, opened.text
        done = await self.http.post(
            f"{self.sandbox_url}/window/{opened.json()['window_id']}/approve",
            json={"card_number": APPROVE_CARD},
            headers={"Accept": "application/json"},
        )
        assert done.status_code < 300, done.text
        rsp = done.json()["rsp"]
        assert rsp["success"] is True and rsp["imp_uid"], rsp
        return Paid(checkout.order_id, checkout.payment_id, checkout.merchant_uid, rsp["imp_uid"])

    async def pay(self, amount: int) -> Paid:
        """A payment paid at the sandbox and settled (PAID) in our database by CompletePayment."""
        paid = await self.paid_at_iamport(amount)
        result = await self.complete().execute(
            CompletePaymentCommand(paid.imp_uid, paid.merchant_uid, USER)
        )
        assert result.paid, result
        return paid

    def webhook_for(self, imp_uid: str, status: str = "paid") -> Webhook:
        """The notification the sandbox delivered for `imp_uid` (captured, never sent on)."""
        for hook in self.webhooks:
            body = json.loads(hook.body) if "json" in hook.content_type else {}
            if body.get("imp_uid") == imp_uid and body.get("status") == status:
                return hook
        raise AssertionError(
            f"the sandbox sent no {status!r} webhook for {imp_uid}: {self.webhooks}"
        )


@asynccontextmanager
async def use_case_world(
    kind: str, *, pool_size: int, directory: Path | None = None, **engine_kwargs: Any
) -> AsyncIterator[UseCaseWorld]:
    """`engine_kwargs` go to the engine (e.g. `sqlite_begin=None` for a negative control)."""
    captured: list[Webhook] = []

    def capture(request: httpx.Request) -> httpx.Response:
        captured.append(Webhook(request.content.decode(), request.headers.get("content-type", "")))
        return httpx.Response(200, json={"ok": True})

    config = SandboxConfig(
        seed=None,
        hold_seconds=10,
        # Delivered (to the capture) before the window's answer: the test holds it at once.
        webhooks=WebhookOptions(timing="before_response"),
        webhook_transport=httpx.MockTransport(capture),
    )
    app = create_sandbox_app(config)
    async with (
        sql_database(kind, pool_size=pool_size, directory=directory, **engine_kwargs) as db,
        serving(app) as base_url,
        httpx.AsyncClient(timeout=10) as http,
        IamportClient(base_url, "sandbox_key", "sandbox_secret", read_timeout=10.0) as client,
    ):
        yield UseCaseWorld(db, client, base_url, http, captured)
