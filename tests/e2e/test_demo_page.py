"""The demo page end to end: a real `dolgo-pay serve` (demo mode, in-process iamport sandbox),
driven in headless Chromium; every outcome is checked again through the HTTP API."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from domain.status import OrderStatus, PaymentStatus
from tests.e2e.demo_page import (
    APPROVED_CARD,
    api_client,
    get_order,
    message,
    open_as,
    pay_once_by_card,
    payments_of,
    pg_window,
    start_one_time,
    status_name,
)

pytestmark = pytest.mark.browser


def register_card(page: Page, number: str) -> None:
    """Register a card by REST (card data typed in the page) and wait until it is listed."""
    page.get_by_test_id("card-number").fill(number)
    page.get_by_test_id("card-expiry").fill("2032-03")
    page.get_by_test_id("card-birth").fill("770707")
    page.get_by_test_id("card-pwd").fill("00")
    page.get_by_test_id("card-submit").click()
    expect(page.get_by_test_id("card-item").filter(has_text=number[-4:])).to_have_count(1)


# ---- tests ----------------------------------------------------------------------------------
def test_one_time_card_payment_through_the_sandbox_window(page: Page, service, shots):
    open_as(page, 1)
    order_id = pay_once_by_card(page, 12_000)
    shots.take(page, "one_time_paid")

    row = page.locator(f"[data-testid=order-row][data-order-id='{order_id}']")
    expect(row).to_contain_text("결제완료")
    row.get_by_test_id("order-open").click()
    detail = page.get_by_test_id("order-detail")
    expect(detail.get_by_test_id("payment-item")).to_contain_text("결제완료")
    expect(detail.get_by_test_id("payment-pg")).to_have_text("결제 PG nice")
    expect(detail.get_by_test_id("history-entry").first).to_be_visible()
    shots.take(page, "one_time_detail")

    order = get_order(service, 1, order_id)
    assert status_name(order["listed"]["status"], OrderStatus) == "PAID"
    assert order["listed"]["amount"] == 12_000
    payments = payments_of(order["detail"])
    assert [status_name(p["status"], PaymentStatus) for p in payments] == ["PAID"]
    assert not page.errors


def test_closed_window_leaves_the_order_unpaid(page: Page, service, shots):
    open_as(page, 2)
    start_one_time(page, 3_000)
    pg_window(page).get_by_test_id("close").click()
    result = page.get_by_test_id("onetime-result")
    expect(result).to_have_attribute("data-tone", "bad")
    expect(result.get_by_test_id("onetime-unpaid")).to_have_text("미결제")
    shots.take(page, "closed_window")

    order_id = result.get_attribute("data-order-id")
    row = page.locator(f"[data-testid=order-row][data-order-id='{order_id}']")
    expect(row.get_by_test_id("order-unpaid")).to_have_text("미결제")
    expect(page.get_by_test_id("order-table")).not_to_contain_text("주문완료")
    order = get_order(service, 2, order_id)
    assert status_name(order["listed"]["status"], OrderStatus) == "ORDERED"
    assert all(
        status_name(p["status"], PaymentStatus) != "PAID" for p in payments_of(order["detail"])
    )

    # The unpaid order can be paid again: a new attempt through a new window.
    row.get_by_test_id("order-pay-again").click()
    window = pg_window(page)
    window.get_by_test_id("card-select").select_option(APPROVED_CARD)
    window.get_by_test_id("approve").click()
    expect(result).to_have_attribute("data-tone", "ok")
    expect(result).to_have_attribute("data-order-id", order_id)
    expect(row).to_contain_text("결제완료")
    order = get_order(service, 2, order_id)
    assert status_name(order["listed"]["status"], OrderStatus) == "PAID"
    statuses = [status_name(p["status"], PaymentStatus) for p in payments_of(order["detail"])]
    assert statuses[-1] == "PAID" and statuses.count("PAID") == 1, statuses
    assert not page.errors


def test_closed_card_window_is_paid_again_by_account_transfer(page: Page, service, shots):
    open_as(page, 7)
    start_one_time(page, 4_000)
    pg_window(page).get_by_test_id("close").click()
    result = page.get_by_test_id("onetime-result")
    expect(result.get_by_test_id("onetime-unpaid")).to_have_text("미결제")
    order_id = result.get_attribute("data-order-id")
    row = page.locator(f"[data-testid=order-row][data-order-id='{order_id}']")
    method = row.get_by_test_id("order-pay-again-method")
    expect(method).to_have_value("card")  # the order's method is offered first

    # The sponsor picks 계좌이체 next to 다시 결제: a new attempt by trans through the window.
    method.select_option("trans")
    shots.take(page, "pay_again_method")
    row.get_by_test_id("order-pay-again").click()
    pg_window(page).get_by_test_id("approve").click()
    expect(result).to_have_attribute("data-tone", "ok")
    expect(result).to_have_attribute("data-order-id", order_id)
    expect(row).to_contain_text("결제완료")
    expect(row).to_contain_text("계좌이체")
    shots.take(page, "paid_again_by_trans")

    order = get_order(service, 7, order_id)
    assert status_name(order["listed"]["status"], OrderStatus) == "PAID"
    assert order["listed"]["pay_method"] == "trans"
    payments = sorted(payments_of(order["detail"]), key=lambda p: p["attempt"])
    assert [(p["pay_method"], status_name(p["status"], PaymentStatus)) for p in payments] == [
        ("card", "FAILED"),
        ("trans", "PAID"),
    ]
    assert payments[1]["pg_provider"] != "nice"  # the card-only channel takes no trans
    assert not page.errors


def test_card_hints_are_the_sandboxs_test_cards(page: Page, service):
    open_as(page, 1)
    cards = httpx.get(f"{service.base_url}/sandbox/_sandbox/cards", timeout=10).json()
    assert any(c["number"] == APPROVED_CARD for c in cards)
    page.get_by_test_id("card-hints").locator("summary").click()
    hints = page.get_by_test_id("card-hint")
    expect(hints).to_have_count(len(cards))
    assert [hints.nth(i).get_attribute("data-number") for i in range(len(cards))] == [
        c["number"] for c in cards
    ]
    hint_list = page.get_by_test_id("card-hint-list")
    for c in cards:
        item = hint_list.locator("li").filter(has=page.locator(f"[data-number='{c['number']}']"))
        if c["outcome"] == "approve":
            expect(item).to_contain_text("승인")
        elif c["outcome"] == "decline":
            expect(item).to_contain_text(c["decline_reason"])
        else:
            expect(item).to_contain_text("등록 불가")
    assert not page.errors


def test_card_registration_then_monthly_sponsorship(page: Page, service, shots):
    open_as(page, 1)
    page.get_by_test_id("card-hints").locator("summary").click()
    page.locator(f"[data-testid=card-hint][data-number='{APPROVED_CARD}']").click()
    page.get_by_test_id("card-expiry").fill("2031-07")
    page.get_by_test_id("card-birth").fill("880214")
    page.get_by_test_id("card-pwd").fill("47")
    page.get_by_test_id("card-submit").click()

    card = page.get_by_test_id("card-item").filter(has_text="1111")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("card-disp")).to_contain_text("*")
    # Nothing typed is echoed back: the inputs are empty, the birth date is nowhere on the page.
    for field in ("card-number", "card-expiry", "card-birth", "card-pwd"):
        expect(page.get_by_test_id(field)).to_have_value("")
    assert "880214" not in page.content()
    assert "4111111111111111" not in page.content()
    shots.take(page, "card_registered")

    card_id = card.get_attribute("data-card-id")
    page.get_by_test_id("sub-card").select_option(card_id)
    page.get_by_test_id("sub-amount").fill("20000")
    page.get_by_test_id("sub-day").fill("15")
    page.get_by_test_id("sub-submit").click()
    result = page.get_by_test_id("sub-result")
    expect(result).to_have_attribute("data-tone", "ok")
    sub = page.get_by_test_id("sub-item").filter(has_text="정기후원 진행중")
    expect(sub).to_have_count(1)
    expect(sub).to_contain_text("매월 15일")
    shots.take(page, "monthly_started")

    order_id = result.get_attribute("data-order-id")
    order = get_order(service, 1, order_id)
    assert status_name(order["listed"]["status"], OrderStatus) == "ROUTINE"
    payments = payments_of(order["detail"])
    assert [status_name(p["status"], PaymentStatus) for p in payments] == ["ROUTINE_PAID"]
    assert all(p["amount"] == 20_000 for p in payments)
    assert not page.errors


def test_refund_of_a_one_time_payment(page: Page, service, shots):
    open_as(page, 2)
    order_id = pay_once_by_card(page, 7_000)
    row = page.locator(f"[data-testid=order-row][data-order-id='{order_id}']")
    row.get_by_test_id("order-open").click()
    payment = page.get_by_test_id("order-detail").get_by_test_id("payment-item")
    payment.get_by_test_id("refund-open").click()
    expect(payment.get_by_test_id("refund-amount")).to_have_value("7000")
    payment.get_by_test_id("refund-submit").click()

    payment = page.get_by_test_id("order-detail").get_by_test_id("payment-item")
    expect(payment).to_contain_text("환불완료")
    expect(row).to_contain_text("환불완료")
    shots.take(page, "refunded")

    order = get_order(service, 2, order_id)
    assert status_name(order["listed"]["status"], OrderStatus) == "CANCELLED"
    payments = payments_of(order["detail"])
    assert [status_name(p["status"], PaymentStatus) for p in payments] == ["CANCELLED"]
    assert not page.errors


def test_monthly_sponsorship_change_and_cancel(page: Page, service, shots):
    page.on("dialog", lambda dialog: dialog.accept())
    open_as(page, 3)
    page.get_by_test_id("card-number").fill("5555-5555-5555-4444")
    page.get_by_test_id("card-expiry").fill("2030-01")
    page.get_by_test_id("card-birth").fill("900101")
    page.get_by_test_id("card-pwd").fill("12")
    page.get_by_test_id("card-submit").click()
    expect(page.get_by_test_id("card-item")).to_have_count(1)

    page.get_by_test_id("sub-amount").fill("30000")
    page.get_by_test_id("sub-day").fill("31")
    page.get_by_test_id("sub-submit").click()
    result = page.get_by_test_id("sub-result")
    expect(result).to_have_attribute("data-tone", "ok")
    order_id = result.get_attribute("data-order-id")

    sub = page.locator(f"[data-testid=sub-item][data-sub-id='{order_id}']")
    sub.get_by_test_id("sub-edit").click()
    sub.get_by_test_id("sub-edit-amount").fill("35000")
    sub.get_by_test_id("sub-edit-day").fill("5")
    sub.get_by_test_id("sub-edit-save").click()
    expect(sub).to_contain_text("매월 5일")
    expect(sub).to_contain_text("다음 결제부터 35,000원")
    expect(sub.get_by_test_id("sub-next")).to_be_visible()
    shots.take(page, "monthly_changed")

    with api_client(service, 3) as api:
        listed = api.get("/api/subscriptions").json()["items"]
    [changed] = [s for s in listed if str(s["id"]) == order_id]
    assert changed["subscription"]["billing_day"] == 5
    assert changed["subscription"]["next_amount"] == 35_000

    sub.get_by_test_id("sub-cancel").click()
    expect(sub).to_contain_text("정기후원 해지")
    expect(sub.get_by_test_id("sub-cancel")).to_have_count(0)
    # A cancelled sponsorship is charged no more: no next charge is promised.
    expect(sub).not_to_contain_text("다음 결제")
    shots.take(page, "monthly_cancelled")

    order = get_order(service, 3, order_id)
    assert status_name(order["listed"]["status"], OrderStatus) == "ROUTINE_CANCELLED"
    # Cancelling stops future charges; the first month stays paid.
    payments = payments_of(order["detail"])
    assert [status_name(p["status"], PaymentStatus) for p in payments] == ["ROUTINE_PAID"]
    assert not page.errors


def test_one_click_payment_and_a_declined_card(page: Page, service, shots):
    open_as(page, 4)
    for number in (APPROVED_CARD, "4000-0000-0000-0002"):  # the second is declined at charge time
        register_card(page, number)

    good, bad = (
        page.get_by_test_id("card-item").filter(has_text=last4).get_attribute("data-card-id")
        for last4 in ("1111", "0002")
    )
    result = page.get_by_test_id("oneclick-result")
    page.get_by_test_id("oneclick-card").select_option(good)
    page.get_by_test_id("oneclick-amount").fill("4000")
    page.get_by_test_id("oneclick-submit").click()
    expect(result).to_have_attribute("data-tone", "ok")
    paid_order = result.get_attribute("data-order-id")

    page.get_by_test_id("oneclick-card").select_option(bad)
    page.get_by_test_id("oneclick-submit").click()
    expect(result).to_have_attribute("data-tone", "bad")
    # The decline says why (the PG's reason) and what to do next, in the table's words.
    expect(result.get_by_test_id("oneclick-declined")).to_have_text(
        message("page", "declined", reason="잔액부족")
    )
    declined_order = result.get_attribute("data-order-id")
    shots.take(page, "one_click")
    other = result.get_by_test_id("try-other-card")
    expect(other).to_have_text(message("page", "other_card"))
    other.click()
    expect(page.get_by_test_id("oneclick-card")).to_have_value(good)

    assert status_name(get_order(service, 4, paid_order)["listed"]["status"], OrderStatus) == "PAID"
    declined = get_order(service, 4, declined_order)
    assert [status_name(p["status"], PaymentStatus) for p in payments_of(declined["detail"])] == [
        "FAILED"
    ]
    assert not page.errors


def test_a_one_click_payment_during_the_primary_pgs_outage_shows_the_backup_pg(
    page: Page, service, shots
):
    open_as(page, 10)
    register_card(page, APPROVED_CARD)  # keys on nice and on its backup, kicc
    card_id = page.get_by_test_id("card-item").get_attribute("data-card-id")
    outage = f"{service.base_url}/sandbox/_sandbox/channels/nice"
    assert httpx.put(outage, json={"outage": True}, timeout=10).status_code == 200
    try:
        page.get_by_test_id("oneclick-card").select_option(card_id)
        page.get_by_test_id("oneclick-amount").fill("6000")
        page.get_by_test_id("oneclick-submit").click()
        result = page.get_by_test_id("oneclick-result")
        expect(result).to_have_attribute("data-tone", "ok")
    finally:
        httpx.put(outage, json={"outage": False}, timeout=10)
    order_id = result.get_attribute("data-order-id")
    page.locator(f"[data-testid=order-row][data-order-id='{order_id}']").get_by_test_id(
        "order-open"
    ).click()
    lines = page.get_by_test_id("order-detail").get_by_test_id("payment-pg")
    expect(lines).to_have_text(["결제 PG nice", "결제 PG kicc (nice 장애로 예비 PG 사용)"])
    shots.take(page, "failover_detail")

    payments = payments_of(get_order(service, 10, order_id)["detail"])
    assert [(p["channel"], status_name(p["status"], PaymentStatus)) for p in payments] == [
        ("nice", "FAILED"),
        ("kicc", "PAID"),
    ]
    assert not page.errors


def test_virtual_account_is_issued_and_waits_for_the_deposit(page: Page, service, shots):
    open_as(page, 5)
    calls: list[str] = []
    page.on("request", lambda r: calls.append(f"{r.method} {r.url}"))
    start_one_time(page, 15_000, "vbank")
    pg_window(page).get_by_test_id("approve").click()
    result = page.get_by_test_id("onetime-result")
    expect(result).to_have_attribute("data-tone", "wait")
    expect(result.get_by_test_id("vbank-account")).to_contain_text(re.compile(r"\d"))
    shots.take(page, "vbank_issued")

    order_id = result.get_attribute("data-order-id")
    order = get_order(service, 5, order_id)
    assert status_name(order["listed"]["status"], OrderStatus) == "ORDERED"
    assert status_name(order["listed"]["latest_payment_status"], PaymentStatus) == "READY"
    payments = payments_of(order["detail"])
    assert [status_name(p["status"], PaymentStatus) for p in payments] == ["READY"]
    vbank = payments[0]["vbank"]
    # The sponsor sees the whole account number: they deposit into it.
    expect(result.get_by_test_id("vbank-account")).to_contain_text(vbank["number"])
    expect(result).to_contain_text(vbank["holder"])
    # The completion answer carried the account: no extra GET /api/payments/{id}.
    assert not [c for c in calls if re.search(r"GET .*/api/payments/\d+", c)], calls

    row = page.locator(f"[data-testid=order-row][data-order-id='{order_id}']")
    expect(row.get_by_test_id("order-awaiting-deposit")).to_have_text("입금대기")
    expect(row).not_to_contain_text("미결제")
    expect(row.get_by_test_id("order-pay-again")).to_have_count(0)
    row.get_by_test_id("order-open").click()
    detail = page.get_by_test_id("order-detail")
    expect(detail.get_by_test_id("order-awaiting-deposit")).to_have_text("입금대기")
    expect(detail.get_by_test_id("payment-vbank")).to_contain_text(vbank["number"])
    shots.take(page, "vbank_waiting")
    assert not page.errors


def test_card_registration_in_the_pg_window(page: Page, service, shots):
    open_as(page, 6)
    page.get_by_test_id("card-window").click()
    window = pg_window(page)
    window.get_by_test_id("card-select").select_option("3530-1113-3330-0000")
    window.get_by_test_id("approve").click()
    card = page.get_by_test_id("card-item").filter(has_text="0000")
    expect(card).to_have_attribute("data-status", "ACTIVE")
    # html5_inicis's backup, kcp_billing, issues keys only in its own window: the page asks
    expect(card.get_by_test_id("card-backup-step")).to_contain_text("예비 결제수단 등록")
    expect(card.get_by_test_id("card-backup-step")).to_contain_text("kcp_billing")
    shots.take(page, "window_card")

    card.get_by_test_id("card-backup").click()
    window = pg_window(page)
    window.get_by_test_id("card-select").select_option("3530-1113-3330-0000")
    window.get_by_test_id("approve").click()
    expect(card.get_by_test_id("card-backup-step")).to_have_count(0)
    shots.take(page, "window_card_backup")

    with api_client(service, 6) as api:
        [listed] = api.get("/api/cards").json()["items"]
    assert listed["status"] == "active"
    assert str(listed["id"]) == card.get_attribute("data-card-id")
    assert listed["channels"] == ["html5_inicis", "kcp_billing"]  # both keys on the one card
    assert not page.errors
