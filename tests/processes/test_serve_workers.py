"""`dolgo-pay serve` with DOLGO_WORKERS=2 (MariaDB, the sandbox in its own process): both worker
processes answer requests, a demo token issued by one is accepted by the other (the serving
process hands its per-start secrets down), and /metrics counts the requests of both."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.persistence.databases import mariadb_url_or_skip
from tests.processes.world import SandboxProcess
from tests.serving import serving

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


def test_two_workers_both_serve_and_share_the_demo_secrets(tmp_path):
    url = mariadb_url_or_skip()
    with SandboxProcess() as sandbox:
        env = {
            "DOLGO_DATABASE_URL": url,
            "DOLGO_IAMPORT_URL": sandbox.url,
            "DOLGO_WORKERS": "2",
        }
        with serving(tmp_path, env) as served:
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
