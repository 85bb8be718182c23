"""The demo router on its own (no browser): the page, its assets, and the iamport.js it names."""

from __future__ import annotations

import re
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from adapters.http.demo import create_demo_router, demo_router

STATIC = Path(__file__).resolve().parents[2] / "adapters" / "http" / "demo" / "static"


def test_index_names_the_sandbox_script_and_the_assets():
    with TestClient(Litestar([demo_router])) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-store"
        assert '<script src="/sandbox/js/iamport.js"' in page.text
        assert 'content="imp00000000"' in page.text
        assert '<meta name="dolgo-sandbox-url" content="/sandbox">' in page.text
        assert "{{" not in page.text
        for asset, kind in (("app.js", "javascript"), ("app.css", "text/css")):
            assert f'"/demo/static/{asset}"' in page.text
            served = client.get(f"/demo/static/{asset}")
            assert served.status_code == 200
            assert kind in served.headers["content-type"]


def test_script_url_and_merchant_code_are_configurable_and_escaped():
    router = create_demo_router(
        iamport_js_url="https://cdn.iamport.kr/v1/iamport.js",
        merchant_code='imp1"><x',
        sandbox_url='/s"><y',
    )
    with TestClient(Litestar([router])) as client:
        text = client.get("/").text
    assert '<script src="https://cdn.iamport.kr/v1/iamport.js"' in text
    assert 'content="imp1&quot;&gt;&lt;x"' in text
    assert '<meta name="dolgo-sandbox-url" content="/s&quot;&gt;&lt;y">' in text


def test_without_a_sandbox_the_page_names_none():
    router = create_demo_router(sandbox_url=None)
    with TestClient(Litestar([router])) as client:
        assert '<meta name="dolgo-sandbox-url" content="">' in client.get("/").text


def test_the_test_cards_come_from_the_sandbox_not_the_page():
    """One source: the sandbox's cards.py, served at <sandbox>/_sandbox/cards."""
    from adapters.iamport.sandbox.cards import TEST_CARDS, digits

    js = (STATIC / "app.js").read_text(encoding="utf-8")
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    for card in TEST_CARDS:
        for text in (js, html):
            assert card.number not in text and digits(card.number) not in text, card.number
    assert "/_sandbox/cards" in js


def test_every_control_has_a_unique_test_id():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'data-testid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for control in re.findall(r"<(?:button|input|select)\b[^>]*>", html):
        assert "data-testid=" in control, control


def test_posts_that_create_send_an_idempotency_key():
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    assert 'headers["Idempotency-Key"] = newKey()' in js
    assert "crypto.randomUUID" in js
    creating = re.findall(r'api\("POST", ([`"][^`"]+[`"]).*\{ creates: true \}\)', js)
    paths = " ".join(creating)
    for path in ("/api/orders", "/api/cards", "/api/billing/payments", "/api/subscriptions"):
        assert f'"{path}"' in paths, path
    assert "/refund`" in paths
