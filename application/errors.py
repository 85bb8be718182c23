"""Application errors: each has a stable `code`; the HTTP adapter maps them to problem+json."""


class ApplicationError(Exception):
    code = "application_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundError(ApplicationError):
    """Missing, or not the caller's (a user never learns that another user's thing exists)."""

    code = "not_found"


class ConflictError(ApplicationError):
    """The request conflicts with the current state (e.g. a refund already in flight)."""

    code = "conflict"


class RefundInProgress(ConflictError):
    code = "refund_in_progress"


class VerificationFailed(ApplicationError):
    """iamport's record does not match what we asked for (merchant_uid, amount, channel...)."""

    code = "verification_failed"


class GatewayUnavailable(ApplicationError):
    """iamport could not be reached and nothing was done; the caller may retry."""

    code = "gateway_unavailable"


class GatewayRejected(ApplicationError):
    """iamport refused the request (code != 0); its message is kept."""

    code = "gateway_rejected"
