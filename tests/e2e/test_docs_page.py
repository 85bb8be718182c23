"""The API docs pages render in Chromium with every request off this machine refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser


def cut_network(page: Page) -> list[str]:
    """Abort every request not to 127.0.0.1; returns the list of refused URLs."""
    refused: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", handle)
    return refused


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_the_docs_page_renders_offline(page: Page, path: str) -> None:
    refused = cut_network(page)
    page.goto(path)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("dolgo-pay")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 30
    expect(page.locator(".opblock-summary-path", has_text="/api/orders").first).to_be_visible()
    assert refused == [], f"the docs page asked the network for {refused}"
    assert page.errors == []
