"""What the iamport client may write to a log line, an outcome or an exception.

Card secrets (number, expiry, birth, password digits, CVC) never leave this process in clear:
in bodies they are replaced (the card number keeps its last four digits); buyer / customer phone,
e-mail and refund account are masked; the API secret and access token are hidden. Free text that
comes back from iamport (PG messages) is scrubbed of anything that looks like a card number and
of the exact secrets the request carried. The rules are domain/masking.py's.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from domain.masking import MASKERS, SECRET_KEYS, scrub_card_numbers

HIDDEN = "***"

# the card secrets, and the API's own
_SECRETS = SECRET_KEYS | {"imp_secret", "pg_api_key"}


def _mask_token(value: str) -> str:
    return value[:4] + "…" if len(value) > 8 else HIDDEN


_MASKERS = {**MASKERS, "access_token": _mask_token, "imp_key": _mask_token}


def redact(data: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like value with card secrets hidden and personal fields masked; free
    text is scrubbed (see `scrub`) of card-like numbers and of `secrets`."""
    secrets = tuple(secrets)
    if isinstance(data, Mapping):
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in _SECRETS and value is not None:
                out[key] = HIDDEN
            elif key in _MASKERS and isinstance(value, str):
                out[key] = _MASKERS[key](value)
            else:
                out[key] = redact(value, secrets)
        return out
    if isinstance(data, list | tuple):
        return [redact(item, secrets) for item in data]
    if isinstance(data, str):
        return scrub(data, secrets)
    return data


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Free text without card-number-like digit runs nor any of `secrets` (4+ chars)."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return scrub_card_numbers(text)
