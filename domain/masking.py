"""The one owner of what personal and card data may be shown: in history, logs, errors, answers.

Card secrets (expiry, birth, password digits, CVC) are never shown; a card or account number
keeps its last four digits; phones and e-mails are masked. Free text — a PG's message, a
validation error — is scrubbed of anything that looks like a card number, and, where the card
sent is known, of any echo of that card's own data.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from domain.card_credentials import CardCredentials

_DIGITS = re.compile(r"\d")

# Raw card data: these keys are dropped from evidence and hidden in logs.
SECRET_KEYS = frozenset({"birth", "pwd_2digit", "expiry", "cvc", "password", "card_password"})

# 12 digits or more, maybe grouped by spaces, dashes, dots or slashes: anything that may be a
# card number (the shortest card numbers have 12).
CARD_LIKE = re.compile(r"(?<!\d)\d(?:[\s./-]*\d){11,}(?!\d)")


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


def _mask_card_number(value: str | None) -> str | None:
    # a number the PG already masked ("559410*********4") stays as it is; a raw one keeps 4 digits
    return value if value and "*" in value else mask_account(value)


MASKERS: Mapping[str, Callable[[str | None], str | None]] = {
    "buyer_tel": mask_phone,
    "customer_tel": mask_phone,
    "refund_tel": mask_phone,
    "buyer_email": mask_email,
    "customer_email": mask_email,
    "refund_account": mask_account,
    "card_number": _mask_card_number,
}


def mask_evidence(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of iamport data fit for history: personal fields masked, card secrets dropped."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECRET_KEYS:
            continue
        if isinstance(value, Mapping):
            out[key] = mask_evidence(value)
        elif key in MASKERS and isinstance(value, str):
            out[key] = MASKERS[key](value)
        else:
            out[key] = value
    return out


def scrub_card_numbers(text: str, replacement: str | None = None) -> str:
    """`text` with every card-number-like run replaced: by `replacement`, or by the run masked
    to its last four digits."""
    if replacement is not None:
        return CARD_LIKE.sub(replacement, text)
    return CARD_LIKE.sub(lambda m: mask_account(m.group(0)) or "***", text)


_SEP = r"[\s./-]*"


def scrub_card(text: str, card: CardCredentials) -> str:
    """`text` (a PG's message, whose wording varies) with any echo of `card` blotted out: the
    number and the birth date with any spaces, dashes, dots or slashes between their digits,
    and the expiry in any order and width of year and month (2029-11, 202911, 2911, 11/29,
    1129, 11/2029, ...)."""
    for pattern in _card_patterns(card):
        text = pattern.sub(lambda m: "*" * len(m.group()), text)
    return text


def _card_patterns(card: CardCredentials) -> list[re.Pattern[str]]:
    def whole(body: str) -> re.Pattern[str]:
        return re.compile(rf"(?<!\d){body}(?!\d)")

    year, month = card.expiry.split("-")
    expiry = [f"{y}{_SEP}{month}" for y in (year, year[2:])] + [
        f"{month}{_SEP}{y}" for y in (year, year[2:])
    ]
    return [
        re.compile(_SEP.join(card.digits)),
        re.compile(_SEP.join(card.birth)),
        *(whole(e) for e in expiry),  # short: only a whole run of digits, not part of another
    ]
