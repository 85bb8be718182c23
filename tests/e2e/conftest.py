"""Fixtures of the browser test: `dolgo-pay serve` as a real process, headless Chromium, a page.

Chromium is Debian's (`/usr/bin/chromium`, driven by Playwright's Python API; Playwright's own
browser download is never used). Without it the tests skip, except on CI (`CI=true`), where
they fail. A failing test leaves a screenshot in a temporary directory named in its report.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get("DOLGO_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 60.0
REPO = Path(__file__).resolve().parents[2]


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " — required on CI", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_command() -> list[str]:
    script = Path(sys.executable).with_name("dolgo-pay")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-c", "from adapters.cli import main; main()", "serve"]


@dataclass(frozen=True)
class Service:
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def serve(**extra_env: str) -> Iterator[Service]:
    """`dolgo-pay serve` in demo mode on a free port, with its own SQLite file (and
    `extra_env`, e.g. DOLGO_SCHEDULER="off"), until the generator is closed."""
    _require_chromium()
    workdir = Path(tempfile.mkdtemp(prefix="dolgo-e2e-serve-"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOLGO_")},
        "DOLGO_PORT": str(port),
        "DOLGO_PUBLIC_BASE_URL": base_url,
        "DOLGO_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/e2e.db",
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            _serve_command(), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    svc = Service(base_url, log_path)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"dolgo-pay serve exited with {proc.returncode}:\n{svc.log_tail()}",
                    pytrace=False,
                )
            try:
                if httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"dolgo-pay serve not healthy in time:\n{svc.log_tail()}", pytrace=False
                )
            time.sleep(0.2)
        yield svc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def service() -> Iterator[Service]:
    """`dolgo-pay serve` in demo mode, shared by the browser tests (a module may override it)."""
    yield from serve()


@pytest.fixture(scope="module")
def browser(service: Service):
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread while it
    is open, which would break the asyncio tests collected after this module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@dataclass
class Shots:
    """Screenshots: the failure's always (a fresh temporary directory unless
    DOLGO_E2E_SCREENSHOTS names one); the tests' own along the way only with that variable."""

    chosen: str | None = None
    _dir: Path | None = None

    @property
    def dir(self) -> Path:
        if self._dir is None:
            self._dir = Path(self.chosen or tempfile.mkdtemp(prefix="dolgo-e2e-shots-"))
            self._dir.mkdir(parents=True, exist_ok=True)
        return self._dir

    def take(self, page, name: str, *, always: bool = False) -> Path | None:
        if not (always or self.chosen):
            return None
        path = self.dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def shots() -> Shots:
    return Shots(os.environ.get("DOLGO_E2E_SCREENSHOTS") or None)


@pytest.fixture
def page(browser, service: Service, shots: Shots, request):
    context = browser.new_context(
        base_url=service.base_url, viewport={"width": 1200, "height": 1000}, locale="ko-KR"
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors  # uncaught exceptions of the page, checked by the tests
    try:
        yield pg
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            try:
                shot = shots.take(pg, f"failed-{request.node.name}", always=True)
                print(f"\nscreenshot of the failure: {shot}\nserve log:\n{service.log_tail()}")
            except Exception as exc:  # the page may be gone
                print(f"\nno screenshot ({exc}); serve log:\n{service.log_tail()}")
        context.close()
