"""What the demo page's browser tests share: driving the page as a sponsor, reading the
outcome back through the HTTP API, and the page's message table (messages.ko.json)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from domain.status import OrderStatus, PaymentStatus

STATIC = Path(__file__).resolve().parents[2] / "adapters" / "http" / "demo" / "static"
MESSAGES: dict[str, dict[str, str]] = json.loads(
    (STATIC / "messages.ko.json").read_text(encoding="utf-8")
)


def message(section: str, key: str, **values: str) -> str:
    """A message of the page's table with its `{placeholders}` filled in, as the page does."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), ""), MESSAGES[section][key])


APPROVED_CARD = "4111-1111-1111-1111"


# ---- helpers --------------------------------------------------------------------------------
def status_name(value: Any, enum: type[OrderStatus] | type[PaymentStatus]) -> str:
    """The API's status (code or name) as the enum's name."""
    if isinstance(value, dict):
        value = value.get("name", value.get("code"))
    if isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"-?\d+", value)):
        return enum(int(value)).name
    return str(value).upper()


def api_client(service, user_seq: int) -> httpx.Client:
    token = httpx.post(
        f"{service.base_url}/api/demo/token", json={"user_seq": user_seq}, timeout=10
    ).json()
    bearer = token.get("access_token") or token.get("token")
    return httpx.Client(
        base_url=service.base_url, headers={"Authorization": f"Bearer {bearer}"}, timeout=10
    )


def get_order(service, user_seq: int, order_id: str | int) -> dict:
    """The order as `GET /api/orders` lists it, and its detail from `GET /api/orders/{id}`."""
    with api_client(service, user_seq) as api:
        listed = api.get("/api/orders")
        assert listed.status_code == 200, listed.text
        body = listed.json()
        orders = body if isinstance(body, list) else body.get("items") or body.get("orders")
        matching = [o for o in orders if str(o.get("id")) == str(order_id)]
        assert matching, f"order {order_id} not in GET /api/orders: {body}"
        detail = api.get(f"/api/orders/{order_id}")
        assert detail.status_code == 200, detail.text
        return {"listed": matching[0], "detail": detail.json()}


def payments_of(detail: dict) -> list[dict]:
    payments = detail.get("payments") or []
    return [p.get("payment", p) if isinstance(p, dict) else p for p in payments]


def open_as(page: Page, user_seq: int) -> None:
    page.goto("/")
    expect(page.get_by_test_id("demo-banner")).to_be_visible()
    if user_seq in (1, 2):
        page.get_by_test_id(f"sponsor-{user_seq}").click()
    else:
        page.get_by_test_id("sponsor-seq").fill(str(user_seq))
        page.get_by_test_id("sponsor-go").click()
    expect(page.get_by_test_id("current-sponsor")).to_have_text(f"후원자 {user_seq}")
    expect(page.get_by_test_id("app")).not_to_have_class(re.compile(r"\blocked\b"))


def start_one_time(page: Page, amount: int, method: str = "card") -> None:
    page.get_by_test_id("onetime-amount").fill(str(amount))
    page.get_by_test_id("onetime-method").select_option(method)
    page.get_by_test_id("onetime-submit").click()


def pg_window(page: Page):
    frame = page.frame_locator("[data-testid=imp-sandbox-frame]")
    expect(frame.get_by_test_id("approve")).to_be_visible()
    return frame


def pay_once_by_card(page: Page, amount: int) -> str:
    """A one-time card sponsorship approved in the sandbox window; returns the order id."""
    start_one_time(page, amount)
    window = pg_window(page)
    window.get_by_test_id("card-select").select_option(APPROVED_CARD)
    window.get_by_test_id("approve").click()
    result = page.get_by_test_id("onetime-result")
    expect(result).to_have_attribute("data-tone", "ok")
    expect(result).to_contain_text("결제완료")
    expect(page.get_by_test_id("imp-sandbox-overlay")).to_have_count(0)
    order_id = result.get_attribute("data-order-id")
    assert order_id, "the result names its order"
    return order_id


def post(api: httpx.Client, path: str, body: dict) -> dict:
    """A creating POST (with its Idempotency-Key) that must succeed."""
    res = api.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert res.status_code in (200, 201), res.text
    return res.json()


def register_card(api: httpx.Client, number: str) -> int:
    card = post(
        api,
        "/api/cards",
        {
            "issuance": "rest",
            "card_number": number,
            "expiry": "2031-07",
            "birth": "880214",
            "pwd_2digit": "47",
        },
    )
    return card["card"]["id"]
