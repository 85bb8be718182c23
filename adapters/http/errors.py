"""The one exception table: every error leaves as RFC 9457 `application/problem+json`.

Each problem carries a stable machine `code`; a bad field is named in `field` (and, for
validation errors, every one in `invalid_params`: adapters/http/validation_problems.py).
Messages are built here or come from our own errors, whose messages never hold raw card data.
Our errors carry their `code`; the HTTP status of each kind is `_STATUS` below, and the list of
every code the API answers with (`error_codes()`, declared in the OpenAPI document and given a
Korean message by the demo page) is derived from the same table.
"""

import functools
import logging
from collections.abc import Callable, Iterator, Mapping
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
from sqlalchemy.exc import DBAPIError

from adapters.http.problems import HttpProblem, problem
from adapters.http.validation_problems import (
    body_decoding_reason,
    malformed_body,
    validation_problem,
)
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
from domain.errors import DomainError, InvalidValue, RefundRefused

log = logging.getLogger("dolgo_pay.http")

# The status of each kind of our errors: the first row the error is an instance of.
_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (InvalidValue, 400),
    (RefundRefused, 422),
    (CardInUse, 409),
    (DomainError, 409),  # InvalidTransition, …
    (NotFoundError, 404),
    (RefundInProgress, 409),
    (ConflictError, 409),
    (VerificationFailed, 422),
    (GatewayUnavailable, 503),
    (GatewayRejected, 422),
    (NoChannel, 422),
    (ApplicationError, 400),
)

# Codes answered for framework and infrastructure errors, by status.
_FIXED_CODES: tuple[tuple[int, str], ...] = (
    (400, "validation_error"),
    (401, "unauthorized"),
    (403, "forbidden"),
    (404, "not_found"),
    (405, "method_not_allowed"),
    (409, "concurrent_update"),
    (413, "http_413"),
    (429, "rate_limited"),
    (500, "internal_error"),
    (503, "gateway_misconfigured"),
    (503, "database_unavailable"),
)


def _status_of(kind: type[Exception]) -> int:
    return next(status for base, status in _STATUS if issubclass(kind, base))


def _ours(exc: DomainError | ApplicationError | NoChannel) -> ProblemDetailsException:
    status = _status_of(type(exc))
    headers = {"Retry-After": "30"} if status == 503 else None
    message = exc.message if isinstance(exc, ApplicationError) else str(exc)
    return problem(
        status,
        exc.code,
        message,
        headers=headers,
        field=getattr(exc, "field", None),
        rule=getattr(exc, "rule", None),
    )


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
        return malformed_body(body_decoding_reason(str(exc.detail)))
    if status >= 500:
        log.error("HTTP %s: %s", status, exc.detail, exc_info=exc)
        return problem(status, "internal_error", "internal error", headers=headers)
    return problem(status, f"http_{status}", str(exc.detail), headers=headers)


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
        return malformed_body("the body is not valid UTF-8")
    return _unexpected(exc)


def _unexpected(exc: Exception) -> ProblemDetailsException:
    log.error("unhandled %s", type(exc).__name__, exc_info=exc)
    return problem(500, "internal_error", "internal error")


def _gateway_config(exc: GatewayConfigurationError) -> ProblemDetailsException:
    log.error("iamport is misconfigured: %s", exc)
    return problem(503, "gateway_misconfigured", "the payment gateway is misconfigured")


def _database(exc: DBAPIError) -> ProblemDetailsException:
    """A connection lost mid-request (the pool has replaced it): the client may retry at once.
    Whatever the request had written in its transaction was rolled back with the connection,
    or its COMMIT's outcome is unknown: retries are what idempotency keys and settlement are
    for (docs/adr/0030)."""
    if not exc.connection_invalidated:
        return _unexpected(exc)
    log.warning("database connection lost: %s", type(exc.orig).__name__)
    return problem(
        503,
        "database_unavailable",
        "the database connection was lost; retry",
        headers={"Retry-After": "1"},
    )


def _concurrent(exc: ConcurrentUpdate) -> ProblemDetailsException:
    return problem(409, "concurrent_update", "the resource changed meanwhile; retry")


EXCEPTION_TABLE: Mapping[type[Exception], Callable[[Any], ProblemDetailsException]] = {
    ValidationException: validation_problem,
    HTTPException: _http,
    HttpProblem: _http_problem,
    UnicodeDecodeError: _undecodable,
    DomainError: _ours,
    ApplicationError: _ours,
    NoChannel: _ours,
    ConcurrentUpdate: _concurrent,
    GatewayConfigurationError: _gateway_config,
    DBAPIError: _database,
    Exception: _unexpected,
}


def _kinds(root: type[Exception]) -> Iterator[type[Exception]]:
    yield root
    for sub in root.__subclasses__():
        yield from _kinds(sub)


@functools.cache
def error_codes() -> dict[int, tuple[str, ...]]:
    """Every code the API answers with, by status."""
    found: dict[int, set[str]] = {}
    for status, code in _FIXED_CODES:
        found.setdefault(status, set()).add(code)
    for root in (DomainError, ApplicationError, NoChannel):
        for kind in _kinds(root):
            found.setdefault(_status_of(kind), set()).add(kind.code)  # type: ignore[attr-defined]
    for kind in _kinds(HttpProblem):
        if kind is not HttpProblem:
            found.setdefault(kind.status, set()).add(kind.code)
    return {status: tuple(sorted(codes)) for status, codes in sorted(found.items())}


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map=EXCEPTION_TABLE,  # type: ignore[arg-type]
        )
    )
