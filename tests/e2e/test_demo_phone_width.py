"""The demo page at a phone's width (390 x 844): the history is one card per order, and
nothing (a status, a button, a name) is squeezed or pushed off the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.demo_page import APPROVED_CARD, api_client, open_as, post, register_card

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
USER = 41


def _history_of_every_kind(service) -> None:
    """Paid and declined one-click orders, an unpaid one-time order, a cancelled sponsorship."""
    one_time = {"content_type_code": 1, "content_seq": 101, "tax_free": 0, "amount": 4_000}
    with api_client(service, USER) as api:
        good = register_card(api, APPROVED_CARD)
        declined = register_card(api, "4000-0000-0000-0069")
        for card in (good, declined):
            body = {**one_time, "card_id": card, "name": "유기견 보호소 겨울나기 후원"}
            post(api, "/api/billing/payments", body)
        post(
            api,
            "/api/orders",
            {**one_time, "name": "산골 분교 도서관 만들기", "pay_method": "card"},
        )
        body = {**one_time, "card_id": good, "name": "달빛공방 정기후원", "billing_day": 10}
        monthly = post(api, "/api/subscriptions", body)
        post(api, f"/api/subscriptions/{monthly['order']['id']}/cancel", {"reason": "해지"})


def _off_screen(page: Page, selector: str) -> list[str]:
    """The elements matching `selector` that reach beyond the viewport's left or right edge."""
    return page.eval_on_selector_all(
        selector,
        f"""els => els.filter(e => e.offsetParent !== null).map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.left < 0 || r.right > {WIDTH})
            .map(([e, r]) => `${{e.dataset.testid || e.tagName}} ${{r.left}}..${{r.right}}`)""",
    )


def test_history_is_cards_with_everything_on_screen(page: Page, service, shots):
    _history_of_every_kind(service)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    open_as(page, USER)
    rows = page.get_by_test_id("order-row")
    expect(rows).to_have_count(4)
    expect(page.get_by_test_id("order-unpaid").first).to_be_visible()
    shots.take(page, "phone_history")

    # Cards, not table rows: no header line, each order a box of its own.
    expect(page.get_by_test_id("order-table").locator("thead")).to_be_hidden()
    assert {rows.nth(i).evaluate("e => getComputedStyle(e).display") for i in range(4)} == {"grid"}
    # Names read as words: each gets at least half the screen, not one syllable per line.
    names = page.get_by_test_id("order-name")
    assert min(names.nth(i).bounding_box()["width"] for i in range(4)) >= WIDTH / 2
    # Status and buttons on screen; the page itself never scrolls sideways.
    assert _off_screen(page, "[data-testid=order-row], [data-testid=order-row] *") == []
    assert page.get_by_test_id("order-pay-again").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    rows.first.get_by_test_id("order-open").click()
    expect(page.get_by_test_id("order-detail")).to_be_visible()
    expect(page.get_by_test_id("history-entry").first).to_be_visible()
    shots.take(page, "phone_detail")
    assert _off_screen(page, "[data-testid=order-detail] *") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert not page.errors
