"""The operator console (/admin) end to end: a real `dolgo-pay serve` (demo mode, in-process
iamport sandbox, scheduler off so that an unknown outcome waits for the operator), driven in
headless Chromium; what the console did is checked again through the admin API."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, serve
from tests.e2e.console_world import (
    CARD,
    OPERATOR,
    client,
    deposited_vbank,
    one_click,
    open_payment_of,
    phone,
    sign_in_as_demo_operator,
    story,
    token,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def service() -> Iterator[Served]:
    """This module's own serve: without the scheduler, nothing settles an unknown outcome but
    the operator."""
    yield from serve(DOLGO_SCHEDULER="off")


def test_a_sponsor_token_cannot_open_the_console(page: Page, service: Served) -> None:
    sponsor = token(service, 4100)
    page.goto("/admin")
    page.get_by_test_id("login-token").fill(sponsor)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("운영자 권한이 없는 토큰")
    expect(page.get_by_test_id("login-error")).to_contain_text("403")
    expect(page.get_by_test_id("nav")).to_be_hidden()
    expect(page.get_by_test_id("view-payments")).to_be_hidden()
    headers = {"Authorization": f"Bearer {sponsor}"}
    for path in ("/api/admin/me", "/api/admin/payments", "/api/admin/unknown-outcomes"):
        r = httpx.get(f"{service.base_url}{path}", headers=headers, timeout=10)
        assert r.status_code == 403, (path, r.text)
    assert not page.errors


def test_an_operator_finds_a_payment_refunds_part_and_sees_the_timeline(
    page: Page, service: Served, shots
) -> None:
    sponsor = 4101
    paid = one_click(service, sponsor, 10000)
    assert paid["state"] == "paid", paid
    payment_id = paid["payment"]["id"]

    sign_in_as_demo_operator(page)
    open_payment_of(page, sponsor, payment_id)
    expect(page.get_by_test_id("fact-amount")).to_contain_text("10,000원")
    check = page.get_by_test_id("refund-check")
    expect(check).to_contain_text("10,000원 환불 가능")

    page.get_by_test_id("refund-amount").fill("20000")  # more than was paid: the rule is shown
    expect(check).to_contain_text("거절될 규칙")
    expect(check).to_contain_text("[amount]")
    expect(page.get_by_test_id("refund-submit")).to_be_disabled()

    page.get_by_test_id("refund-amount").fill("3000")
    expect(check).to_contain_text("3,000원 환불 가능")
    page.get_by_test_id("refund-reason").fill("후원자 요청으로 일부 환불")
    expect(page.get_by_test_id("refund-submit")).to_be_enabled()
    page.get_by_test_id("refund-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text("3,000원 환불했습니다")
    expect(page.get_by_test_id("fact-refundable")).to_contain_text("7,000원")
    expect(page.get_by_test_id("cancellation-table")).to_contain_text(f"운영자 {OPERATOR}")

    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("[data-event=approved]")).to_have_count(1)
    ours = timeline.locator(f"[data-cause='operator:{OPERATOR}']")
    expect(ours.first).to_be_visible()
    expect(timeline).to_contain_text("환불")
    shots.take(page, "console-payment")

    found = story(service, payment_id)
    [cancel] = found["payment"]["cancellations"]
    assert cancel["amount"] == 3000 and cancel["requested_by"] == f"operator:{OPERATOR}"
    assert found["payment"]["refundable"] == 7000
    assert any(e["cause"] == f"operator:{OPERATOR}" for e in found["timeline"])
    assert not page.errors


def test_a_manual_bank_refund_is_recorded_and_its_account_masked(
    page: Page, service: Served
) -> None:
    sponsor = 4104
    paid = one_click(service, sponsor, 8000)
    payment_id = paid["payment"]["id"]
    sign_in_as_demo_operator(page)
    open_payment_of(page, sponsor, payment_id)
    page.get_by_test_id("manual-amount").fill("2000")
    expect(page.get_by_test_id("manual-check")).to_contain_text("2,000원 환불 가능")
    page.get_by_test_id("manual-reason").fill("PG 기한 후 계좌이체로 환불")
    page.get_by_test_id("manual-holder").fill("홍길동")
    page.get_by_test_id("manual-bank").fill("088")
    page.get_by_test_id("manual-number").fill("110-123-456789")
    page.get_by_test_id("manual-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text("수동 환불 2,000원을 기록했습니다")
    table = page.get_by_test_id("cancellation-table")
    expect(table).to_contain_text("수동 (계좌이체)")
    expect(table).to_contain_text("6789")
    expect(page.get_by_test_id("fact-refundable")).to_contain_text("6,000원")
    assert "110-123-456789" not in page.content() and "123456789" not in page.content()
    [cancel] = story(service, payment_id)["payment"]["cancellations"]
    assert cancel["kind"] == "manual_bank" and cancel["requested_by"] == f"operator:{OPERATOR}"
    assert cancel["refund_account"].endswith("6789") and "123456" not in cancel["refund_account"]
    assert not page.errors


def test_an_operator_refunds_a_deposited_vbank_to_the_sponsors_account(
    page: Page, service: Served
) -> None:
    sponsor = 4105
    payment = deposited_vbank(service, sponsor, 15000)
    sign_in_as_demo_operator(page)
    open_payment_of(page, sponsor, payment["id"])
    check = page.get_by_test_id("refund-check")
    expect(check).to_contain_text("[vbank_refund_account]")
    expect(page.get_by_test_id("refund-account")).to_be_visible()
    page.get_by_test_id("refund-reason").fill("후원자 요청 (가상계좌)")
    page.get_by_test_id("refund-holder").fill("홍길동")
    page.get_by_test_id("refund-bank").select_option("088")
    page.get_by_test_id("refund-number").fill("110-987-654321")
    expect(check).to_contain_text("15,000원 환불 가능")
    page.get_by_test_id("refund-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text("15,000원 환불했습니다")
    expect(page.get_by_test_id("payment-summary")).to_contain_text("환불완료")
    expect(page.get_by_test_id("cancellation-table")).to_contain_text("4321")
    assert "654321" not in page.content()
    [cancel] = story(service, payment["id"])["payment"]["cancellations"]
    assert (cancel["status"], cancel["requested_by"]) == ("succeeded", f"operator:{OPERATOR}")
    assert "654321" not in cancel["refund_account"]
    assert not page.errors


def test_an_operator_keys_in_a_card_taken_by_phone(page: Page, service: Served) -> None:
    sponsor = 4106
    sign_in_as_demo_operator(page)
    page.get_by_test_id("nav-key-in").click()
    page.get_by_test_id("ki-user").fill(str(sponsor))
    page.get_by_test_id("ki-amount").fill("11000")
    page.get_by_test_id("ki-content-seq").fill("101")
    page.get_by_test_id("ki-card-number").fill(CARD["card_number"])
    page.get_by_test_id("ki-expiry").fill(CARD["expiry"])
    page.get_by_test_id("ki-birth").fill(CARD["birth"])
    page.get_by_test_id("ki-pwd").fill(CARD["pwd_2digit"])
    page.get_by_test_id("ki-submit").click()
    expect(page.get_by_test_id("ki-outcome")).to_contain_text("11,000원 결제되었습니다.")
    for field in ("ki-card-number", "ki-expiry", "ki-birth", "ki-pwd"):
        expect(page.get_by_test_id(field)).to_have_value("")
    page.get_by_test_id("ki-payment").click()
    expect(page.get_by_test_id("payment-summary")).to_contain_text("결제완료")
    expect(page.get_by_test_id("fact-user")).to_contain_text(str(sponsor))
    expect(page.get_by_test_id("fact-route")).to_contain_text(f"key-in by operator:{OPERATOR}")
    approved = page.get_by_test_id("timeline").locator("[data-event=approved]")
    expect(approved).to_have_attribute("data-cause", f"operator:{OPERATOR}")
    digits = CARD["card_number"].replace("-", "")
    assert digits not in service.log().replace("-", "")
    assert not page.errors


def test_an_operator_issues_a_cash_receipt_and_sees_it_masked(page: Page, service: Served) -> None:
    sponsor = 4107
    payment = deposited_vbank(service, sponsor, 12000)
    sign_in_as_demo_operator(page)
    open_payment_of(page, sponsor, payment["id"])
    page.get_by_test_id("receipt-kind").select_option("personal")
    page.get_by_test_id("receipt-identifier").fill("010-2468-1357")
    page.get_by_test_id("receipt-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text("현금영수증 발급됨")
    row = page.get_by_test_id("receipt-table").locator("tbody tr")
    expect(row).to_contain_text("1357")
    expect(row).to_contain_text(f"운영자 {OPERATOR}")
    expect(page.get_by_test_id("receipt-form")).to_be_hidden()  # one is issued: none to add
    assert "2468" not in page.content()
    with client(service, OPERATOR, admin=True) as admin:
        [receipt] = admin.get(f"/api/admin/payments/{payment['id']}/cash-receipts").json()["items"]
    assert (receipt["status"], receipt["requested_by"]) == ("issued", f"operator:{OPERATOR}")
    assert not page.errors


def test_an_operator_settles_an_unknown_outcome_from_the_queue(
    page: Page, service: Served, shots
) -> None:
    # The sandbox drops the charge request without handling it: nothing was charged, but
    # dolgo-pay cannot know that, so the outcome is unknown.
    r = httpx.post(
        f"{service.base_url}/sandbox/_sandbox/faults",
        json={"kind": "drop", "path": "/subscribe/payments/again", "count": 1},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    charged = one_click(service, 4102, 5000)
    assert charged["state"] == "unknown", charged
    payment_id = charged["payment"]["id"]

    sign_in_as_demo_operator(page)
    page.get_by_test_id("nav-queues").click()
    row = page.get_by_test_id(f"unknown-row-{payment_id}")
    expect(row).to_be_visible()
    shots.take(page, "console-queues")
    row.get_by_test_id("unknown-link").click()
    expect(page.get_by_test_id("unknown-badge")).to_be_visible()
    expect(page.get_by_test_id("refund-form")).to_be_hidden()
    form = page.get_by_test_id("settle-form")
    expect(form).to_be_visible()
    page.get_by_test_id("settle-outcome").select_option("failed")
    page.get_by_test_id("settle-reason").fill("PG사 관리자 화면에서 미승인 확인")
    page.get_by_test_id("settle-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text("결과를 확정했습니다")
    expect(page.get_by_test_id("payment-summary")).to_contain_text("실패")
    expect(page.get_by_test_id("settle-form")).to_be_hidden()
    settled = page.get_by_test_id("timeline").locator(f"[data-cause='operator:{OPERATOR}']")
    expect(settled.first).to_contain_text("PG사 관리자 화면에서 미승인 확인")

    found = story(service, payment_id)
    assert found["payment"]["status"] == "failed" and found["payment"]["unknown"] is None
    mine = [e for e in found["timeline"] if e["cause"] == f"operator:{OPERATOR}"]
    assert mine and mine[-1]["data"]["operator_reason"] == "PG사 관리자 화면에서 미승인 확인"
    page.get_by_test_id("nav-queues").click()
    expect(page.get_by_test_id("queue-unknown")).to_be_visible()
    expect(page.get_by_test_id("queue-stuck")).to_contain_text("항목이 없습니다")
    expect(page.get_by_test_id(f"unknown-row-{payment_id}")).to_have_count(0)
    assert not page.errors


def test_an_operator_runs_a_reconcile_and_reads_the_last_runs(page: Page, service: Served) -> None:
    sign_in_as_demo_operator(page)
    page.get_by_test_id("nav-reports").click()
    page.get_by_test_id("rc-submit").click()
    expect(page.get_by_test_id("toast")).to_contain_text("대사를 마쳤습니다")
    expect(page.get_by_test_id("rc-cause")).to_contain_text(f"대사 (운영자 {OPERATOR})")
    expect(page.get_by_test_id("rc-runs").locator("tbody tr")).to_have_count(1)
    with client(service, OPERATOR, admin=True) as admin:
        [run] = admin.get("/api/admin/reconcile/reports").json()["items"]
    assert run["cause"] == f"reconcile:operator:{OPERATOR}"
    expect(page.get_by_test_id("rc-checked")).to_contain_text(f"{run['checked']}건")
    assert not page.errors


def test_an_operator_forces_a_channels_breaker_and_lifts_it(page: Page, service: Served) -> None:
    sign_in_as_demo_operator(page)
    page.get_by_test_id("nav-channels").click()
    row = page.get_by_test_id("channel-row-danal")  # a channel no other test here pays through
    expect(row).to_contain_text("정상")
    row.get_by_test_id("breaker-force").select_option("open")
    row.get_by_test_id("breaker-reason").fill("다날 점검 공지")
    row.get_by_test_id("breaker-submit").click()
    row = page.get_by_test_id("channel-row-danal")
    expect(row).to_contain_text("운영자 차단")
    expect(row).to_contain_text(f"운영자 {OPERATOR} · 다날 점검 공지")
    with client(service, OPERATOR, admin=True) as admin:
        [danal] = [
            c for c in admin.get("/api/admin/channels").json()["channels"] if c["name"] == "danal"
        ]
    assert danal["breaker"] == "forced_open" and danal["forced_by"] == f"operator:{OPERATOR}"
    row.get_by_test_id("breaker-force").select_option("")
    row.get_by_test_id("breaker-submit").click()
    expect(page.get_by_test_id("channel-row-danal")).to_contain_text("정상 (닫힘)")
    assert not page.errors


def test_the_console_fits_a_phone(browser, service: Served, shots) -> None:
    paid = one_click(service, 4103, 12000)
    with phone(browser, service, shots, "console-phone") as page:
        sign_in_as_demo_operator(page)
        open_payment_of(page, 4103, paid["payment"]["id"])
        expect(page.get_by_test_id("refund-check")).to_contain_text("12,000원 환불 가능")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        expect(page.get_by_test_id("timeline").locator("[data-event=approved]")).to_be_visible()
        shots.take(page, "console-phone")


def test_the_page_loads_nothing_from_elsewhere(service: Served) -> None:
    r = httpx.get(f"{service.base_url}/admin", timeout=10)
    assert r.status_code == 200
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert not re.search(r"(src|href)=\"https?://", r.text)
