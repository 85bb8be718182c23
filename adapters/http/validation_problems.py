"""Validation errors that name the field and never echo the value.

Litestar's (msgspec's) messages are rebuilt from the field name and a sanitised reason: quoted
values, unknown key names holding digits, card-number-like runs and long digit runs go, so a
malformed request never finds its input in the answer.
"""

import re
from collections.abc import Mapping

from litestar.exceptions import ValidationException
from litestar.plugins.problem_details import ProblemDetailsException

from adapters.http.problems import problem
from domain.masking import scrub_card_numbers

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


def validation_problem(exc: ValidationException) -> ProblemDetailsException:
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


def malformed_body(reason: str) -> ProblemDetailsException:
    params = [{"name": "body", "in": "body", "reason": reason}]
    return problem(
        400, "validation_error", "malformed request body", field="body", invalid_params=params
    )


def body_decoding_reason(message: str) -> str:
    """Litestar's reason for a body it could not decode, sanitised."""
    return _reason(message)
