"""Monthly billing throughput: N due sponsorships charged by one `dolgo-pay jobs run
charge-subscriptions` process against the iamport sandbox in its own process, every gateway
call delayed by L, C charges at once. Prints figures; asserts nothing.

    .venv/bin/python bench/billing.py                      # N=10,000, L=50 ms, C=50, both DBs
    .venv/bin/python bench/billing.py --n 1000 --db mariadb --rss 1000,10000

For each database: elapsed (the job process, start to exit), its start-up alone (the same job
with nothing due), the ideal N·L/C, efficiency = ideal / (elapsed - start-up) and = ideal /
elapsed, gateway calls per charge (counted at the sandbox: every REST call it received), and
the job's peak RSS. `--rss` runs the job at each N given (MariaDB) to compare peak RSS.

First the ceiling: the same N charges (`again`) sent by our iamport client alone, C at once,
with no database, against the same sandbox: what any job could reach on this machine, and
the CPU per call of the sandbox and of the client. The sandbox holds its webhooks (nobody
listens for them here): iamport's own work is not on our machine in production.
MariaDB: a database of its own (`dolgo_bench_<pid>`, dropped after) on DOLGO_BENCH_MYSQL
(default root@127.0.0.1:3306). Record `uptime` with the figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url  # noqa: E402

from adapters.iamport.client import IamportClient  # noqa: E402
from adapters.persistence.migrations import migrate  # noqa: E402
from application.gateway import AgainRequest, Approved  # noqa: E402
from domain.order import Buyer  # noqa: E402
from tests.processes.world import (  # noqa: E402
    AMOUNT,
    CUSTOMER_UID,
    ROOT,
    SandboxProcess,
    job_env,
    recorded,
    seed_due_sponsorships,
)

MYSQL = os.environ.get("DOLGO_BENCH_MYSQL", "mysql+aiomysql://root@127.0.0.1:3306/")


@dataclass
class Run:
    db: str
    n: int
    elapsed: float
    startup: float
    charged: int
    calls: int
    rss_mib: float
    cpu: float  # the job process's user + system seconds
    startup_cpu: float
    sandbox_cpu: float  # the sandbox's seconds during the timed run
    summary: str


@dataclass
class Ceiling:
    n: int
    elapsed: float
    client_cpu: float
    sandbox_cpu: float
    approved: int


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def process_cpu(pid: int) -> float:
    """User + system seconds of a running process (Linux)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def charge_bare(url: str, n: int, concurrency: int) -> tuple[int, float, float]:
    """(approved, seconds, CPU seconds) of n `again` calls by the iamport client, C at once."""
    numbers = itertools.count()
    approved = 0

    async with IamportClient(url, "sandbox_key", "sandbox_secret") as client:
        await client.find_payment("warm-the-token")

        async def worker() -> None:
            nonlocal approved
            while (i := next(numbers)) < n:
                outcome = await client.charge_billing_key(
                    AgainRequest(
                        customer_uid=CUSTOMER_UID,
                        merchant_uid=f"ceiling-{os.getpid()}-{i}",
                        amount=AMOUNT,
                        name="정기후원",
                        buyer=Buyer("홍길동", "010-0000-0000", "sponsor@example.com"),
                        notice_url="http://127.0.0.1:8000/api/webhooks/iamport",
                    )
                )
                approved += isinstance(outcome, Approved)

        started, cpu = time.monotonic(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return approved, time.monotonic() - started, time.process_time() - cpu


async def ceiling(n: int, latency: float, concurrency: int) -> Ceiling:
    with SandboxProcess() as sandbox:
        sandbox.register_card()
        sandbox.hold_webhooks()
        sandbox.fault("latency", seconds=latency)
        before = process_cpu(sandbox.pid)
        approved, elapsed, cpu = await charge_bare(sandbox.url, n, concurrency)
        return Ceiling(n, elapsed, cpu, process_cpu(sandbox.pid) - before, approved)


def run_job(env: dict[str, str]) -> tuple[float, float, float, str]:
    """(seconds, peak RSS MiB, CPU seconds, stdout) of one `jobs run charge-subscriptions`."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as errors:
        job = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "jobs", "run", "charge-subscriptions"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert job.stdout is not None
        out = job.stdout.read()
        _, status, usage = os.wait4(job.pid, 0)
        job.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        errors.seek(0)
        kinds = sorted({line.split(": ")[0][-80:] for line in errors if "Error" in line})
    if kinds:
        out += "\n         errors seen: " + "; ".join(kinds[:3])
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss / 1024, cpu, out.strip()


async def fresh_database(kind: str, folder: Path, tag: str) -> str:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / f'bench-{tag}.db'}"
    else:
        import pymysql

        name = f"dolgo_bench_{os.getpid()}_{tag}"
        server = make_url(MYSQL)
        conn = pymysql.connect(host=server.host, port=server.port or 3306, user=server.username)
        with conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        url = server.set(database=name).render_as_string(hide_password=False)
    await migrate(url)
    return url


def drop(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    import pymysql

    conn = pymysql.connect(host=parsed.host, port=parsed.port or 3306, user=parsed.username)
    with conn, conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{parsed.database}`")


async def bench(kind: str, n: int, latency: float, concurrency: int, folder: Path) -> Run:
    url = await fresh_database(kind, folder, f"{kind}{n}")
    try:
        with SandboxProcess() as sandbox:
            sandbox.register_card()
            sandbox.hold_webhooks()
            env = job_env(url, sandbox, concurrency)
            env["DOLGO_DB_POOL_SIZE"] = str(concurrency + 5)
            # nothing due yet: imports, container, schema check
            startup, _, startup_cpu, _ = run_job(env)
            await seed_due_sponsorships(url, n)
            sandbox.fault("latency", seconds=latency)  # every REST call
            before = process_cpu(sandbox.pid)
            elapsed, rss, cpu, out = run_job(env)
            sandbox_cpu = process_cpu(sandbox.pid) - before
            calls = sandbox.triggered_total()
        seen = await recorded(url)
        charged = sum(1 for c in seen.cycles_paid.values() if c == 2)
        return Run(
            kind, n, elapsed, startup, charged, calls, rss, cpu, startup_cpu, sandbox_cpu, out
        )
    finally:
        drop(url)


def report(run: Run, latency: float, concurrency: int) -> None:
    ideal = run.n * latency / concurrency
    work = max(run.elapsed - run.startup, 1e-9)
    print(
        f"{run.db:8} N={run.n:>6}  elapsed {run.elapsed:7.2f} s (start-up {run.startup:5.2f} s)"
        f"  ideal {ideal:6.2f} s  efficiency {ideal / work:5.3f} (incl. start-up"
        f" {ideal / run.elapsed:5.3f})  charged {run.charged}/{run.n}"
        f"  gateway calls/charge {run.calls / max(run.charged, 1):5.3f}"
        f"  peak RSS {run.rss_mib:6.1f} MiB"
        f"  job CPU {(run.cpu - run.startup_cpu) / max(run.n, 1) * 1000:5.2f} ms/charge"
        f"  sandbox CPU {run.sandbox_cpu / max(run.calls, 1) * 1000:4.2f} ms/call"
    )
    print(f"         {run.summary}")


def report_ceiling(c: Ceiling, latency: float, concurrency: int) -> None:
    ideal = c.n * latency / concurrency
    print(
        f"ceiling  N={c.n:>6}  elapsed {c.elapsed:7.2f} s  ideal {ideal:6.2f} s"
        f"  bare client efficiency {ideal / c.elapsed:5.3f}  approved {c.approved}/{c.n}"
        f"  client CPU {c.client_cpu / c.n * 1000:4.2f} ms/call"
        f"  sandbox CPU {c.sandbox_cpu / c.n * 1000:4.2f} ms/call"
        "  (the iamport client alone, no database)",
        flush=True,
    )


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--latency", type=float, default=0.050, help="seconds per gateway call")
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--db", default="mariadb,sqlite")
    p.add_argument("--rss", default="1000,10000", help="N values for the RSS comparison")
    args = p.parse_args()
    print(load())
    print(f"L = {args.latency * 1000:.0f} ms per call, C = {args.concurrency}", flush=True)
    shape = (args.latency, args.concurrency)
    report_ceiling(await ceiling(args.n, args.latency, args.concurrency), *shape)
    with tempfile.TemporaryDirectory(prefix="dolgo-bench-") as tmp:
        folder = Path(tmp)
        for kind in args.db.split(","):
            run = await bench(kind, args.n, args.latency, args.concurrency, folder)
            report(run, args.latency, args.concurrency)
        sizes = [int(x) for x in args.rss.split(",") if x]
        rss = []
        for n in sizes:
            run = await bench("mariadb", n, args.latency, args.concurrency, folder)
            report(run, args.latency, args.concurrency)
            rss.append(run.rss_mib)
        if len(rss) >= 2:
            print(f"peak RSS N={sizes[-1]} / N={sizes[0]}: {rss[-1] / rss[0]:.3f}")
    print(load())


if __name__ == "__main__":
    asyncio.run(main())
