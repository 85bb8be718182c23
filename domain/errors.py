"""Domain errors. Messages never contain raw card data."""


class DomainError(Exception):
    """A rule of the payment domain was broken."""

    code = "domain_error"


class InvalidTransition(DomainError):
    code = "invalid_transition"

    def __init__(self, entity: str, state: object, event: object) -> None:
        self.entity = entity
        self.state = state
        self.event = event
        super().__init__(f"{entity} in state {_name(state)} cannot take event {_name(event)}")


class InvalidValue(DomainError):
    """A value failed validation; `field` names it, the value itself is never echoed."""

    code = "invalid_value"

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class RefundRefused(DomainError):
    """A refund request broke a named rule of the refund policy."""

    code = "refund_refused"

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"{rule}: {message}")


def _name(value: object) -> str:
    return getattr(value, "name", None) or str(value)
