"""Masking of personal data before it reaches history, logs or errors."""

import re
from collections.abc import Mapping
from typing import Any

_DIGITS = re.compile(r"\d")

# Raw card data never belongs in evidence: these keys are dropped outright.
_SECRET_KEYS = frozenset({"birth", "pwd_2digit", "expiry", "cvc", "password", "card_password"})


def mask_phone(value: str | None) -> str | None:
    if not value:
        return value
    digits = _DIGITS.findall(value)
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + "".join(digits[-4:])


def mask_email(value: str | None) -> str | None:
    if not value or "@" not in value:
        return value
    local, _, host = value.partition("@")
    return (local[:1] + "***@" + host) if local else "***@" + host


def mask_account(value: str | None) -> str | None:
    """Bank account or card number: only the last four digits survive."""
    if not value:
        return value
    digits = _DIGITS.findall(value)
    return "*" * max(len(digits) - 4, 0) + "".join(digits[-4:])


_MASKERS = {
    "buyer_tel": mask_phone,
    "customer_tel": mask_phone,
    "refund_tel": mask_phone,
    "buyer_email": mask_email,
    "customer_email": mask_email,
    "refund_account": mask_account,
    "card_number": mask_account,
}


def mask_evidence(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of iamport data fit for history: personal fields masked, card secrets dropped."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECRET_KEYS:
            continue
        if isinstance(value, Mapping):
            out[key] = mask_evidence(value)
        elif key in _MASKERS and isinstance(value, str):
            out[key] = _MASKERS[key](value)
        else:
            out[key] = value
    return out
