"""The console's repairs end to end, against a real `dolgo-pay serve` (demo mode, scheduler off)
that sends its outgoing events to an endpoint of the test: a dead-lettered event resent, an
unknown refund settled by hand, a stored webhook re-run from the queue and from a payment's
story, a day's 정산 report; each checked again through the admin API for who did it."""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, serve
from tests.e2e.console_world import (
    OPERATOR,
    client,
    one_click,
    open_payment_of,
    phone,
    sign_in_as_demo_operator,
    story,
)
from tests.serving import REPO, serve_command

pytestmark = pytest.mark.browser

SECRET = "whsec_" + base64.b64encode(b"console-repairs-test-secret!").decode()


class Endpoint:
    """The consumer of dolgo-pay's outgoing events: answers `status`, keeps the webhook-ids."""

    def __init__(self) -> None:
        self.status = 503
        self.received: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                self.rfile.read(int(self.headers.get("content-length") or 0))
                endpoint.received.append(self.headers.get("webhook-id", ""))
                self.send_response(endpoint.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    e = Endpoint()
    yield e
    e.server.shutdown()


def events_env(endpoint: Endpoint) -> dict[str, str]:
    return {"DOLGO_EVENT_ENDPOINTS": f"main={endpoint.url}", "DOLGO_EVENT_SECRETS": SECRET}


@pytest.fixture(scope="module")
def service(endpoint: Endpoint) -> Iterator[Served]:
    yield from serve(DOLGO_SCHEDULER="off", **events_env(endpoint))


def database(service: Served):
    return service.log_path.parent / "serve.db"  # tests/serving.py puts both in its workdir


def deliver_events(service: Served, endpoint: Endpoint) -> str:
    """One run of the `deliver-events` job, as cron would start it, on serve's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOLGO_")}
    env.update(
        DOLGO_DATABASE_URL=f"sqlite+aiosqlite:///{database(service)}", **events_env(endpoint)
    )
    command = [*serve_command()[:-1], "jobs", "run", "deliver-events"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert "deliver-events:" in done.stdout, done.stdout + done.stderr
    return done.stdout


def as_if_every_retry_but_the_last_had_failed(service: Served) -> None:
    """The retry schedule is about a day: its first seven attempts are counted as made, and the
    eighth falls due now."""
    with sqlite3.connect(database(service)) as db:
        db.execute("UPDATE event_delivery SET attempts = 7, next_attempt_at = created_at")


def paid_event_of(service: Served, payment_id: int) -> str:
    with client(service, OPERATOR, admin=True) as admin:
        events = admin.get("/api/admin/events?type=payment.paid&limit=100").json()["items"]
    [event] = [e["id"] for e in events if e["entity_id"] == payment_id]
    return event


def delivery_of(service: Served, event_id: str) -> dict:
    with client(service, OPERATOR, admin=True) as admin:
        r = admin.get(f"/api/admin/events/{event_id}")
        assert r.status_code == 200, r.text
        [log] = r.json()["deliveries"]
        return log["delivery"]


def test_an_operator_resends_a_dead_lettered_event(
    page: Page, service: Served, endpoint: Endpoint, shots
) -> None:
    paid = one_click(service, 4201, 6000)
    event_id = paid_event_of(service, paid["payment"]["id"])
    endpoint.status = 503
    deliver_events(service, endpoint)
    as_if_every_retry_but_the_last_had_failed(service)
    assert "dead" in deliver_events(service, endpoint)
    dead = delivery_of(service, event_id)
    assert dead["state"] == "dead", dead

    sign_in_as_demo_operator(page)
    page.get_by_test_id("nav-queues").click()
    row = page.get_by_test_id(f"delivery-row-{dead['id']}")
    expect(row).to_contain_text("전달 실패")
    expect(row).to_contain_text("HTTP 503")
    shots.take(page, "console-dead-letters")
    row.get_by_test_id("event-link").click()
    main = page.get_by_test_id("event-delivery-main")
    expect(main).to_contain_text("전달 실패")
    expect(main.get_by_test_id("attempt-table")).to_contain_text("8번째")
    endpoint.status = 204
    main.get_by_test_id("resend").click()
    expect(page.get_by_test_id("toast")).to_contain_text("main에 다시 보냅니다")
    main = page.get_by_test_id("event-delivery-main")
    expect(main).to_contain_text("전달 대기")
    expect(main.get_by_test_id("resent-by")).to_contain_text(f"운영자 {OPERATOR}")

    assert "delivered 1" in deliver_events(service, endpoint)
    delivered = delivery_of(service, event_id)
    assert (delivered["state"], delivered["resent_by"]) == ("delivered", f"operator:{OPERATOR}")
    assert endpoint.received[-1] == event_id  # the same webhook-id as the dead one
    page.get_by_test_id("nav-events").click()
    page.get_by_test_id("dl-state").select_option("delivered")
    page.get_by_test_id("dl-submit").click()
    delivered_row = page.get_by_test_id("delivery-table").get_by_test_id(
        f"delivery-row-{dead['id']}"
    )
    expect(delivered_row).to_contain_text(f"운영자 {OPERATOR}")
    assert not page.errors


def test_an_operator_settles_an_unknown_refund_from_the_queue(page: Page, service: Served) -> None:
    sponsor = 4202
    paid = one_click(service, sponsor, 7000)
    payment_id = paid["payment"]["id"]
    # The sandbox drops the cancel without handling it: nothing was refunded, but dolgo-pay
    # cannot know that.
    r = httpx.post(
        f"{service.base_url}/sandbox/_sandbox/faults",
        json={"kind": "drop", "path": "/payments/cancel", "count": 1},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    with client(service, sponsor) as api:
        r = api.post(f"/api/payments/{payment_id}/refund", json={"reason": "단순 변심"})
    assert r.status_code in (200, 201, 202), r.text
    cancellation_id = r.json()["cancellation"]["id"]

    sign_in_as_demo_operator(page)
    page.get_by_test_id("nav-queues").click()
    row = page.get_by_test_id(f"unknown-cancellation-row-{cancellation_id}")
    expect(row).to_be_visible()
    row.get_by_test_id("unknown-cancellation-link").click()
    form = page.get_by_test_id("cancel-settle-form")
    expect(form).to_be_visible()
    expect(page.get_by_test_id("cs-cancellation")).to_have_value(str(cancellation_id))
    page.get_by_test_id("cs-outcome").select_option("rejected")
    page.get_by_test_id("cs-reason").fill("아임포트 관리자 화면에 취소 내역 없음")
    page.get_by_test_id("cs-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text("결과를 확정했습니다: 환불 거절")
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("cancellation-table")).to_contain_text("환불 거절")
    expect(page.get_by_test_id("fact-refundable")).to_contain_text("7,000원")
    entry = page.get_by_test_id("timeline").locator(f"[data-cause='operator:{OPERATOR}']")
    expect(entry.first).to_contain_text("환불 거절")

    found = story(service, payment_id)
    [cancel] = found["payment"]["cancellations"]
    assert cancel["status"] == "rejected", cancel
    [settled] = [
        e
        for e in found["timeline"]
        if e["entity"] == "cancellation" and e["cause"] == f"operator:{OPERATOR}"
    ]
    assert settled["data"]["reason"] == "아임포트 관리자 화면에 취소 내역 없음"
    assert not page.errors


def post_webhook(service: Served, body: dict) -> dict:
    r = httpx.post(f"{service.base_url}/api/webhooks/iamport", json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_operator_reprocesses_webhooks_from_the_queue_and_from_a_payment(
    page: Page, service: Served
) -> None:
    unmatched = {"imp_uid": "imp_000000000042", "merchant_uid": "nobody_42", "status": "paid"}
    assert post_webhook(service, unmatched)["state"] == "unmatched"
    with client(service, OPERATOR, admin=True) as admin:
        items = admin.get("/api/admin/webhooks?state=unmatched&limit=100").json()["items"]
    [stray] = [w["id"] for w in items if w["merchant_uid"] == "nobody_42"]
    paid = one_click(service, 4203, 4000)
    p = paid["payment"]
    post_webhook(
        service, {"imp_uid": p["imp_uid"], "merchant_uid": p["merchant_uid"], "status": "paid"}
    )

    sign_in_as_demo_operator(page)
    page.get_by_test_id("nav-queues").click()
    row = page.get_by_test_id("queue-unmatched").get_by_test_id(f"webhook-row-{stray}")
    row.get_by_test_id("reprocess").click()
    expect(page.get_by_test_id("toast")).to_contain_text(f"웹훅 #{stray} 재처리: 여전히 매칭 안 됨")
    row = page.get_by_test_id("queue-unmatched").get_by_test_id(f"webhook-row-{stray}")
    expect(row).to_contain_text(f"운영자 {OPERATOR}")

    open_payment_of(page, 4203, p["id"])
    webhooks = page.get_by_test_id("webhook-table")
    expect(webhooks.locator("tbody tr").first).to_be_visible()
    first = webhooks.locator("tbody tr").first
    message_id = int(first.get_attribute("data-testid").removeprefix("webhook-row-"))
    first.get_by_test_id("reprocess").click()
    expect(page.get_by_test_id("toast")).to_contain_text(f"웹훅 #{message_id} 재처리: 처리됨")
    expect(page.get_by_test_id(f"webhook-row-{message_id}")).to_contain_text(f"운영자 {OPERATOR}")

    with client(service, OPERATOR, admin=True) as admin:
        inbox = {w["id"]: w for w in admin.get("/api/admin/webhooks?limit=100").json()["items"]}
    assert inbox[stray]["reprocessed_by"] == f"operator:{OPERATOR}"
    assert inbox[message_id]["reprocessed_by"] == f"operator:{OPERATOR}"
    assert inbox[message_id]["state"] == "processed"
    assert not page.errors


def seoul_today() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Seoul")).date().isoformat()


def sandbox(service: Served, method: str, path: str, body: dict | None = None) -> dict:
    r = httpx.request(method, f"{service.base_url}/sandbox/_sandbox{path}", json=body, timeout=10)
    assert r.status_code in (200, 201), r.text
    return r.json()


def test_an_operator_reads_a_days_settlement_and_its_differences(
    page: Page, service: Served, shots
) -> None:
    paid = one_click(service, 4204, 9000)["payment"]
    # Cancelled at iamport's console, its webhook held back: iamport's books differ from ours.
    sandbox(service, "PUT", "/webhooks/config", {"hold": True})
    try:
        sandbox(service, "POST", f"/payments/{paid['imp_uid']}/cancel", {"amount": 2000})
        today = seoul_today()

        sign_in_as_demo_operator(page)
        page.get_by_test_id("nav-reports").click()
        report = page.get_by_test_id("settlement-report")
        expect(report).to_contain_text(" 정산")  # yesterday's, the default, is on screen
        page.get_by_test_id("st-date").fill(today)
        page.get_by_test_id("st-submit").click()
        expect(report).to_contain_text(f"{today} 정산")
        expect(page.get_by_test_id("st-verdict")).to_have_text("차이 있음")
        row = page.get_by_test_id("st-row-nice-card")
        expect(row).to_contain_text("다름")
        differences = page.get_by_test_id("st-differences")
        expect(differences).to_contain_text(paid["merchant_uid"])
        expect(differences).to_contain_text("취소 금액 다름")
        expect(differences).to_contain_text("2,000원")
        shots.take(page, "console-settlement")
        with page.expect_download() as downloaded:
            page.get_by_test_id("st-csv").click()
        assert downloaded.value.suggested_filename == f"settlement-{today}.csv"
        csv = Path(downloaded.value.path()).read_text(encoding="utf-8")
        assert paid["merchant_uid"] in csv and paid["imp_uid"] in csv
        with client(service, OPERATOR, admin=True) as admin:
            r = admin.get(f"/api/admin/settlements?date={today}")
        [mine] = [d for d in r.json()["differences"] if d["merchant_uid"] == paid["merchant_uid"]]
        assert (mine["difference"], mine["iamport_cancelled"]) == ("cancelled", 2000)
    finally:
        sandbox(service, "PUT", "/webhooks/config", {"hold": False})
    assert not page.errors


def test_every_view_fits_a_phone(browser, service: Served, endpoint: Endpoint, shots) -> None:
    with phone(browser, service, shots, "console-phone-views") as page:
        one_click(service, 4205, 3000)
        endpoint.status = 204
        deliver_events(service, endpoint)  # every event has a delivery with an attempt
        with client(service, OPERATOR, admin=True) as admin:
            [delivery] = admin.get("/api/admin/event-deliveries?limit=1").json()["items"]
        sign_in_as_demo_operator(page)
        for view, ready in (
            ("#/payments", "payment-table"),
            ("#/orders", "order-table"),
            ("#/queues", "queue-dead"),
            ("#/deliveries", "delivery-table"),
            (f"#/event/{delivery['event_id']}", "attempt-table"),
            ("#/webhooks", "inbox-table"),
            (f"#/reports?date={seoul_today()}", "st-rows"),
        ):
            page.goto(f"/admin{view}")
            expect(page.get_by_test_id(ready)).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{view} scrolls sideways on a phone ({width}px)"
        shots.take(page, "console-phone-reports")
