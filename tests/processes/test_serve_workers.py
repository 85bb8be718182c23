"""`dolgo-pay serve` with DOLGO_WORKERS=2 (MariaDB, the sandbox in its own process): both worker
processes answer requests, a demo token issued by one is accepted by the other (the serving
process hands its per-start secrets down), /metrics counts the requests of both, and one of
them runs the scheduler (another when it dies)."""

import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.persistence.databases import mariadb_url_or_skip
from tests.processes.world import SandboxProcess
from tests.serving import Served, serving

pytestmark = pytest.mark.mariadb

REQUESTS = 200
PADDING = 4096  # bytes of header per request: what a worker reads is counted in /proc


def workers_of(pid: int) -> list[int]:
    """uvicorn's worker processes: the children spawned by multiprocessing."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return sorted(found)


def bytes_read(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError(f"no rchar for {pid}")


@contextmanager
def two_workers(tmp_path: Path, **env: str) -> Iterator[Served]:
    """`serve` with DOLGO_WORKERS=2 on MariaDB and the sandbox in its own process."""
    url = mariadb_url_or_skip()
    with SandboxProcess() as sandbox:
        env = {"DOLGO_DATABASE_URL": url, "DOLGO_IAMPORT_URL": sandbox.url, **env}
        with serving(tmp_path, {**env, "DOLGO_WORKERS": "2"}) as served:
            yield served


def test_two_workers_both_serve_and_share_the_demo_secrets(tmp_path):
    with two_workers(tmp_path) as served:
        workers = workers_of(served.pid)
        assert len(workers) == 2, (workers, served.log_tail())
        token = httpx.post(
            f"{served.base_url}/api/demo/token", json={"user_seq": 1001}, timeout=10
        ).json()["access_token"]
        before = {pid: bytes_read(pid) for pid in workers}

        def my_orders(_: int) -> int:
            # A connection of its own each time: the kernel hands it to either worker.
            response = httpx.get(
                f"{served.base_url}/api/orders",
                headers={"Authorization": f"Bearer {token}", "X-Padding": "x" * PADDING},
                timeout=30,
            )
            return response.status_code

        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(my_orders, range(REQUESTS)))
        read = {pid: bytes_read(pid) - before[pid] for pid in workers}
        counted = [requests_counted(served.base_url, "/api/orders") for _ in range(6)]

    assert statuses == [200] * REQUESTS
    # Each worker read at least 10 of the padded requests (idle, a worker reads next to nothing).
    assert all(n >= 10 * PADDING for n in read.values()), read
    # /metrics adds up both workers' counts, whichever of them answers the scrape.
    assert counted == [REQUESTS] * 6


def requests_counted(base_url: str, path: str) -> int:
    text = httpx.get(f"{base_url}/metrics", timeout=30).text
    return round(
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("dolgo_pay_requests_total{") and f'path="{path}"' in line
        )
    )


def flock_holders(path: str) -> set[int]:
    """The pids holding a flock(2) on `path`, from /proc/locks."""
    inode = os.stat(path).st_ino
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and "->" not in fields and int(fields[5].split(":")[2]) == inode:
            holders.add(int(fields[4]))
    return holders


def scheduler_lock_of(pid: int) -> str:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    [found] = [v for v in environ if v.startswith(b"_DOLGO_SCHEDULER_LOCK=")]
    return found.split(b"=", 1)[1].decode()


def wait_for(predicate, within: float = 30.0):  # noqa: ANN001
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    return predicate()


def test_one_of_two_workers_runs_the_scheduler_and_another_takes_over_when_it_dies(tmp_path):
    with two_workers(tmp_path, DOLGO_SCHEDULER="on") as served:
        workers = workers_of(served.pid)
        lock = scheduler_lock_of(workers[0])
        first = wait_for(lambda: flock_holders(lock) & set(workers))
        assert len(first) == 1, (first, served.log_tail())  # one scheduler among two workers
        killed = first.pop()
        os.kill(killed, signal.SIGKILL)
        # The survivor takes the lock at its next tick (5 s); uvicorn starts a new worker.
        after = wait_for(lambda: flock_holders(lock) & (set(workers_of(served.pid)) - {killed}))

    assert len(after) == 1, after
