"""Payment completion and order creation, side by side in one run on MariaDB (issue #14):
the raw database ceiling, the usual integration as a peer, and dolgo-pay `serve`, all against
the iamport sandbox in its own process with every REST call delayed by L (20 ms).
Prints figures; asserts nothing.

    ./dev bench complete                          # N=2,000, C=64; installs .[bench] first
    ./dev bench complete --n 500 --driver aiomysql --workers 1

* ceiling: bench/ceiling.py, aiomysql alone doing the same database work (no HTTP, no gateway).
* peer: bench/peer/app.py, synchronous Flask + the official iamport-rest-client (a token per
  call) + PyMySQL under gunicorn with 5 sync workers, in a virtualenv of its own
  (.venv-bench-peer/, made on first use).
* dolgo-pay: `dolgo-pay serve` (real processes, its real routes: POST /api/orders, then
  POST /api/payments/complete), per driver (aiomysql, asyncmy) and per worker count when
  DOLGO_WORKERS exists.

Between order creation and completion every order is paid at the sandbox through its PG window
(not timed, not counted). The load is sent by bench/loadgen.py in its own process. Gateway calls
are counted at the sandbox (every REST call it received during the phase); server CPU is the
user + system time of the server's processes during the phase. MariaDB: a database of its own
(`dolgo_bench_<pid>_complete`, dropped after) on DOLGO_BENCH_MYSQL (default root@127.0.0.1:3306).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pymysql
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.http.auth import issue_token  # noqa: E402
from bench.billing import drop, fresh_database, load  # noqa: E402
from tests.http.conftest import ORDER  # noqa: E402
from tests.processes.world import ROOT, SandboxProcess, free_port  # noqa: E402

BENCH = Path(__file__).resolve().parent
PEER_VENV = ROOT / ".venv-bench-peer"
PEER_REQUIREMENTS = BENCH / "peer" / "requirements.txt"
JWT_SECRET = "bench-complete-jwt-secret-0123456789abcdef"
USERS = 100
CARD = "4111-1111-1111-1111"  # the sandbox's approving test card
UNLIMITED = "1000000/minute"


@dataclass
class Row:
    name: str
    n: int
    rps: float
    p50: float
    p99: float
    errors: int
    calls: float | None  # gateway calls per request
    cpu_ms: float | None  # server CPU per request
    rss_mib: float | None = None
    sandbox_ms: float | None = None  # the sandbox's CPU per request
    loadgen_ms: float | None = None  # the load generator's CPU per request
    database_ms: float | None = None  # the MariaDB server's CPU per request (when local)

    def line(self) -> str:
        def shown(value: float | None, spec: str) -> str:
            return "–" if value is None else format(value, spec)

        return (
            f"| {self.name} | {self.rps:,.0f} | {self.p50 * 1000:,.0f} | {self.p99 * 1000:,.0f}"
            f" | {self.errors} | {shown(self.calls, '.2f')} | {shown(self.cpu_ms, '.1f')}"
            f" | {shown(self.rss_mib, '.0f')} | {shown(self.sandbox_ms, '.1f')}"
            f" | {shown(self.loadgen_ms, '.1f')} | {shown(self.database_ms, '.1f')} |"
        )


HEADER = (
    "| | req/s | p50 ms | p99 ms | errors | gateway calls | server CPU ms/req | server RSS MiB"
    " | sandbox CPU ms/req | load generator CPU ms/req | database CPU ms/req |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(
    name: str,
    result: dict[str, Any],
    ok: list[bool],
    calls: int | None = None,
    cpu: float | None = None,
    rss: float | None = None,
) -> Row:
    n = len(result["latencies"])
    cuts = statistics.quantiles(result["latencies"], n=100, method="inclusive")
    return Row(
        name,
        n,
        n / result["elapsed"],
        cuts[49],
        cuts[98],
        n - sum(ok),
        None if calls is None else calls / n,
        None if cpu is None else cpu / n * 1000,
        rss,
    )


# -- processes -------------------------------------------------------------------------------------
def loadgen(base_url: str, requests: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dolgo-loadgen-") as tmp:
        job, out = Path(tmp) / "job.json", Path(tmp) / "result.json"
        job.write_text(
            json.dumps(
                {
                    "base_url": base_url,
                    "concurrency": concurrency,
                    "keep_bodies": True,
                    "requests": requests,
                }
            )
        )
        subprocess.run(
            [sys.executable, str(BENCH / "loadgen.py"), str(job), str(out)], check=True, cwd=ROOT
        )
        return json.loads(out.read_text())


def tree_of(pid: int) -> list[int]:
    """pid and its descendants."""
    pids, i = [pid], 0
    while i < len(pids):
        try:
            children = Path(f"/proc/{pids[i]}/task/{pids[i]}/children").read_text().split()
        except OSError:
            children = []
        pids += [int(c) for c in children]
        i += 1
    return pids


def cpu_of(pid: int) -> float:
    """User + system seconds of pid and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in tree_of(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def database_pid() -> int | None:
    """The local MariaDB / MySQL server process, if there is one (its CPU is the database's)."""
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() in ("mariadbd", "mysqld"):
                return int(comm.parent.name)
        except OSError:
            continue
    return None


def rss_of(pid: int) -> float:
    total = 0
    for p in tree_of(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Server:
    """A server process on a free port for the life of the `with`."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int, probe: str) -> None:
        self.argv, self.env, self.port, self.probe = argv, env, port, probe
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.TemporaryFile("w+")
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(self.url + self.probe, timeout=2).status_code < 500:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"{self.argv[0]} did not start:\n{self.output()[-2000:]}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def processes(self) -> int:
        return len(tree_of(self.pid))


def peer_python() -> Path:
    """The peer's virtualenv, made (and kept) on first use."""
    python = PEER_VENV / "bin" / "python"
    digest = hashlib.sha256(PEER_REQUIREMENTS.read_bytes()).hexdigest()[:12]
    stamp = PEER_VENV / f".installed-{digest}"
    if not stamp.exists():
        print(f"installing the peer's packages into {PEER_VENV.name}/ ...", flush=True)
        venv.create(PEER_VENV, with_pip=True, clear=True)
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(PEER_REQUIREMENTS)],
            capture_output=True,
            text=True,
        )
        if installed.returncode != 0:
            raise RuntimeError(f"could not install the peer's packages:\n{installed.stderr}")
        stamp.touch()
    return python


# -- the sandbox -----------------------------------------------------------------------------------
class Sandbox:
    def __init__(self, process: SandboxProcess) -> None:
        self.process = process
        self.url = process.url

    @property
    def pid(self) -> int:
        return self.process.pid

    def calls(self) -> int:
        return self.process.triggered_total()

    async def pay(self, params: list[dict[str, Any]], concurrency: int = 16) -> list[str | None]:
        """Approve each payment in its PG window, as a sponsor would; the imp_uids."""
        out: list[str | None] = [None] * len(params)
        queue = iter(range(len(params)))
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as client:

            async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
                for attempt in range(3):  # a window's actions may be repeated
                    try:
                        r = await client.post(
                            path, json=body, headers={"Accept": "application/json"}
                        )
                        return r.json()
                    except httpx.TransportError:
                        if attempt == 2:
                            raise
                return {}

            async def worker() -> None:
                for i in queue:
                    opened = await post(
                        "/window/open", {"merchant_code": "imp00000000", "params": params[i]}
                    )
                    if not opened.get("window_id"):
                        continue
                    approved = await post(
                        f"/window/{opened['window_id']}/approve", {"card_number": CARD}
                    )
                    rsp = approved.get("rsp") or {}
                    out[i] = rsp["imp_uid"] if rsp.get("success") else None

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        return out


# -- the contenders -------------------------------------------------------------------------------
def dsn(url: str) -> str:
    u = make_url(url)
    return f"{u.username}@{u.host}:{u.port or 3306}/{u.database}"


def workers_supported() -> bool:
    """Does this dolgo-pay read DOLGO_WORKERS? (another change adds it; detect, don't assume)"""
    return any(
        '"DOLGO_WORKERS"' in path.read_text(encoding="utf-8")
        for path in (ROOT / "adapters").rglob("*.py")
    )


def dolgo_env(url: str, sandbox: Sandbox, port: int, workers: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOLGO_")}
    env.update(
        DOLGO_DATABASE_URL=url,
        DOLGO_IAMPORT_URL=sandbox.url,
        DOLGO_JWT_SECRET=JWT_SECRET,
        DOLGO_HOST="127.0.0.1",
        DOLGO_PORT=str(port),
        DOLGO_SCHEDULER="off",  # no job competes with the requests
        # the abuse limits stay on (their cost is part of a request), out of the way
        DOLGO_RATE_LIMIT_PAYMENT_PER_USER=UNLIMITED,
        DOLGO_RATE_LIMIT_PAYMENT_PER_IP=UNLIMITED,
    )
    if workers is not None:
        env["DOLGO_WORKERS"] = str(workers)
    return env


def token_header(n: int) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(JWT_SECRET, 1 + n % USERS)}"}


def dolgo_server(url: str, sandbox: Sandbox, workers: int | None) -> Server:
    """`dolgo-pay serve` on a free port, for a `with`."""
    port = free_port()
    argv = [sys.executable, "-m", "adapters.cli", "serve"]
    return Server(argv, dolgo_env(url, sandbox, port, workers), port, "/health")


def bench_dolgo(
    label: str, url: str, sandbox: Sandbox, n: int, c: int, workers: int | None
) -> tuple[Row, Row, str]:
    with dolgo_server(url, sandbox, workers) as server:
        orders_row, complete_row = order_pay_complete(server, sandbox, label, n, c)
        processes = server.processes()
    return orders_row, complete_row, f"{processes} process(es)"


def order_pay_complete(
    server: Server, sandbox: Sandbox, label: str, n: int, c: int, first_user: int = 0
) -> tuple[Row, Row]:
    """n `POST /api/orders` (timed), each paid in the sandbox's PG window (not timed), then n
    `POST /api/payments/complete` (timed): the two phases' rows."""
    headers = [token_header(first_user + i) for i in range(n)]
    orders = [
        {"method": "POST", "path": "/api/orders", "headers": headers[i], "json": ORDER}
        for i in range(n)
    ]
    orders_row, created = phase(server, sandbox, label, orders, c, {201})
    params = [b["request_pay"] if isinstance(b, dict) else {} for b in created]
    imp_uids = asyncio.run(sandbox.pay(params))
    completions = [
        {
            "method": "POST",
            "path": "/api/payments/complete",
            "headers": headers[i],
            "json": {"imp_uid": imp_uids[i], "merchant_uid": params[i].get("merchant_uid")},
        }
        for i in range(n)
    ]
    complete_row, _ = phase(server, sandbox, label, completions, c, {200}, paid=True)
    return orders_row, complete_row


def phase(
    server: Server,
    sandbox: Sandbox,
    label: str,
    requests: list[dict[str, Any]],
    c: int,
    ok_status: set[int],
    *,
    paid: bool = False,
) -> tuple[Row, list[Any]]:
    db = database_pid()
    db_cpu = cpu_of(db) if db else 0.0
    calls, cpu, sandbox_cpu = sandbox.calls(), cpu_of(server.pid), cpu_of(sandbox.pid)
    result = loadgen(server.url, requests, c)
    cpu, calls = cpu_of(server.pid) - cpu, sandbox.calls() - calls
    sandbox_cpu = cpu_of(sandbox.pid) - sandbox_cpu
    db_cpu = cpu_of(db) - db_cpu if db else 0.0
    ok = [
        s in ok_status and (not paid or (isinstance(b, dict) and b.get("paid") is True))
        for s, b in zip(result["statuses"], result["bodies"], strict=True)
    ]
    measured = row(label, result, ok, calls, cpu, rss_of(server.pid))
    measured.sandbox_ms = sandbox_cpu / len(requests) * 1000
    measured.loadgen_ms = result["cpu"] / len(requests) * 1000
    measured.database_ms = db_cpu / len(requests) * 1000 if db else None
    return measured, result["bodies"]


def bench_peer(url: str, sandbox: Sandbox, n: int, c: int) -> tuple[Row, Row]:
    python = peer_python()
    server = make_url(url)
    conn = pymysql.connect(host=server.host, port=server.port or 3306, user=server.username)
    with conn, conn.cursor() as cursor:
        cursor.execute(f"USE `{server.database}`")
        cursor.execute((BENCH / "peer" / "schema.sql").read_text())
    port = free_port()
    env = {**os.environ, "PEER_DSN": dsn(url), "IAMPORT_URL": sandbox.url + "/"}
    argv = [
        str(python.parent / "gunicorn"),
        "--workers",
        "5",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(BENCH / "peer"),
        "--log-level",
        "warning",
        "app:app",
    ]
    with Server(argv, env, port, "/") as peer:
        orders = [
            {
                "method": "POST",
                "path": "/orders",
                "json": {"user_id": 1 + i % USERS, "name": ORDER["name"], "amount": 10000},
            }
            for i in range(n)
        ]
        orders_row, created = phase(peer, sandbox, "the usual integration", orders, c, {201})
        params = [
            {
                "merchant_uid": b.get("merchant_uid") if isinstance(b, dict) else None,
                "amount": 10000,
                "name": ORDER["name"],
                "pay_method": "card",
            }
            for b in created
        ]
        imp_uids = asyncio.run(sandbox.pay(params))
        completions = [
            {
                "method": "POST",
                "path": "/payments/complete",
                "json": {"imp_uid": imp_uids[i], "merchant_uid": params[i]["merchant_uid"]},
            }
            for i in range(n)
        ]
        complete_row, _ = phase(
            peer, sandbox, "the usual integration", completions, c, {200}, paid=True
        )
    return orders_row, complete_row


def template_order(url: str) -> int:
    server = make_url(url)
    conn = pymysql.connect(
        host=server.host, port=server.port or 3306, user=server.username, database=server.database
    )
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT MIN(order_seq) FROM payment")
        (seq,) = cursor.fetchone()
    return int(seq)


def bench_ceiling(url: str, n: int, c: int) -> tuple[Row, Row]:
    with tempfile.TemporaryDirectory(prefix="dolgo-ceiling-") as tmp:
        out = Path(tmp) / "ceiling.json"
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "ceiling.py"),
                "--dsn",
                dsn(url),
                "--template-order",
                str(template_order(url)),
                "--n",
                str(n),
                "--c",
                str(c),
                str(out),
            ],
            check=True,
            cwd=ROOT,
        )
        results = json.loads(out.read_text())
    label = "raw database ceiling (aiomysql alone)"
    rows = []
    for key in ("orders", "complete"):
        result = results[key]
        rows.append(row(label, result, [s == 200 for s in result["statuses"]]))
    return rows[0], rows[1]


def driver_url(url: str, driver: str) -> str:
    return make_url(url).set(drivername=f"mysql+{driver}").render_as_string(hide_password=False)


def asyncmy_missing() -> str | None:
    try:
        import asyncmy  # noqa: F401
    except ImportError:
        return "asyncmy is not installed (a dependency of dolgo-pay: reinstall the project)"
    return None


def ratios(r: Row, peer: Row | None, ceiling: Row | None) -> str:
    parts = []
    if peer:
        parts.append(f"{r.rps / peer.rps:.2f}× the usual integration")
    if ceiling:
        parts.append(f"{r.rps / ceiling.rps * 100:.1f} % of the database ceiling")
    return ", ".join(parts) or "nothing to compare with"


# -- the run ---------------------------------------------------------------------------------------
@dataclass
class Results:
    completes: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    peer: tuple[Row, Row] | None = None  # (orders, completion)
    ceiling: tuple[Row, Row] | None = None
    headline: Row | None = None  # dolgo-pay's default driver, with the most workers
    headline_workers: int = 0


def run_dolgo(
    args: argparse.Namespace, url: str, sandbox: Sandbox, workers: list[int | None], out: Results
) -> None:
    for driver in filter(None, args.driver.split(",")):
        missing = asyncmy_missing() if driver == "asyncmy" else None
        if missing:
            print(f"dolgo-pay with {driver}: skipped: {missing}")
            continue
        for w in workers:
            label = f"dolgo-pay, {driver}, {w or 1} worker{'s' if (w or 1) > 1 else ''}"
            try:
                o, done, note = bench_dolgo(
                    label, driver_url(url, driver), sandbox, args.n, args.c, w
                )
            except Exception as exc:  # a driver that fails is a finding, not a stop
                print(f"{label}: failed: {str(exc)[-1500:]}", flush=True)
                continue
            print(f"{label}: done ({note})", flush=True)
            out.orders.append(o)
            out.completes.append(done)
            if driver == "aiomysql" and (w or 1) >= out.headline_workers:
                out.headline, out.headline_workers = done, w or 1


@contextmanager
def bench_world(tag: str, latency: float) -> Iterator[tuple[str, Sandbox]]:
    """A fresh MariaDB database (dropped after) and the sandbox in its own process, webhooks
    held and every REST call delayed by `latency` seconds."""
    with tempfile.TemporaryDirectory(prefix="dolgo-bench-") as tmp:
        url = asyncio.run(fresh_database("mariadb", Path(tmp), tag))
        try:
            with SandboxProcess() as process:
                process.hold_webhooks()
                process.fault("latency", seconds=latency)
                yield url, Sandbox(process)
        finally:
            drop(url)


def run(args: argparse.Namespace, workers: list[int | None]) -> Results:
    skip = set(filter(None, args.skip.split(",")))
    out = Results()
    with bench_world("complete", args.latency) as (url, sandbox):
        run_dolgo(args, url, sandbox, workers, out)
        if "peer" not in skip:
            try:
                out.peer = bench_peer(url, sandbox, args.n, args.c)
            except Exception as exc:
                print(f"the usual integration: failed: {exc!r}"[-1500:], flush=True)
            else:
                print("the usual integration: done", flush=True)
        if "ceiling" not in skip and out.headline is not None:
            out.ceiling = bench_ceiling(url, args.n, args.c)  # the sandbox idle meanwhile
    for pair in (out.peer, out.ceiling):  # printed above dolgo-pay, ceiling first
        if pair:
            out.orders.insert(0, pair[0])
            out.completes.insert(0, pair[1])
    return out


def cpu_budget(r: Row) -> str:
    """What one request costs the machine in CPU, all processes together, and the rate that
    bounds: with every core busy no run can go faster."""
    parts = {
        "dolgo-pay": r.cpu_ms,
        "sandbox": r.sandbox_ms,
        "load generator": r.loadgen_ms,
        "database": r.database_ms,
    }
    known = {k: v for k, v in parts.items() if v is not None}
    total = sum(known.values())
    cores = os.cpu_count() or 1
    shown = " + ".join(f"{k} {v:.1f}" for k, v in known.items())
    return (
        f"CPU per completion ({r.name}): {shown} = {total:.1f} ms; {cores} cores bound the rate"
        f" at {cores * 1000 / total:,.0f} req/s"
    )


def report(out: Results) -> None:
    print()
    for i, (title, rows) in enumerate(
        (("completion", out.completes), ("POST /api/orders", out.orders))
    ):
        peer = out.peer[1 - i] if out.peer else None
        ceiling = out.ceiling[1 - i] if out.ceiling else None
        print(f"{title}:")
        print(HEADER)
        for r in rows:
            print(r.line())
        for r in rows:
            if r.name.startswith("dolgo-pay"):
                print(f"  {r.name}: {ratios(r, peer, ceiling)}")
        print()
    print(load())
    best = out.headline
    if best is None:
        print("completion: dolgo-pay did not run")
        return
    print(cpu_budget(best))
    times = f"{best.rps / out.peer[1].rps:.1f}" if out.peer else "?"
    share = f"{best.rps / out.ceiling[1].rps * 100:.1f}" if out.ceiling else "?"
    print(
        f"completion: {best.rps:.0f} req/s, {times}× the usual integration, {share} % of the"
        f" database ceiling, p99 {best.p99 * 1000:.0f} ms, {best.calls:.2f} gateway calls"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2_000, help="requests per phase")
    p.add_argument("--c", type=int, default=64, help="concurrency")
    p.add_argument("--latency", type=float, default=0.020, help="seconds per gateway call")
    p.add_argument("--driver", default="aiomysql,asyncmy", help="dolgo-pay's MySQL drivers")
    p.add_argument("--workers", default="1,2", help="dolgo-pay worker counts (DOLGO_WORKERS)")
    p.add_argument("--skip", default="", help="comma-separated: peer, ceiling")
    args = p.parse_args()
    print(load())
    print(f"N = {args.n}, C = {args.c}, L = {args.latency * 1000:.0f} ms per gateway call")
    workers: list[int | None] = [int(w) for w in args.workers.split(",") if w]
    if not workers_supported():
        print("DOLGO_WORKERS is not in this dolgo-pay: one worker only")
        workers = [None]
    report(run(args, workers))


if __name__ == "__main__":
    main()
