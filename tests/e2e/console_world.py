"""What the console's browser tests share: the demo operator, a sponsor's one-click payment, the
admin API's view of a payment, signing in and finding a payment in the console."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from playwright.sync_api import Page, expect

from tests.serving import Served

OPERATOR = 9001
CARD = {
    "issuance": "rest",
    "card_number": "4111-1111-1111-1111",
    "expiry": "2031-07",
    "birth": "730415",
    "pwd_2digit": "93",
}


def token(service: Served, user_seq: int, *, admin: bool = False) -> str:
    r = httpx.post(
        f"{service.base_url}/api/demo/token",
        json={"user_seq": user_seq, "admin": admin},
        timeout=10,
    )
    assert r.status_code in (200, 201), r.text
    return r.json()["access_token"]


def client(service: Served, user_seq: int, *, admin: bool = False) -> httpx.Client:
    bearer = token(service, user_seq, admin=admin)
    return httpx.Client(
        base_url=service.base_url, headers={"Authorization": f"Bearer {bearer}"}, timeout=15
    )


def one_click(service: Served, sponsor: int, amount: int) -> dict:
    """The sponsor registers the sandbox's approved card and pays once with it."""
    with client(service, sponsor) as api:
        card = api.post("/api/cards", json=CARD)
        assert card.status_code == 201, card.text
        r = api.post(
            "/api/billing/payments",
            json={
                "card_id": card.json()["card"]["id"],
                "amount": amount,
                "name": "돌고 후원",
                "content_type_code": 1,
                "content_seq": 101,
            },
        )
        assert r.status_code == 201, r.text
        return r.json()


def story(service: Served, payment_id: int) -> dict:
    with client(service, OPERATOR, admin=True) as admin:
        r = admin.get(f"/api/admin/payments/{payment_id}")
        assert r.status_code == 200, r.text
        return r.json()


def sign_in_as_demo_operator(page: Page) -> None:
    page.goto("/admin")
    page.get_by_test_id("demo-seq").fill(str(OPERATOR))
    page.get_by_test_id("demo-submit").click()
    expect(page.get_by_test_id("operator")).to_have_text(f"운영자 {OPERATOR}")
    expect(page.get_by_test_id("nav")).to_be_visible()


def open_payment_of(page: Page, sponsor: int, payment_id: int) -> None:
    page.get_by_test_id("nav-payments").click()
    page.get_by_test_id("ps-user").fill(str(sponsor))
    page.get_by_test_id("ps-submit").click()
    row = page.get_by_test_id(f"payment-row-{payment_id}")
    expect(row).to_be_visible()
    row.get_by_test_id("payment-link").click()
    expect(page.get_by_test_id("payment-summary")).to_contain_text(f"결제 #{payment_id}")


@contextmanager
def phone(browser, service: Served, shots, name: str) -> Iterator[Page]:
    """A page 390 px wide; a failure inside the block leaves its screenshot `failed-<name>`."""
    context = browser.new_context(
        base_url=service.base_url, viewport={"width": 390, "height": 844}, locale="ko-KR"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    except Exception:
        shots.take(page, f"failed-{name}", always=True)
        raise
    finally:
        context.close()


def deposited_vbank(service: Served, sponsor: int, amount: int) -> dict:
    """A one-time sponsorship by 가상계좌: the PG window issues the account (driven over the
    sandbox's window routes, as its iamport.js does), the sponsor deposits, iamport's webhook
    makes it paid. Returns the payment as the admin API sees it."""
    base = service.base_url
    with client(service, sponsor) as api:
        r = api.post(
            "/api/orders",
            json={
                "content_type_code": 1,
                "content_seq": 101,
                "name": "돌고 후원",
                "amount": amount,
                "pay_method": "vbank",
            },
        )
        assert r.status_code == 201, r.text
        started = r.json()
        r = httpx.post(
            f"{base}/sandbox/window/open",
            json={"merchant_code": "imp00000000", "params": started["request_pay"]},
            timeout=10,
        )
        window = r.json()["window_id"]
        r = httpx.post(
            f"{base}/sandbox/window/{window}/approve",
            json={},
            headers={"accept": "application/json"},
            timeout=10,
        )
        imp_uid = r.json()["rsp"]["imp_uid"]
        r = api.post(
            "/api/payments/complete",
            json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]},
        )
        assert r.status_code == 200, r.text
    r = httpx.post(f"{base}/sandbox/_sandbox/vbanks/{imp_uid}/deposit", timeout=10)
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 20  # the deposit's webhook comes in the background
    while (payment := story(service, started["payment_id"])["payment"])["status"] != "paid":
        assert time.monotonic() < deadline, f"the deposit was not applied: {payment}"
        time.sleep(0.2)
    return payment
