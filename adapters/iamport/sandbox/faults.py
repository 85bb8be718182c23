"""Fault switches applied at the ASGI level to the iamport REST API (not to the window,
the iamport.js stand-in or the operator controls).

kinds:
  latency              sleep `seconds` before handling
  error                answer `status` (default 503) without handling the request
  drop                 drop the connection without handling the request
  hang                 never handle the request: hold it for `seconds` (default
                       config.hold_seconds) or until the client goes away, then drop it
  refuse               answer HTTP 200 with iamport's refusal envelope (code 1, `message`)
                       without handling the request
  timeout_after_commit handle the request (the charge / cancel is applied), then hold the
                       response for `seconds` (default config.hold_seconds) or until released
  drop_after_commit    handle the request, then drop the connection
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import asdict, dataclass
from typing import Any

import httpx

KINDS = ("latency", "error", "drop", "hang", "refuse", "timeout_after_commit", "drop_after_commit")
UNFAULTED_PREFIXES = ("/_sandbox", "/js/", "/window", "/receipt/")

_GATEWAY_PAGE = b"<html><head><title>%d</title></head><body><h1>%d</h1></body></html>"


@dataclass(slots=True)
class FaultRule:
    id: int
    kind: str
    path: str | None = None  # prefix of the path below the sandbox root, e.g. "/payments/cancel"
    method: str | None = None
    remaining: int | None = None  # None = until cleared
    status: int = 503
    seconds: float | None = None
    message: str = "sandbox fault: refused"

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return self.path is None or path.startswith(self.path)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the app to drop a connection; in-process httpx clients see a protocol error."""


class FaultInjector:
    def __init__(self, hold_seconds: float) -> None:
        self.hold_seconds = hold_seconds
        self._ids = itertools.count(1)
        self.rules: list[FaultRule] = []
        self._release = asyncio.Event()
        self.triggered: list[dict[str, Any]] = []

    def add(self, kind: str, **options: Any) -> FaultRule:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        count = options.pop("count", None)
        rule = FaultRule(id=next(self._ids), kind=kind, remaining=count, **options)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules = []
        self.release()

    def release(self) -> None:
        """Let every held response go (and re-arm for the next hold)."""
        self._release.set()
        self._release = asyncio.Event()

    def reset(self) -> None:
        self.clear()
        self.triggered = []

    def _take(self, method: str, path: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, path):
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self.rules.remove(rule)
                self.triggered.append({"rule": rule.id, "kind": rule.kind, "path": path})
                return rule
        return None

    async def __call__(self, scope, receive, send, app) -> None:
        path = _relative_path(scope)
        if scope["type"] != "http" or path.startswith(UNFAULTED_PREFIXES):
            await app(scope, receive, send)
            return
        rule = self._take(scope["method"], path)
        if rule is None:
            await app(scope, receive, send)
        elif rule.kind == "latency":
            await asyncio.sleep(rule.seconds or 0)
            await app(scope, receive, send)
        elif rule.kind == "error":
            await _send_error(send, rule.status)
        elif rule.kind == "drop":
            await _drop(send)
        elif rule.kind == "hang":
            await self.hold(receive, self._seconds(rule))
            await _drop(send)
        elif rule.kind == "refuse":
            await _send_refusal(send, rule.message)
        else:
            buffered: list[dict] = []

            async def capture(message):
                buffered.append(message)

            await app(scope, receive, capture)  # committed
            if rule.kind == "drop_after_commit":
                await _drop(send)
            held = await self.hold(receive, self._seconds(rule))
            if held:
                for message in buffered:
                    await send(message)

    def _seconds(self, rule: FaultRule) -> float:
        return self.hold_seconds if rule.seconds is None else rule.seconds

    async def hold(self, receive, seconds: float) -> bool:
        """Wait; True when the response may still be sent (the client did not go away)."""
        release = asyncio.ensure_future(self._release.wait())
        disconnect = asyncio.ensure_future(_wait_disconnect(receive))
        try:
            done, _ = await asyncio.wait(
                {release, disconnect}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            release.cancel()
            disconnect.cancel()
        return disconnect not in done


async def _wait_disconnect(receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _send_error(send, status: int) -> None:
    body = _GATEWAY_PAGE % (status, status)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_refusal(send, message: str) -> None:
    body = json.dumps({"code": 1, "message": message, "response": None}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _drop(send) -> None:
    # Promise a body that never comes, then fail: a server (uvicorn) closes the connection,
    # an in-process httpx client sees the exception.
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
        }
    )
    raise ConnectionDropped("sandbox fault: connection dropped")


def _relative_path(scope) -> str:
    path = scope.get("path", "")
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.rstrip("/") or "/"
