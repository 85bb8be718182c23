"""Every HTTP request gets an id: the caller's `X-Request-Id` when it is a sane one, else a new
one. It is set in adapters.logs.REQUEST_ID for the request's duration (so every log line
written for the request carries it: ours, the iamport client's, uvicorn's access line), sent
on to iamport with each call, and echoed in the response's `X-Request-Id`.

A plain ASGI middleware, outermost: Litestar has none built in, and asgi-correlation-id
depends on Starlette (docs/adr/0023).
"""

from __future__ import annotations

import re
import uuid

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.logs import REQUEST_ID

HEADER = "x-request-id"
# What a load balancer or a client may send: a UUID, a trace id, `req-2026-…`. Anything else
# (too long, spaces, quotes, control characters) is replaced, never echoed.
SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def request_id_of(scope: Scope) -> str:
    """The caller's id if sane, else a new random one (32 hex digits)."""
    for name, value in scope.get("headers", ()):
        if name == HEADER.encode():
            given = value.decode("latin-1")
            if SANE.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        header = (HEADER.encode(), request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ()) if h[0].lower() != header[0]]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
