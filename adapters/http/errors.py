"""The one exception table: every error leaves as RFC 9457 `application/problem+json`.

Each problem carries a stable machine `code`; a bad field is named in `field` (and, for
validation errors, every one in `invalid_params`). Messages are built here or come from our own
errors, whose messages never hold raw card data; Litestar's validation messages are rebuilt
from the field name and a sanitised reason, so a malformed request never echoes its input.
"""

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from application.channels import NoChannel
from application.errors import (
    ApplicationError,
    ConflictError,
    GatewayRejected,
    GatewayUnavailable,
    NotFoundError,
    RefundInProgress,
    VerificationFailed,
)
from application.gateway import GatewayConfigurationError
from application.ports import ConcurrentUpdate
from domain.card import CardInUse
from domain.errors import DomainError, InvalidTransition, InvalidValue, RefundRefused
from domain.masking import scrub_card_numbers

log = logging.getLogger("dolgo_pay.http")

PROBLEM_TYPE = "urn:dolgo-pay:problem:"


class HttpProblem(Exception):
    """An error the HTTP adapter itself raises (idempotency, webhook source, ...)."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=status,
        type_=PROBLEM_TYPE + code,
        title=title or _TITLES.get(status, "Error"),
        detail=detail,
        headers=dict(headers) if headers else None,
        extra={"code": code, **{k: v for k, v in extra.items() if v is not None}},
    )


_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}

# -- validation errors: name the field, never echo the value ---------------------------------
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DIGITS = re.compile(r"\d{5,}")
_UNKNOWN = "unknown field `"
_MISSING_FIELD = re.compile(r"missing required field `([^`]*)`")


def _scrub(text: str) -> str:
    """`text` without a card-number-like run (domain/masking.py) nor any run of 5+ digits."""
    return _DIGITS.sub("…", scrub_card_numbers(text, "…"))


def _unknown_field(message: str) -> str | None:
    """The client's key named by msgspec's "Object contains unknown field `…`", if it is one."""
    _, found, name = message.partition(_UNKNOWN)
    if not found:
        return None
    return name.rsplit("` - at `", 1)[0] if "` - at `" in name else name.removesuffix("`")


def _reason(message: str) -> str:
    """msgspec's message without anything the client sent (quoted values, unknown key names)."""
    if _unknown_field(message) is not None:
        return "Object contains unknown field"
    reason = message.split(" - at ", 1)[0]
    reason = _QUOTED.sub("…", reason)
    reason = _MISSING_FIELD.sub(lambda m: m.group(0).split(" `")[0], reason)
    return _scrub(reason).strip() or "invalid value"


def _field(key: str, message: str = "") -> str:
    """The field to name: our own path, or an unknown key the client sent, unless that key
    holds a digit (it might carry card data: the problem then names the body)."""
    key = key.removeprefix("data.").removeprefix("$.").removeprefix("data").lstrip(".")
    if not key:
        unknown = _unknown_field(message)
        if unknown is not None:
            key = "" if any(c.isdigit() for c in unknown) else unknown
        elif m := _MISSING_FIELD.search(message):
            key = m.group(1)
    key = _scrub(key)[:64]
    return key or "body"


def _validation(exc: ValidationException) -> ProblemDetailsException:
    params: list[dict[str, str]] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, Mapping):
            continue
        message = str(item.get("message", ""))
        key = item.get("key")
        if key is None:
            m = re.search(r"at `\$\.?([^`]*)`", message)
            key = m.group(1) if m else "body"
        params.append(
            {
                "name": _field(str(key), message),
                "in": str(getattr(item.get("source"), "value", item.get("source")) or "body"),
                "reason": _reason(message),
            }
        )
    if not params:
        params.append({"name": "body", "in": "body", "reason": "malformed request body"})
    names = ", ".join(p["name"] for p in params)
    return problem(
        400,
        "validation_error",
        f"invalid request: {names}",
        field=params[0]["name"],
        invalid_params=params,
    )


# -- the table --------------------------------------------------------------------------------
def _domain(exc: DomainError) -> ProblemDetailsException:
    if isinstance(exc, InvalidValue):
        return problem(400, exc.code, str(exc), field=exc.field)
    if isinstance(exc, RefundRefused):
        return problem(422, exc.code, str(exc), rule=exc.rule)
    if isinstance(exc, InvalidTransition):
        return problem(409, exc.code, str(exc))
    if isinstance(exc, CardInUse):
        return problem(409, exc.code, str(exc))
    return problem(409, exc.code, str(exc))


_APPLICATION_STATUS: tuple[tuple[type[ApplicationError], int], ...] = (
    (NotFoundError, 404),
    (RefundInProgress, 409),
    (ConflictError, 409),
    (VerificationFailed, 422),
    (GatewayUnavailable, 503),
    (GatewayRejected, 422),
)


def _application(exc: ApplicationError) -> ProblemDetailsException:
    status = next((s for kind, s in _APPLICATION_STATUS if isinstance(exc, kind)), 400)
    headers = {"Retry-After": "30"} if status == 503 else None
    return problem(status, exc.code, exc.message, field=exc.field, headers=headers)


def _http_problem(exc: HttpProblem) -> ProblemDetailsException:
    return problem(exc.status, exc.code, exc.message, headers=exc.headers)


def _http(exc: HTTPException) -> ProblemDetailsException:
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", 'Bearer realm="dolgo-pay"')
        return problem(401, "unauthorized", "a valid bearer token is required", headers=headers)
    if isinstance(exc, PermissionDeniedException):
        return problem(403, "forbidden", "this route needs another role", headers=headers)
    if isinstance(exc, NotFoundException):
        return problem(404, "not_found", "no such resource", headers=headers)
    if isinstance(exc, MethodNotAllowedException):
        return problem(405, "method_not_allowed", "method not allowed here", headers=headers)
    if isinstance(exc, TooManyRequestsException):
        reset = headers.get("RateLimit-Reset") or headers.get("ratelimit-reset") or "60"
        headers["Retry-After"] = str(max(int(reset), 1)) if reset.isdigit() else "60"
        return problem(429, "rate_limited", "too many requests; retry later", headers=headers)
    status = exc.status_code
    if status == 400:  # Litestar's body decoding errors (malformed JSON, wrong content)
        return _malformed_body(_reason(str(exc.detail)))
    if status >= 500:
        log.error("HTTP %s: %s", status, exc.detail, exc_info=exc)
        return problem(status, "internal_error", "internal error", headers=headers)
    return problem(status, f"http_{status}", str(exc.detail), headers=headers)


def _malformed_body(reason: str) -> ProblemDetailsException:
    params = [{"name": "body", "in": "body", "reason": reason}]
    return problem(
        400, "validation_error", "malformed request body", field="body", invalid_params=params
    )


def _raised_in_litestar(exc: BaseException) -> bool:
    """Whether the innermost Python frame of `exc` is Litestar's (its request decoding)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and str(tb.tb_frame.f_globals.get("__name__", "")).startswith("litestar.")


def _undecodable(exc: UnicodeDecodeError) -> ProblemDetailsException:
    """A request body that is not UTF-8: Litestar's decode_json lets msgspec's
    UnicodeDecodeError through (no SerializationException → 400). Raised in our own code
    (an adapter decoding someone else's bytes) it stays a 500."""
    if _raised_in_litestar(exc):
        return _malformed_body("the body is not valid UTF-8")
    return _unexpected(exc)


def _unexpected(exc: Exception) -> ProblemDetailsException:
    log.error("unhandled %s", type(exc).__name__, exc_info=exc)
    return problem(500, "internal_error", "internal error")


def _gateway_config(exc: GatewayConfigurationError) -> ProblemDetailsException:
    log.error("iamport is misconfigured: %s", exc)
    return problem(503, "gateway_misconfigured", "the payment gateway is misconfigured")


def _concurrent(exc: ConcurrentUpdate) -> ProblemDetailsException:
    return problem(409, "concurrent_update", "the resource changed meanwhile; retry")


def _no_channel(exc: NoChannel) -> ProblemDetailsException:
    return problem(422, NoChannel.code, str(exc))


EXCEPTION_TABLE: Mapping[type[Exception], Callable[[Any], ProblemDetailsException]] = {
    ValidationException: _validation,
    HTTPException: _http,
    HttpProblem: _http_problem,
    UnicodeDecodeError: _undecodable,
    DomainError: _domain,
    ApplicationError: _application,
    NoChannel: _no_channel,
    ConcurrentUpdate: _concurrent,
    GatewayConfigurationError: _gateway_config,
    Exception: _unexpected,
}

# Every code the API answers with, by status: the OpenAPI document declares them.
ERROR_CODES: Mapping[int, tuple[str, ...]] = {
    400: ("validation_error", "invalid_value", "application_error", "invalid_idempotency_key"),
    401: ("unauthorized",),
    403: ("forbidden", "webhook_source_forbidden"),
    404: ("not_found",),
    409: (
        "conflict",
        "refund_in_progress",
        "invalid_transition",
        "card_in_use",
        "domain_error",
        "concurrent_update",
        "idempotency_in_progress",
        "idempotency_key_abandoned",
    ),
    422: (
        "verification_failed",
        "gateway_rejected",
        "refund_refused",
        "no_channel",
        "idempotency_key_reused",
    ),
    413: ("http_413",),
    429: ("rate_limited",),
    500: ("internal_error",),
    503: ("gateway_unavailable", "gateway_misconfigured"),
}


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


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map=EXCEPTION_TABLE,  # type: ignore[arg-type]
        )
    )
