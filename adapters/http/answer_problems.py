"""The middleware that answers the inner middlewares' exceptions through the exception table."""

from litestar.types import ASGIApp, Message, Receive, Scope, Send


class AnswerProblems:
    """ASGI middleware: an exception raised by the middlewares inside it (the rate limits, the
    Idempotency-Key checks) is answered here, through the app's exception handlers (this
    table), instead of escaping to Litestar's outermost handler. The Prometheus middleware,
    just outside it, then records the real status and duration (a 429, a 422), not a 200."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            app = scope["litestar_app"]
            handler = next(
                (h for kind in type(exc).__mro__ if (h := app.exception_handlers.get(kind))), None
            )
            if started or handler is None:
                raise
            request = app.request_class(scope=scope, receive=receive, send=send)
            response = handler(request, exc)
            await response.to_asgi_response(app=None, request=request)(scope, receive, send)
