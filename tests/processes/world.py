"""Real processes for billing tests and the billing benchmark: the iamport sandbox in its own
process, due sponsorships seeded in SQL, `dolgo-pay jobs run` as subprocesses, and counts
taken at the sandbox (what iamport charged) and in the database (what we recorded).

    with SandboxProcess() as sandbox:
        seed_due_sponsorships(url, sandbox, 300)
        job = start_job(url, sandbox, "charge-subscriptions", concurrency=10)
        assert job.wait(60) == 0
        paid = sandbox.paid_by_merchant_uid()
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from adapters.persistence import SqlUnitOfWorkFactory, create_engine
from domain.card import BillingKey, PaymentCard
from domain.money import Amount
from domain.order import Buyer, Order
from domain.seoul import seoul_date
from domain.status import CardStatus, OrderStatus, OrderType, PayMethod
from domain.subscription import Subscription
from tests.secrets_scan import SCAN

ROOT = Path(__file__).resolve().parents[2]
CUSTOMER_UID = "dpc-bench-nice"
AMOUNT = 10_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SandboxProcess:
    """`dolgo-pay sandbox` on a free loopback port, for the life of the `with`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._client = httpx.Client(base_url=self.url, timeout=10)

    def __enter__(self) -> SandboxProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "sandbox", "--port", str(self.port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if self._client.get("/_sandbox/").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self._process.poll() is not None:
                self.__exit__()
                raise RuntimeError("the sandbox process did not start")
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        self._client.close()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def token(self) -> str:
        body = self._client.post(
            "/users/getToken", json={"imp_key": "sandbox_key", "imp_secret": "sandbox_secret"}
        ).json()
        return body["response"]["access_token"]

    def register_card(self, customer_uid: str = CUSTOMER_UID) -> None:
        response = self._client.post(
            f"/subscribe/customers/{customer_uid}",
            headers={"Authorization": self.token()},
            json={
                "card_number": "4111-1111-1111-1111",
                "expiry": "2030-12",
                "birth": "900101",
                "pwd_2digit": "12",
            },
        )
        assert response.json()["code"] == 0, response.text

    def fault(self, kind: str, **options: Any) -> None:
        response = self._client.post("/_sandbox/faults", json={"kind": kind, **options})
        assert response.status_code == 201, response.text

    def hold_webhooks(self) -> None:
        """Queue webhooks instead of sending them (nobody listens for them)."""
        response = self._client.put("/_sandbox/webhooks/config", json={"hold": True})
        assert response.status_code == 200, response.text

    def triggered(self, path: str) -> int:
        """How many requests on `path` a fault has caught so far."""
        body = self._client.get("/_sandbox/faults").json()
        return sum(1 for t in body["triggered"] if t["path"] == path)

    def triggered_total(self) -> int:
        """How many requests any fault has caught (a rule without a path catches every call)."""
        return len(self._client.get("/_sandbox/faults").json()["triggered"])

    def reset(self) -> None:
        """Forget every payment, key and fault."""
        self._client.post("/_sandbox/reset")

    def clear_faults(self) -> None:
        """Remove every fault rule (held responses go out); payments and keys stay."""
        self._client.delete("/_sandbox/faults")

    def paid_by_merchant_uid(self) -> Counter[str]:
        """How many tries iamport charged under each merchant_uid (refunded ones included)."""
        token, paid, page = self.token(), Counter[str](), 1
        while True:
            body = self._client.get(
                "/payments/status/all",
                params={"page": page, "limit": 100},
                headers={"Authorization": token},
            ).json()
            if body["code"] != 0:
                break
            rows = body["response"]["list"]
            for p in rows:
                if p["status"] == "paid" or (p["status"] == "cancelled" and p["paid_at"]):
                    paid[p["merchant_uid"]] += 1
            if len(rows) < 100:
                break
            page += 1
        return paid


def cycle_of(merchant_uid: str) -> str:
    """`dp<order>c<cycle>a<attempt>` → `dp<order>c<cycle>`: what must be charged once."""
    return merchant_uid.rsplit("a", 1)[0]


# -- the database ---------------------------------------------------------------------------------
async def seed_due_sponsorships(url: str, count: int, *, due: datetime | None = None) -> list[int]:
    """`count` ROUTINE sponsorships whose second cycle is due, all on one card whose billing key
    (CUSTOMER_UID) the sandbox holds. Ids are returned in order."""
    now = datetime.now(UTC)
    due = due or now - timedelta(hours=1)
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        uow_factory = SqlUnitOfWorkFactory(engine)
        card_id = 1_000_000
        async with uow_factory() as uow:
            await uow.cards.add(
                PaymentCard(
                    id=card_id,
                    user_seq=1,
                    created_at=now - timedelta(days=40),
                    status=CardStatus.ACTIVE,
                    card_type_code=1,
                    card_disp="4111-11**-****-1111",
                    card_corp="신한카드",
                    keys=[BillingKey("nice", CUSTOMER_UID, now - timedelta(days=40), "nice")],
                )
            )
            ids = []
            for n in range(count):
                order_id = 2_000_000 + n
                sub = Subscription(
                    billing_day=1,
                    card_id=card_id,
                    charge_hour=10,
                    cycle=1,
                    attempt=1,
                    cycle_paid=True,
                    next_charge_at=due,
                    cycle_due_on=seoul_date(due),  # the next cycle is next month's
                )
                await uow.orders.add(
                    Order(
                        id=order_id,
                        user_seq=1 + n % 97,
                        type=OrderType.MONTHLY,
                        content_type_code=1,
                        content_seq=42,
                        name="정기후원",
                        amount=Amount(AMOUNT, 0),
                        created_at=now - timedelta(days=40),
                        status=OrderStatus.ROUTINE,
                        pay_method=PayMethod.CARD,
                        buyer=Buyer("홍길동", "010-0000-0000", "sponsor@example.com"),
                        payment_card_id=card_id,
                        subscription=sub,
                    )
                )
                ids.append(order_id)
                if n % 500 == 499:
                    await uow.commit()
            await uow.commit()
        return ids
    finally:
        await engine.dispose()


async def sql(url: str, *statements: str) -> list[list[Any]]:
    """Run statements in one transaction; the rows of each."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as conn:
            out = []
            for statement in statements:
                result = await conn.execute(text(statement))
                out.append(list(result.all()) if result.returns_rows else [])
            return out
    finally:
        await engine.dispose()


async def pass_time(url: str, hours: int = 24) -> None:
    """As if `hours` had passed since the charges in flight were recorded: their checks and
    retries fall due, and every lease (a dead owner's included) has expired."""
    await sql(
        url,
        f"UPDATE payment SET payment_dt = payment_dt - INTERVAL {hours} HOUR,"
        f" unknown_since = unknown_since - INTERVAL {hours} HOUR,"
        f" unknown_next_check_at = unknown_next_check_at - INTERVAL {hours} HOUR"
        " WHERE payment_status = 0",
        # checks and retries set for later today (not what is already due, nor next month's)
        f"UPDATE payment_order SET next_charge_at = next_charge_at - INTERVAL {hours} HOUR"
        " WHERE next_charge_at > UTC_TIMESTAMP()"
        " AND next_charge_at < UTC_TIMESTAMP() + INTERVAL 1 DAY",
        "UPDATE payment_order SET lease_owner = NULL, lease_until = NULL",
        "UPDATE payment SET lease_owner = NULL, lease_until = NULL",
    )


@dataclass
class Recorded:
    """What our database says about the seeded sponsorships."""

    cycles_paid: dict[int, int]  # order → cycle paid last (2 when the due cycle was charged)
    payments: Counter[str]  # payment status → count
    requested: int  # attempts still in flight


async def recorded(url: str) -> Recorded:
    orders, payments = await sql(
        url,
        "SELECT seq, cycle, cycle_paid FROM payment_order",
        "SELECT payment_status, COUNT(*) FROM payment GROUP BY payment_status",
    )
    statuses = Counter({str(s): int(n) for s, n in payments})
    return Recorded(
        {int(seq): int(cycle) if paid else int(cycle) - 1 for seq, cycle, paid in orders},
        statuses,
        statuses.get("0", 0),
    )


# -- the jobs --------------------------------------------------------------------------------------
def job_env(url: str, sandbox: SandboxProcess, concurrency: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOLGO_")}
    env.update(
        DOLGO_DATABASE_URL=url,
        DOLGO_IAMPORT_URL=sandbox.url,
        DOLGO_BILLING_CONCURRENCY=str(concurrency),
        DOLGO_DB_POOL_SIZE=str(min(concurrency + 2, 100)),
        **extra,
    )
    return env


class JobProcess(subprocess.Popen[str]):
    """`dolgo-pay jobs run <job>` as a subprocess whose output goes to files, not pipes: a job
    whose pipe no one is reading (the test waits on another) would stall once it filled."""

    def __init__(self, job: str, env: dict[str, str]) -> None:
        self.out, self.err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
        super().__init__(
            [sys.executable, "-m", "adapters.cli", "jobs", "run", job],
            cwd=ROOT,
            env=env,
            stdout=self.out,
            stderr=self.err,
            text=True,
        )

    def output(self) -> tuple[str, str]:
        """What the job has printed so far: stdout, stderr."""
        texts = []
        for file in (self.out, self.err):
            file.seek(0)
            texts.append(file.read())
        return texts[0], texts[1]

    def close(self) -> None:
        """Close the output files, its lines read by the secrets scan first."""
        for name, printed in zip(("stdout", "stderr"), self.output(), strict=True):
            lines = printed.splitlines()
            for n, line in enumerate(lines, 1):
                SCAN.text(line, f"a job's {name} ({self.args[-1]}, pid {self.pid}):{n}")
            SCAN.count("job output lines", len(lines))
        self.out.close()
        self.err.close()

    def kill_now(self) -> None:
        """SIGKILL: the job dies wherever it is, as in a crash."""
        os.kill(self.pid, signal.SIGKILL)
        self.wait(10)
        self.close()


def start_job(
    url: str, sandbox: SandboxProcess, job: str, *, concurrency: int = 10, **extra: str
) -> JobProcess:
    return JobProcess(job, job_env(url, sandbox, concurrency, **extra))


def finish(job: JobProcess, timeout: float = 240) -> tuple[int, str, str]:
    """Wait for the job to end; its exit code, stdout and stderr."""
    code = job.wait(timeout)
    out, err = job.output()
    job.close()
    return code, out, err


def charged_in(summary: str) -> int:
    """The `charged N` of a charge-subscriptions summary line."""
    found = re.search(r"\bcharged (\d+)", summary)
    return int(found.group(1)) if found else 0


async def wait_until(predicate, within: float = 30, every: float = 0.05) -> None:  # noqa: ANN001
    deadline = time.monotonic() + within
    while not await predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(every)
