"""Request bodies are decoded strictly: JSON types as written, never coerced.

Litestar converts a decoded body to the handler's `data` type with msgspec's non-strict rules
(the same pass converts query strings), so `"1000"`, `"1e3"`, `1e3` and `1000.0` all became the
integer 1000. `StrictRequest.json` first decodes the raw bytes strictly against that type, so a
money field accepts JSON integers only; a body nested deeper than the decoder goes (msgspec's
RecursionError, which Litestar does not catch) is a 400 naming the body, not a 500.
"""

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.serialization import decode_json
from litestar.types import Empty

# Far above any body of ours (a few levels); far below the decoders' own recursion limits.
MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_OPENING = b"[{"
_AT = re.compile(r" - at `\$\.?([^`]*)`")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class StrictRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        if self._json is Empty and self._connection_state.json is Empty:
            body = await self.body() or b"null"
            value = _decode(body, self.route_handler.resolve_type_decoders())
            _check_strict(body, self._data_type())
            self._json = self._connection_state.json = value
        return await super().json()

    def _data_type(self) -> Any:
        data = self.route_handler.parsed_fn_signature.parameters.get("data")
        return None if data is None else data.annotation


def _decode(body: bytes, type_decoders: Any) -> Any:
    if _depth(body) > MAX_DEPTH:
        raise _invalid("body", f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return decode_json(body, type_decoders=type_decoders)
    except RecursionError:
        raise _invalid("body", "JSON nested too deeply") from None


def _depth(body: bytes) -> int:
    """How deep `[` and `{` nest outside strings (malformed JSON is the decoder's to refuse)."""
    deepest = depth = 0
    for byte in _STRING.sub(b"", body).translate(None, delete=_NOT_BRACKETS):
        depth += 1 if byte in _OPENING else -1
        deepest = max(deepest, depth)
    return deepest


def _check_strict(body: bytes, data_type: Any) -> None:
    if data_type is None:
        return
    try:
        msgspec.json.decode(body, type=data_type, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        at = _AT.search(message)  # the path msgspec names; none: the problem's own rules apply
        raise _invalid(at.group(1) if at else "", message) from None


def _invalid(field: str, reason: str) -> ValidationException:
    return ValidationException(extra=[{"message": reason, "key": field, "source": "body"}])
