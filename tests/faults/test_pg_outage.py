"""A PG outage over real HTTP (spec §4.9): the real client against the iamport sandbox served on
loopback, with nice (the primary; cards also get a key on its backup, kicc) down while kicc
works. Every charge is counted where it happens: in the sandbox's own payments.

The same rules are proven on the fakes in tests/application/test_failover.py (breaker
arithmetic, every outcome); here the outage is the sandbox's, so the client's reading of a
refusing or hanging PG is part of what is tested. A breaker opens on the first PG failure and
stays open an hour, so one outage decides the route of what follows.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.container import Container
from adapters.iamport.client import IamportClient
from adapters.iamport.sandbox import SandboxConfig, create_sandbox_app
from adapters.iamport.sandbox.state import SandboxState
from adapters.scheduler.jobs import JOBS
from application.use_cases.create_checkout import CreateCheckoutCommand
from application.use_cases.one_click import ChargeState, PayWithCardCommand
from application.use_cases.register_card import RegisterCardCommand
from application.use_cases.subscriptions import StartSubscriptionCommand
from domain.card_credentials import CardCredentials
from domain.identifiers import parse_merchant_uid
from domain.status import OrderStatus, PaymentStatus
from tests.faults.wiring import MovableClock, container_on
from tests.iamport_client.fake_iamport import serving
from tests.persistence.databases import sql_database

APPROVE = "4111-1111-1111-1111"
DECLINE = "4000-0000-0000-0002"  # keys issue; every charge is declined (잔액부족)
READ_TIMEOUT = 0.5  # the client gives up on a hanging PG after this


@dataclass
class Outage:
    container: Container
    sandbox: SandboxState  # the served sandbox's own state: what iamport charged
    base_url: str
    http: httpx.AsyncClient
    clock: MovableClock

    async def down(self, channel: str, mode: str | bool) -> None:
        body = {"outage": mode, "seconds": READ_TIMEOUT * 4}
        r = await self.http.put(f"{self.base_url}/_sandbox/channels/{channel}", json=body)
        assert r.status_code == 200, r.text

    def charges(self, order_id: int, status: str = "paid") -> list[str]:
        """The channel of every payment in `status` the sandbox holds for the order."""
        return [
            p.channel.name
            for p in self.sandbox.store.payments.values()
            if (parse_merchant_uid(p.merchant_uid) or (0,))[0] == order_id and p.status == status
        ]

    async def card(self, user_seq: int, number: str = APPROVE) -> int:
        credentials = CardCredentials(number, "2030-12", "900101", "12")
        result = await self.container.register_card().execute(
            RegisterCardCommand(user_seq=user_seq, card=credentials)
        )
        assert [k.channel for k in result.card.keys if k.active] == ["nice", "kicc"]
        return result.card.id

    async def one_click(self, user_seq: int, card_id: int):
        return await self.container.pay_with_card().execute(
            PayWithCardCommand(user_seq, card_id, 5_000, "원클릭 후원", 3, 78)
        )

    async def monthly(self, user_seq: int, card_id: int) -> int:
        started = await self.container.start_subscription().execute(
            StartSubscriptionCommand(user_seq, card_id, 10_000, 25, "정기후원", 3, 79)
        )
        assert started.order.status is OrderStatus.ROUTINE
        return started.order.id

    async def billing_day(self, order_ids: list[int]) -> None:
        """Move our clock to the latest next charge of `order_ids` and run the billing job."""
        due = [(await self.order(o)).subscription.next_charge_at for o in order_ids]
        self.clock.offset = max(due) - datetime.now(UTC) + timedelta(seconds=1)
        await self.run("charge-subscriptions")

    async def run(self, job: str) -> str:
        return str(await JOBS[job][1](self.container))

    async def order(self, order_id: int):
        async with self.container.uow_factory()() as uow:
            return await uow.orders.get(order_id)

    async def attempts(self, order_id: int, cycle: int | None = None):
        async with self.container.uow_factory()() as uow:
            payments = await uow.payments.for_order(order_id)
        return [(p.channel, p.status) for p in payments if cycle is None or p.cycle == cycle]

    async def checkout_pg(self, user_seq: int) -> str:
        started = await self.container.create_checkout().execute(
            CreateCheckoutCommand(user_seq, 3, 77, "겨울 후원", 10_000, "card")
        )
        return started.request_pay.pg


async def world(kind: str, tmp_path: Path) -> AsyncIterator[Outage]:
    app = create_sandbox_app(
        SandboxConfig(
            hold_seconds=READ_TIMEOUT * 4,
            webhook_transport=httpx.MockTransport(lambda _: httpx.Response(200)),
        )
    )
    clock = MovableClock()
    async with (
        sql_database(kind, pool_size=10, directory=tmp_path) as db,
        serving(app) as base_url,
        httpx.AsyncClient(timeout=10) as http,
        IamportClient(
            base_url,
            "sandbox_key",
            "sandbox_secret",
            connect_timeout=READ_TIMEOUT,
            read_timeout=READ_TIMEOUT,
        ) as client,
    ):
        container = container_on(
            base_url,
            db.uow_factory,
            client,
            clock,
            READ_TIMEOUT,
            DOLGO_DATABASE_URL=db.url,
            DOLGO_BREAKER_FAILURES="1",
            DOLGO_BREAKER_OPEN_SECONDS="3600",
        )
        yield Outage(container, app.state.sandbox, base_url, http, clock)
        await http.post(f"{base_url}/_sandbox/faults/release")


@pytest.fixture
async def outage(tmp_path: Path) -> AsyncIterator[Outage]:
    async for w in world("sqlite", tmp_path):
        yield w


async def test_primary_outage_one_click_is_charged_once_on_the_backup(outage: Outage):
    card = await outage.card(7001)
    await outage.down("nice", "reject")

    result = await outage.one_click(7001, card)

    assert result.state is ChargeState.PAID
    assert await outage.attempts(result.order.id) == [
        ("nice", PaymentStatus.FAILED),
        ("kicc", PaymentStatus.PAID),
    ]
    assert outage.charges(result.order.id) == ["kicc"]


async def test_a_decline_on_the_primary_never_reaches_the_backup(outage: Outage):
    card = await outage.card(7002, DECLINE)

    result = await outage.one_click(7002, card)

    assert (result.state, result.fail_reason) == (ChargeState.FAILED, "잔액부족")
    assert outage.charges(result.order.id, "failed") == ["nice"]
    assert outage.charges(result.order.id, "paid") == []


async def test_a_timeout_on_the_primary_stays_unknown_until_proven_unpaid_then_uses_the_backup(
    outage: Outage,
):
    order_id = await outage.monthly(7003, await outage.card(7003))
    await outage.down("nice", "hang")

    await outage.billing_day([order_id])

    assert await outage.attempts(order_id, cycle=2) == [("nice", PaymentStatus.REQUESTED)]
    assert outage.charges(order_id) == ["nice"]  # cycle 1 only: nothing more, not on kicc

    for step in (timedelta(minutes=2), timedelta(minutes=8)):  # two checks on the backoff
        outage.clock.offset += step
        await outage.run("resolve-unknown")  # iamport holds no try: at the second, proof
    await outage.run("charge-subscriptions")

    assert await outage.attempts(order_id, cycle=2) == [
        ("nice", PaymentStatus.FAILED),
        ("kicc", PaymentStatus.ROUTINE_PAID),
    ]
    assert outage.charges(order_id) == ["nice", "kicc"]
    assert (await outage.order(order_id)).status is OrderStatus.ROUTINE


async def test_checkout_moves_to_the_backup_while_the_primary_is_open_and_back_after(
    outage: Outage,
):
    card = await outage.card(7004)
    assert await outage.checkout_pg(7004) == "nice.dolgonice1m"
    await outage.down("nice", "reject")
    await outage.one_click(7004, card)  # nice's rejection opens its breaker

    assert await outage.checkout_pg(7004) == "html5_inicis.MOIdolgo01"

    await outage.down("nice", False)
    outage.clock.offset += timedelta(hours=1, seconds=1)  # one probe may go to nice
    probe = await outage.one_click(7004, card)
    assert await outage.attempts(probe.order.id) == [("nice", PaymentStatus.PAID)]
    assert await outage.checkout_pg(7004) == "nice.dolgonice1m"


@pytest.mark.parametrize("kind", ["sqlite", "mariadb"])
async def test_a_billing_run_during_a_primary_outage_charges_every_sponsor_once_on_the_backup(
    kind: str, tmp_path: Path
):
    async for outage in world(kind, tmp_path):
        orders = [await outage.monthly(user, await outage.card(user)) for user in range(7100, 7112)]
        await outage.down("nice", "reject")

        await outage.billing_day(orders)

        for order_id in orders:
            assert (await outage.order(order_id)).status is OrderStatus.ROUTINE, order_id
            assert outage.charges(order_id) == ["nice", "kicc"], order_id  # cycle 1, cycle 2
