"""Monthly billing throughput: N due sponsorships charged by one `dolgo-pay jobs run
charge-subscriptions` process against the iamport sandbox in its own process, every gateway
call delayed by L, C charges at once. Prints figures; asserts nothing.

    .venv/bin/python bench/billing.py                      # N=10,000, L=50 ms, C=50, both DBs
    .venv/bin/python bench/billing.py --n 1000 --db mariadb --rss 1000,10000

For each database: elapsed (the job process, start to exit), its start-up alone (the same job
with nothing due), the ideal N·L/C, efficiency = ideal / (elapsed - start-up) and = ideal /
elapsed, gateway calls per charge (counted at the sandbox: every REST call it received), and
the job's peak RSS. `--rss` runs the job at each N given (MariaDB) to compare peak RSS.
MariaDB: a database of its own (`dolgo_bench_<pid>`, dropped after) on DOLGO_BENCH_MYSQL
(default root@127.0.0.1:3306). Record `uptime` with the figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url  # noqa: E402

from adapters.persistence.migrations import migrate  # noqa: E402
from tests.processes.world import (  # noqa: E402
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
    summary: str


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


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
            env = job_env(url, sandbox, concurrency)
            env["DOLGO_DB_POOL_SIZE"] = str(concurrency + 5)
            # nothing due yet: imports, container, schema check
            startup, _, startup_cpu, _ = run_job(env)
            await seed_due_sponsorships(url, n)
            sandbox.fault("latency", seconds=latency)  # every REST call
            elapsed, rss, cpu, out = run_job(env)
            calls = sandbox.triggered_total()
        seen = await recorded(url)
        charged = sum(1 for c in seen.cycles_paid.values() if c == 2)
        return Run(kind, n, elapsed, startup, charged, calls, rss, cpu, startup_cpu, out)
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
    )
    print(f"         {run.summary}")


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
