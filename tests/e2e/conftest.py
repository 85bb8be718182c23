"""Fixtures of the browser test: `dolgo-pay serve` as a real process, headless Chromium, a page.

Chromium is Debian's (`/usr/bin/chromium`, driven by Playwright's Python API; Playwright's own
browser download is never used). Without it the tests skip, except on CI (`CI=true`), where
they fail. A failing test leaves a screenshot in a temporary directory named in its report.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.serving import Served, serving

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


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " — required on CI", pytrace=False)
    pytest.skip(reason)


def serve(**extra_env: str) -> Iterator[Served]:
    """`dolgo-pay serve` in demo mode (scheduler on unless `extra_env` says otherwise) with its
    own SQLite file, until the generator is closed."""
    _require_chromium()
    workdir = Path(tempfile.mkdtemp(prefix="dolgo-e2e-serve-"))
    try:
        with serving(workdir, {"DOLGO_SCHEDULER": "on", **extra_env}) as served:
            yield served
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def service() -> Iterator[Served]:
    """`dolgo-pay serve` in demo mode, shared by the browser tests (a module may override it)."""
    yield from serve()


@pytest.fixture(scope="module")
def browser(service: Served):
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
def page(browser, service: Served, shots: Shots, request):
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
