"""Assembly of the sandbox ASGI app."""

from __future__ import annotations

import logging

from litestar import Litestar, Request, Response, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException

from . import billing, lookups, payments, receipts, tokens, window, wire
from .config import SandboxConfig
from .operator import OperatorController
from .state import SandboxState

log = logging.getLogger(__name__)


class SandboxApp(Litestar):
    """A Litestar app whose HTTP traffic first passes the fault switches."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        await self.state.sandbox.faults(scope, receive, send, super().__call__)


async def _require_token(request: Request) -> Response | None:
    sandbox: SandboxState = request.app.state.sandbox
    if not tokens.authorized(sandbox.store, request):
        return wire.unauthorized()
    return None


def _bad_request(_: Request, exc: wire.BadRequest) -> Response:
    return wire.fail(-1, str(exc), exc.status_code)


def _http_error(request: Request, exc: HTTPException) -> Response:
    if (
        request.url.path.rstrip("/").endswith(("/js/iamport.js",))
        or "/_sandbox" in request.url.path
    ):
        return Response({"error": exc.detail}, status_code=exc.status_code)
    return wire.fail(-1, exc.detail, exc.status_code)


def _internal_error(_: Request, exc: Exception) -> Response:
    log.exception("sandbox error", exc_info=exc)
    return wire.fail(-1, "Internal Server Error", 500)


def create_sandbox_app(config: SandboxConfig | None = None) -> Litestar:
    config = config or SandboxConfig()
    sandbox = SandboxState(config)
    iamport_api = Router(
        path="/",
        route_handlers=[*lookups.ROUTES, *payments.ROUTES, *billing.ROUTES, *receipts.ROUTES],
        before_request=_require_token,
    )

    async def shut_down() -> None:
        sandbox.faults.release()
        await sandbox.webhooks.aclose()

    return SandboxApp(
        route_handlers=[tokens.get_token, iamport_api, *window.ROUTES, OperatorController],
        dependencies={"sandbox": Provide(lambda: sandbox, sync_to_thread=False)},
        exception_handlers={
            wire.BadRequest: _bad_request,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
        cors_config=CORSConfig(allow_origins=["*"]),
        state=State({"sandbox": sandbox}),
        on_shutdown=[shut_down],
        openapi_config=None,
    )
