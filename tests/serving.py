"""`dolgo-pay serve` as a real process (uvicorn, its own SQLite file) for tests over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.secrets_scan import SCAN

STARTUP_TIMEOUT = 60.0
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command() -> list[str]:
    script = Path(sys.executable).with_name("dolgo-pay")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-c", "from adapters.cli import main; main()", "serve"]


@dataclass(frozen=True)
class Served:
    base_url: str
    log_path: Path
    pid: int  # the serve process (with several workers: their supervisor)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


@contextmanager
def serving(workdir: Path, env: Mapping[str, str] | None = None) -> Iterator[Served]:
    """`dolgo-pay serve` in demo mode on a free loopback port (plus `env`), until the block
    ends; fails the test with the log's tail if it does not become healthy."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOLGO_")},
        "DOLGO_PORT": str(port),
        "DOLGO_PUBLIC_BASE_URL": base_url,
        "DOLGO_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/serve.db",
        "DOLGO_SCHEDULER": "off",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            serve_command(), cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
    served = Served(base_url, log_path, proc.pid)
    try:
        _wait_healthy(proc, served)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        SCAN.folder(workdir, f"a dolgo-pay serve's folder ({workdir.name})")


def _wait_healthy(proc: subprocess.Popen[bytes], served: Served) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited with {proc.returncode}:\n{served.log_tail()}")
        try:
            if httpx.get(f"{served.base_url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"serve not healthy in time:\n{served.log_tail()}")
        time.sleep(0.2)
