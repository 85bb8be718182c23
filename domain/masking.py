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
    "identifier": mask_account,  # a 현금영수증's phone number or 사업자번호
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


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check, as every issued card number does."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def scrub_issued_card_numbers(text: str) -> str:
    """`text` with every card number that could have been issued — 12 to 19 digits, written
    whole or in groups, passing the Luhn check — masked but for its last four digits (the
    separators stay). For log lines: they carry our own 15-digit ids and merchant_uids, which
    `scrub_card_numbers` would mask too (nine in ten fail Luhn and stay readable). Numbers
    side by side ("4111… 4111… 377…") are each judged on their own, group by group."""

    def mask(m: re.Match[str]) -> str:
        run = m.group(0)
        at = [i for i, c in enumerate(run) if c.isdigit()]
        digits = "".join(run[i] for i in at)
        starts = [0] + [k for k in range(1, len(at)) if at[k] != at[k - 1] + 1]
        ends = {*starts[1:], len(at)}
        hidden: set[int] = set()
        for start in starts:
            for end in range(start + 12, min(start + 19, len(at)) + 1):
                if end in ends and luhn_valid(digits[start:end]):
                    hidden.update(at[start : end - 4])
        return "".join("*" if i in hidden else c for i, c in enumerate(run))

    return CARD_LIKE.sub(mask, text)


_SEP = r"[\s./-]*"


def scrub_digits(text: str, digits: str, replacement: str) -> str:
    """`text` with `digits` (a number we sent) replaced wherever it appears whole, with any
    spaces, dashes, dots or slashes between its digits."""
    return re.sub(rf"(?<!\d){_SEP.join(digits)}(?!\d)", replacement, text)


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
