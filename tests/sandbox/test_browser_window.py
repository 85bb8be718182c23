"""The iamport.js stand-in and the approval overlay in headless Chromium (Debian's, as e2e)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from litestar import Litestar, MediaType, asgi, get
from litestar.types import Receive, Scope, Send

from adapters.iamport.sandbox import SandboxConfig, create_sandbox_app

from .live import LiveServer

CHROMIUM = os.environ.get("DOLGO_E2E_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.browser

MERCHANT_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="/sandbox/js/iamport.js"></script></head><body>
<button id="pay" onclick="pay()">후원하기</button><pre id="out"></pre>
<script>
IMP.init("imp00000000");
function pay() {
  IMP.request_pay({pg: "nice", pay_method: "card", merchant_uid: "browser_1", name: "후원", amount: 3000,
                   notice_url: null, buyer_name: "홍길동"},
    function (rsp) { document.getElementById("out").textContent = JSON.stringify(rsp); });
}
</script></body></html>"""


def _host(port_holder: dict) -> Litestar:
    sandbox = create_sandbox_app(SandboxConfig())

    @asgi("/sandbox", is_mount=True, copy_scope=True)
    async def mounted(scope: Scope, receive: Receive, send: Send) -> None:
        await sandbox(scope, receive, send)

    @get("/", media_type=MediaType.HTML)
    async def merchant() -> str:
        return MERCHANT_PAGE

    app = Litestar(route_handlers=[mounted, merchant])
    port_holder["sandbox"] = sandbox
    return app


def test_overlay_card_payment_calls_back(tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    holder: dict = {}
    with LiveServer(_host(holder)) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(server.url + "/")
            page.click("#pay")
            frame = page.frame_locator("#imp-sandbox-frame")
            frame.locator("[data-testid=card-select]").select_option("5555-5555-5555-4444")
            frame.locator("[data-testid=approve]").click()
            page.wait_for_function("document.getElementById('out').textContent.length > 0")
            rsp = page.evaluate("JSON.parse(document.getElementById('out').textContent)")
            assert page.locator("#imp-sandbox-overlay").count() == 0
        finally:
            browser.close()
    assert rsp["success"] is True and rsp["card_name"] == "BC카드" and rsp["paid_amount"] == 3000
    payment = holder["sandbox"].state.sandbox.store.payments[rsp["imp_uid"]]
    assert payment.status == "paid" and payment.card_number == "5555-55**-****-4444"
