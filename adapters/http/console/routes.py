"""The operator console: one HTML and one CSS file and a few JS modules (`console.js` imports the
rest) at `/admin` and `/admin/static/...`.

The page is public (it holds no data); everything it shows comes from the admin API with the
operator's bearer token, which the page keeps in sessionStorage only. No build step: the files
under `static/` are what the browser gets. The only server-side work is telling the page
whether this instance issues demo tokens (demo mode: a "demo operator" button), and the
Content-Security-Policy: the page loads nothing from elsewhere and runs no inline script.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.static_files import create_static_files_router

from adapters.http.auth import PUBLIC

STATIC_DIR = Path(__file__).parent / "static"
CONSOLE_PATH = "/admin"
STATIC_PATH = "/admin/static"
DEMO_TOKEN_URL = "/api/demo/token"
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def render_console(*, demo_tokens: bool) -> str:
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    return page.replace("{{STATIC}}", STATIC_PATH).replace(
        "{{DEMO_TOKEN_URL}}", DEMO_TOKEN_URL if demo_tokens else ""
    )


def create_console_router(*, demo_tokens: bool) -> Router:
    """`demo_tokens`: the page offers to sign in as a demo operator (demo mode only)."""
    page = render_console(demo_tokens=demo_tokens)

    @get(
        CONSOLE_PATH,
        media_type=MediaType.HTML,
        include_in_schema=False,
        sync_to_thread=False,
        name="console:index",
        opt=PUBLIC,
    )
    def index() -> Response[str]:
        return Response(page, media_type=MediaType.HTML, headers=HEADERS)

    assets = create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        name="console:static",
        cache_control=CacheControlHeader(no_cache=True),
        include_in_schema=False,
        opt=PUBLIC,
    )
    return Router(path="/", route_handlers=[index, assets], include_in_schema=False, opt=PUBLIC)
