"""What a sponsor reads when something goes wrong on the demo page: the Korean messages of the
page's one table (messages.ko.json), never the API's English detail or its codes, and the form
keeps what was typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from adapters.iamport.sandbox.cards import INVALID_CARD_AT_ISSUE
from tests.e2e.demo_page import message, open_as, pay_once_by_card

pytestmark = pytest.mark.browser

RAW = re.compile(r"invalid request|Expected|validation_error|gateway_rejected|\(\w+_\w+\)")


def test_a_bad_field_is_named_in_korean_and_the_form_keeps_its_input(page: Page):
    open_as(page, 31)
    page.get_by_test_id("onetime-amount").fill("7000")
    page.get_by_test_id("onetime-buyer-tel").fill("전화 주세요")  # the API wants digits
    page.get_by_test_id("onetime-submit").click()

    result = page.get_by_test_id("onetime-result")
    expect(result).to_have_attribute("data-code", "validation_error")
    expected = message("codes", "validation_error", field=message("fields", "buyer_tel"))
    expect(result).to_have_text(f"결제 처리 중 문제가 생겼어요: {expected}")
    expect(result).not_to_have_text(RAW)
    expect(page.get_by_test_id("onetime-amount")).to_have_value("7000")
    expect(page.get_by_test_id("onetime-buyer-tel")).to_have_value("전화 주세요")
    assert not page.errors


def test_a_card_iamport_refuses_is_explained_in_korean_and_the_form_keeps_it(page: Page):
    open_as(page, 32)
    number = "4000-0000-0000-0127"  # the sandbox refuses it at key issue
    page.get_by_test_id("card-number").fill(number)
    page.get_by_test_id("card-expiry").fill("2031-07")
    page.get_by_test_id("card-birth").fill("880214")
    page.get_by_test_id("card-pwd").fill("47")
    page.get_by_test_id("card-submit").click()

    toast = page.get_by_test_id("toast")
    expect(toast).to_have_attribute("data-code", "gateway_rejected")
    pg_says = message("page", "pg_says", detail=INVALID_CARD_AT_ISSUE)
    expect(toast).to_have_text(f"카드 등록: {message('codes', 'gateway_rejected')} {pg_says}")
    # The sponsor corrects the number instead of typing it all again; the password is retyped.
    expect(page.get_by_test_id("card-number")).to_have_value(number)
    expect(page.get_by_test_id("card-expiry")).to_have_value("2031-07")
    expect(page.get_by_test_id("card-pwd")).to_have_value("")
    expect(page.get_by_test_id("card-item")).to_have_count(0)
    assert not page.errors


def test_an_over_refund_is_refused_in_korean_before_anything_is_sent(page: Page, shots):
    open_as(page, 33)
    order_id = pay_once_by_card(page, 5_000)
    refunds: list[str] = []
    page.on("request", lambda r: refunds.append(r.url) if r.url.endswith("/refund") else None)
    page.locator(f"[data-testid=order-row][data-order-id='{order_id}']").get_by_test_id(
        "order-open"
    ).click()
    payment = page.get_by_test_id("order-detail").get_by_test_id("payment-item")
    payment.get_by_test_id("refund-open").click()
    payment.get_by_test_id("refund-amount").fill("9000")
    payment.get_by_test_id("refund-submit").click()

    error = payment.get_by_test_id("refund-error")
    expect(error).to_have_text(message("page", "refund_amount_over", max="5,000원"))
    shots.take(page, "over_refund")
    # Still open, still holding what was typed; nothing went to the API.
    expect(payment.get_by_test_id("refund-form")).to_be_visible()
    expect(payment.get_by_test_id("refund-amount")).to_have_value("9000")
    assert refunds == []

    payment.get_by_test_id("refund-amount").fill("5000")
    payment.get_by_test_id("refund-submit").click()
    expect(page.get_by_test_id("order-detail").get_by_test_id("payment-item")).to_contain_text(
        "환불완료"
    )
    assert len(refunds) == 1
    assert not page.errors
