"""The demo page: one HTML, one JS and one CSS file, served at `/` and `/demo/static/...`.

Public (no bearer token): the page itself fetches a demo token from `POST /api/demo/token`.

No build step: the files under `static/` are what the browser gets. The only server-side work
is filling in where the page finds `iamport.js`, which merchant code it passes to `IMP.init`
and where the iamport sandbox is mounted (its `/_sandbox/cards` lists the test cards the page
offers as hints; empty when there is no sandbox).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.static_files import create_static_files_router

from adapters.http.auth import PUBLIC

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/demo/static"

DEFAULT_IAMPORT_JS_URL = "/sandbox/js/iamport.js"
DEFAULT_MERCHANT_CODE = "imp00000000"
DEFAULT_SANDBOX_URL = "/sandbox"


def render_index(*, iamport_js_url: str, merchant_code: str, sandbox_url: str | None) -> str:
    """index.html with its placeholders filled in (attribute-escaped)."""
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    return (
        page.replace("{{IAMPORT_JS_URL}}", escape(iamport_js_url, quote=True))
        .replace("{{MERCHANT_CODE}}", escape(merchant_code, quote=True))
        .replace("{{SANDBOX_URL}}", escape(sandbox_url or "", quote=True))
        .replace("{{STATIC}}", STATIC_PATH)
    )


def create_demo_router(
    *,
    iamport_js_url: str = DEFAULT_IAMPORT_JS_URL,
    merchant_code: str = DEFAULT_MERCHANT_CODE,
    sandbox_url: str | None = DEFAULT_SANDBOX_URL,
) -> Router:
    """A router serving the demo page at `/` and its assets under `/demo/static/`.
    `sandbox_url`: where the iamport sandbox is mounted (None: no sandbox, no card hints)."""
    page = render_index(
        iamport_js_url=iamport_js_url, merchant_code=merchant_code, sandbox_url=sandbox_url
    )

    @get(
        "/",
        media_type=MediaType.HTML,
        include_in_schema=False,
        sync_to_thread=False,
        name="demo:index",
        opt=PUBLIC,
    )
    def index() -> Response[str]:
        return Response(
            page,
            media_type=MediaType.HTML,
            headers={"Cache-Control": "no-store"},
        )

    assets = create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        name="demo:static",
        cache_control=CacheControlHeader(no_cache=True),
        include_in_schema=False,
        opt=PUBLIC,
    )
    return Router(path="/", route_handlers=[index, assets], include_in_schema=False, opt=PUBLIC)


demo_router = create_demo_router()
