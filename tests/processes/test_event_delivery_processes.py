"""Outgoing events delivered by two real `jobs run deliver-events` processes at once on
MariaDB, to a real HTTP receiver that verifies every signature: each event is sent exactly once
(one attempt each, all answered 2xx), and both processes did part of the work."""

import asyncio
import base64
import os
import secrets
import threading
from collections import Counter

import pytest
from standardwebhooks import Webhook

from adapters.persistence import SqlUnitOfWorkFactory, create_engine
from domain.payment import SettledFacts
from domain.status import PaymentStatus
from tests.events import asgi
from tests.persistence import builders as b
from tests.persistence.builders import T0
from tests.persistence.databases import sql_database
from tests.processes.world import JobProcess, finish, sql
from tests.sandbox.live import LiveServer

pytestmark = pytest.mark.mariadb

EVENTS = 150  # more than one run claims (100): the second process must take the rest
SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Receiver:
    """Verifies each request, counts it by webhook-id and by process (each process is given
    its own path), and holds every answer until both processes have sent (or 60 s passed), so
    that their claims overlap in time."""

    def __init__(self) -> None:
        self.by_id: Counter[str] = Counter()
        self.by_process: Counter[str] = Counter()
        self.bad = 0
        self._lock = threading.Lock()
        self._both: asyncio.Event | None = None  # made on the server's own loop

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await asgi.lifespan(receive, send)
            return
        headers, body = await asgi.request_of(scope, receive)
        try:
            Webhook(SECRET).verify(body, headers)
        except Exception:  # noqa: BLE001 - any failure is a bad signature
            self.bad += 1
        with self._lock:
            self.by_id[headers.get("webhook-id", "")] += 1
            self.by_process[scope["path"]] += 1
        if self._both is None:
            self._both = asyncio.Event()
        if len(self.by_process) == 2:
            self._both.set()
        try:
            await asyncio.wait_for(self._both.wait(), timeout=60)
        except TimeoutError:
            pass  # the other process never sent: the assertions say so
        await asgi.answer(send, 204)


async def seed_paid_payments(url: str, count: int) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        uow_factory = SqlUnitOfWorkFactory(engine)
        async with uow_factory() as uow:
            for _ in range(count):
                order = b.order()
                payment = b.payment(order.id, status=PaymentStatus.REQUESTED, imp_uid=None)
                payment.approve(
                    SettledFacts(f"imp_{payment.id}", pg_provider="nice"), T0, "webhook"
                )
                await uow.orders.add(order)
                await uow.payments.add(payment)
            await uow.commit()
    finally:
        await engine.dispose()


def start_deliverer(url: str, endpoint: str) -> JobProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOLGO_")}
    env.update(
        DOLGO_DATABASE_URL=url,
        DOLGO_IAMPORT_URL="http://iamport.invalid",
        DOLGO_EVENT_ENDPOINTS=f"main={endpoint}",
        DOLGO_EVENT_SECRETS=SECRET,
    )
    return JobProcess("deliver-events", env)


async def test_two_deliverers_at_once_send_each_event_exactly_once():
    receiver = Receiver()
    async with sql_database("mariadb", pool_size=1) as db:
        await seed_paid_payments(db.url, EVENTS)
        with LiveServer(receiver) as server:
            jobs = [start_deliverer(db.url, f"{server.url}/{name}") for name in ("a", "b")]
            results = await asyncio.to_thread(lambda: [finish(job) for job in jobs])
        (rows,) = await sql(
            db.url, "SELECT delivery_state, attempts, COUNT(*) FROM event_delivery GROUP BY 1, 2"
        )

    for code, out, err in results:
        assert code == 0, (out, err)
    assert receiver.bad == 0
    assert len(receiver.by_id) == EVENTS and set(receiver.by_id.values()) == {1}
    assert len(receiver.by_process) == 2, receiver.by_process  # both processes sent some
    assert [tuple(r) for r in rows] == [("delivered", 1, EVENTS)]
