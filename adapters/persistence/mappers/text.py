"""Free text from outside (iamport messages, errors) is clipped to its column."""

MESSAGE_LENGTH = 500
ERROR_LENGTH = 10_000


def clip(value: str | None, length: int) -> str | None:
    if value is None or len(value) <= length:
        return value
    return value[: length - 1] + "…"
