"""The PG window: iamport.js, the approval page, callback / redirect, vbank, billing-key issue
(docs/iamport.md §8)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from litestar import Litestar, asgi
from litestar.types import Receive, Scope, Send

from adapters.iamport.sandbox import SandboxConfig, create_sandbox_app

MOBILE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


async def test_iamport_js_defines_imp_and_uses_the_public_url(make_app):
    app = make_app(public_url="https://demo.example/sandbox/")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://x"
    ) as client:
        js = await client.get("/js/iamport.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    text = js.text
    assert '"https://demo.example/sandbox"' in text
    for name in ("init", "request_pay", "imp-sandbox-overlay", "imp-sandbox-frame", "/window/open"):
        assert name in text


async def test_approval_page_has_stable_controls_and_card_choices(api, client):
    opened = await api.open_window(merchant_uid="o-page", amount=15000, name="후원 <b>")
    assert opened["window_url"] == f"http://sandbox.test/window/{opened['window_id']}"
    page = (await client.get(f"/window/{opened['window_id']}")).text
    for marker in (
        'id="imp-approve"',
        'data-testid="approve"',
        ">결제하기<",
        'id="imp-fail"',
        ">실패<",
        'id="imp-close"',
        ">닫기<",
        "id='imp-card-select'",
        "4000-0000-0000-0002",
        "15,000원",
        f'formaction="./{opened["window_id"]}/approve"',
    ):
        assert marker in page, marker
    assert "후원 &lt;b&gt;" in page and "후원 <b>" not in page


async def test_browser_form_post_answers_a_result_page_that_posts_to_the_parent(api, client):
    opened = await api.open_window(merchant_uid="o-html", amount=1000)
    page = await client.post(
        f"/window/{opened['window_id']}/approve", data={"card_number": "5555-5555-5555-4444"}
    )
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "postMessage" in page.text and '"iamport-sandbox:result"' in page.text
    assert '"card_name": "BC카드"' in page.text
    again = await client.post(
        f"/window/{opened['window_id']}/approve", headers={"Accept": "application/json"}
    )
    assert again.status_code == 409  # a window is used once


async def test_card_approval_callback_fields_and_webhook(api, inbox, drained):
    result = await api.window(
        merchant_uid="o-ok",
        amount=5000,
        notice_url="http://merchant.test/notice",
        buyer_name="홍길동",
    )
    rsp = result["rsp"]
    assert rsp["success"] is True and rsp["status"] == "paid" and rsp["paid_amount"] == 5000
    assert (
        rsp["imp_uid"].startswith("imp_") and rsp["error_code"] is None and rsp["error_msg"] is None
    )
    assert (
        rsp["pg_provider"] == "nice"
        and rsp["card_name"] == "신한카드"
        and rsp["pay_method"] == "card"
    )
    assert result["redirect_url"] is None
    await drained()
    assert inbox.received[0]["url"] == "http://merchant.test/notice"
    assert inbox.received[0]["body"] == {
        "imp_uid": rsp["imp_uid"],
        "merchant_uid": "o-ok",
        "status": "paid",
    }


async def test_declined_card_in_the_window_fails_without_webhook(api, inbox, drained):
    result = await api.window(merchant_uid="o-dec", amount=5000, card="4000-0000-0000-0002")
    assert result["rsp"]["success"] is False and result["rsp"]["status"] == "failed"
    assert result["rsp"]["error_msg"] == "잔액부족"
    payment = await api.ok("GET", f"/payments/{result['rsp']['imp_uid']}")
    assert payment["status"] == "failed" and payment["fail_reason"] == "잔액부족"
    await drained()
    assert inbox.received == []


async def test_fail_and_close_buttons(api, inbox, drained):
    failed = await api.window(action="fail", merchant_uid="o-f", amount=100)
    assert failed["rsp"]["success"] is False and failed["rsp"]["status"] == "failed"
    closed = await api.window(action="close", merchant_uid="o-cl", amount=100)
    assert closed["rsp"]["success"] is False and closed["rsp"]["error_code"] == "F400"
    abandoned = await api.ok("GET", f"/payments/{closed['rsp']['imp_uid']}")
    assert abandoned["status"] == "ready" and abandoned["paid_at"] == 0
    await drained()
    assert inbox.received == []


async def test_prepared_amount_mismatch_does_not_open_the_window(api, state):
    await api.ok("POST", "/payments/prepare", json={"merchant_uid": "o-prep", "amount": 10000})
    refused = await api.open_window(merchant_uid="o-prep", amount=9000)
    assert refused["window_url"] is None
    assert refused["rsp"]["success"] is False and refused["rsp"]["imp_uid"] is None
    assert refused["rsp"]["error_code"] and refused["rsp"]["error_msg"]
    assert state.store.by_merchant_uid("o-prep") == []
    assert (await api.window(merchant_uid="o-prep", amount=10000))["rsp"]["success"] is True


async def test_already_paid_merchant_uid_is_refused_with_f1002(api):
    await api.pay("o-twice", 1000)
    refused = await api.open_window(merchant_uid="o-twice", amount=1000)
    assert refused["rsp"] == {
        "success": False,
        "imp_uid": None,
        "merchant_uid": "o-twice",
        "error_code": "F1002",
        "error_msg": "이미 결제가 이루어진 거래건입니다.",
    }


async def test_redirect_when_no_callback_or_on_mobile(api, client):
    opened = await client.post(
        "/window/open",
        headers={"User-Agent": MOBILE_UA},
        json={
            "merchant_code": "imp00000000",
            "has_callback": True,
            "params": {
                "merchant_uid": "o-m",
                "amount": 100,
                "m_redirect_url": "https://shop.example/payments/return?x=1",
            },
        },
    )
    window_id = opened.json()["window_id"]
    result = (
        await client.post(
            f"/window/{window_id}/approve", json={}, headers={"Accept": "application/json"}
        )
    ).json()
    url = urlsplit(result["redirect_url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "shop.example", "/payments/return")
    query = parse_qs(url.query)
    assert query["x"] == ["1"] and query["imp_uid"] == [result["rsp"]["imp_uid"]]
    assert query["merchant_uid"] == ["o-m"] and query["imp_success"] == ["true"]
    refused = (
        await client.post(
            "/window/open",
            json={
                "merchant_code": "imp00000000",
                "has_callback": False,
                "params": {
                    "merchant_uid": "o-m",
                    "amount": 100,
                    "m_redirect_url": "https://shop.example/r",
                },
            },
        )
    ).json()
    query = parse_qs(urlsplit(refused["redirect_url"]).query)
    assert (
        query["imp_success"] == ["false"]
        and query["error_code"] == ["F1002"]
        and "error_msg" in query
    )


async def test_vbank_issue_then_deposit_after_the_due_date(api, client, clock, inbox, drained):
    result = await api.window(
        merchant_uid="o-vb", amount=30000, pay_method="vbank", pg="kcp", vbank_due="20240320"
    )
    rsp = result["rsp"]
    assert rsp["success"] is True and rsp["status"] == "ready"
    assert rsp["vbank_num"] and rsp["vbank_name"] == "KB국민은행" and rsp["vbank_holder"] == "돌고"
    assert rsp["vbank_date"] == 1710946799  # 2024-03-20 23:59:59 KST
    clock.advance(days=10)
    deposited = await client.post(f"/_sandbox/vbanks/{rsp['imp_uid']}/deposit")
    assert deposited.status_code == 200 and deposited.json()["status"] == "paid"
    payment = await api.ok("GET", f"/payments/{rsp['imp_uid']}")
    assert payment["status"] == "paid" and payment["paid_at"] == int(clock.now.timestamp())
    await drained()
    assert [b["status"] for b in inbox.bodies()] == ["ready", "paid"]


async def test_vbank_expiry_keeps_ready_by_default(api, client):
    rsp = (await api.window(merchant_uid="o-exp", amount=1000, pay_method="vbank", pg="kcp"))["rsp"]
    expired = (await client.post(f"/_sandbox/vbanks/{rsp['imp_uid']}/expire")).json()
    payment = await api.ok("GET", f"/payments/{rsp['imp_uid']}")
    assert payment["status"] == "ready" and payment["vbank_date"] == expired["vbank_date"]


async def test_trans_and_phone_methods(api):
    trans = (await api.window(merchant_uid="o-tr", amount=1000, pay_method="trans", pg="kcp"))[
        "rsp"
    ]
    assert trans["success"] and trans["pg_provider"] == "kcp"
    assert (await api.ok("GET", f"/payments/{trans['imp_uid']}"))["bank_name"] == "신한은행"
    phone = (
        await api.window(
            merchant_uid="o-pn", amount=1000, pay_method="phone", pg="danal", digital=True
        )
    )["rsp"]
    assert phone["success"] and phone["pg_provider"] == "danal"


async def test_method_not_served_by_the_channel_is_refused(api):
    refused = await api.open_window(merchant_uid="o-nv", amount=1000, pay_method="vbank", pg="nice")
    assert refused["window_url"] is None and refused["rsp"]["success"] is False


async def test_billing_key_through_the_window(api, drained, inbox):
    rsp = (
        await api.window(merchant_uid="o-bk", amount=0, pg="html5_inicis", customer_uid="cust-win")
    )["rsp"]
    assert rsp["success"] is True and rsp["customer_uid"] == "cust-win"
    payment = await api.ok("GET", f"/payments/{rsp['imp_uid']}")
    assert payment["customer_uid_usage"] == "issue" and payment["amount"] == 0
    key = await api.ok("GET", "/subscribe/customers/cust-win")
    assert key["pg_provider"] == "html5_inicis"
    charged = await api.ok(
        "POST",
        "/subscribe/payments/again",
        json={"customer_uid": "cust-win", "merchant_uid": "o-bk-1", "amount": 5000},
    )
    assert charged["status"] == "paid" and charged["pg_provider"] == "html5_inicis"
    refused = await api.open_window(
        merchant_uid="o-bk2", amount=0, pg="nice", customer_uid="cust-x"
    )
    assert refused["window_url"] is None  # nice issues keys over REST only


async def test_outage_fails_the_window(api, client):
    await client.put("/_sandbox/channels/nice", json={"outage": True})
    result = await api.open_window(merchant_uid="o-down", amount=1000)
    assert result["window_url"] is None and result["rsp"]["success"] is False
    assert "장애" in result["rsp"]["error_msg"]
    payment = await api.ok("GET", f"/payments/{result['rsp']['imp_uid']}")
    assert payment["status"] == "failed"


async def test_wrong_merchant_code_is_refused(client):
    response = await client.post(
        "/window/open",
        json={"merchant_code": "imp99999999", "params": {"merchant_uid": "o", "amount": 1}},
    )
    assert response.json()["rsp"]["success"] is False and response.json()["window_url"] is None


async def test_mounted_under_a_prefix_links_use_the_public_url(clock):
    sandbox = create_sandbox_app(SandboxConfig(clock=clock, public_url="http://shop.test/sandbox"))

    @asgi("/sandbox", is_mount=True, copy_scope=True)
    async def mounted(scope: Scope, receive: Receive, send: Send) -> None:
        await sandbox(scope, receive, send)

    host = Litestar(route_handlers=[mounted])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=host), base_url="http://shop.test"
    ) as client:
        js = await client.get("/sandbox/js/iamport.js")
        assert js.status_code == 200 and '"http://shop.test/sandbox"' in js.text
        token = await client.post(
            "/sandbox/users/getToken",
            json={"imp_key": "sandbox_key", "imp_secret": "sandbox_secret"},
        )
        assert token.json()["code"] == 0
        opened = (
            await client.post(
                "/sandbox/window/open",
                json={
                    "merchant_code": "imp00000000",
                    "params": {"merchant_uid": "o-pre", "amount": 100},
                },
            )
        ).json()
        assert opened["window_url"].startswith("http://shop.test/sandbox/window/")
        page = await client.get(urlsplit(opened["window_url"]).path)
        assert page.status_code == 200 and 'id="imp-approve"' in page.text
        done = await client.post(
            f"/sandbox/window/{opened['window_id']}/approve",
            json={},
            headers={"Accept": "application/json"},
        )
        assert done.json()["rsp"]["receipt_url"].startswith("http://shop.test/sandbox/receipt/")


async def test_mounted_without_public_url_infers_the_prefix(clock):
    sandbox = create_sandbox_app(SandboxConfig(clock=clock))

    @asgi("/pay/sandbox", is_mount=True, copy_scope=True)
    async def mounted(scope: Scope, receive: Receive, send: Send) -> None:
        await sandbox(scope, receive, send)

    host = Litestar(route_handlers=[mounted])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=host), base_url="http://shop.test"
    ) as client:
        opened = (
            await client.post(
                "/pay/sandbox/window/open",
                json={
                    "merchant_code": "imp00000000",
                    "params": {"merchant_uid": "o-inf", "amount": 100},
                },
            )
        ).json()
        assert opened["window_url"] == f"http://shop.test/pay/sandbox/window/{opened['window_id']}"
        js = await client.get("/pay/sandbox/js/iamport.js")
        assert (
            "script.src" in js.text
        )  # without public_url the script finds its base from its own URL
