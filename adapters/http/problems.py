"""RFC 9457 problems: how every error leaves (`application/problem+json`, a stable `code`),
and the HTTP adapter's own problems (idempotency keys, the webhook source allow-list)."""

from collections.abc import Mapping
from typing import Any

from litestar.plugins.problem_details import ProblemDetailsException

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


class IdempotencyKeyInvalid(HttpProblem):
    status = 400
    code = "invalid_idempotency_key"


class IdempotencyInProgress(HttpProblem):
    status = 409
    code = "idempotency_in_progress"


class IdempotencyKeyAbandoned(HttpProblem):
    status = 409
    code = "idempotency_key_abandoned"


class IdempotencyKeyReused(HttpProblem):
    status = 422
    code = "idempotency_key_reused"


class WebhookSourceForbidden(HttpProblem):
    status = 403
    code = "webhook_source_forbidden"
