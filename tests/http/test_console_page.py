"""The operator console's page at /admin: static, public, locked down by its headers; it offers
a demo operator only where demo tokens exist."""

import pytest

from adapters.http.console.routes import STATIC_DIR
from tests.http.conftest import DEMO_TOKENS, Api


async def test_the_console_is_served_with_its_assets(api: Api) -> None:
    r = await api.client.get("/admin")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert '<html lang="ko">' in r.text and "운영 콘솔" in r.text
    assert "{{" not in r.text
    for asset in ("console.js", "console.css"):
        assert f"/admin/static/{asset}" in r.text
    modules = sorted(p.name for p in STATIC_DIR.glob("*.js"))
    assert "console.js" in modules and len(modules) > 1
    for module in modules:  # console.js imports the others
        got = await api.client.get(f"/admin/static/{module}")
        assert got.status_code == 200, module
        assert "javascript" in got.headers["content-type"], module  # else no module loads
        assert "innerHTML" not in got.text, module  # data goes on the page as text only


@pytest.mark.parametrize("env", [DEMO_TOKENS])
async def test_demo_mode_offers_a_demo_operator(api: Api, env: dict) -> None:
    page = (await api.client.get("/admin")).text
    assert '<meta name="dolgo-demo-token-url" content="/api/demo/token">' in page


@pytest.mark.parametrize("env", [{"DOLGO_DEMO_TOKENS": "off"}])
async def test_without_demo_tokens_the_page_offers_none(api: Api) -> None:
    page = (await api.client.get("/admin")).text
    assert '<meta name="dolgo-demo-token-url" content="">' in page
    assert (await api.client.post("/api/demo/token", json={"user_seq": 1})).status_code == 404
