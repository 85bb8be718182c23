"""Idempotency-Key (spec §5) as route middleware on the POSTs that create something.

First request with a key: a record (scope, key, HMAC fingerprint of the body) is inserted
IN_PROGRESS through the IdempotencyStore port and committed *before* the handler runs, so a
second instance sees it. When the handler answers, the response (status, body, content type)
is stored. A repeat with the same body gets that response again (`Idempotent-Replayed: true`);
a different body is 422; a repeat while the first still runs is 409. A 5xx answer releases the
key (the record is kept RELEASED, with no response), so a retry may run again. Without the header
the request is processed normally.

A key still IN_PROGRESS after the lease (longer than any request) was left by a process that
died mid-request. Its first attempt may have charged, so it is never run again under that key:
the answer is a 409 `idempotency_key_abandoned` telling the client to check its orders before
retrying with a new key.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ParamType
from litestar.middleware.base import DefineMiddleware
from litestar.openapi.spec import OpenAPIType, Operation, Parameter, RequestBody, Schema
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.problems import (
    IdempotencyInProgress,
    IdempotencyKeyAbandoned,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
)
from application.ports import Clock, UnitOfWorkFactory
from application.records import IdempotencyRecord, IdempotencyState

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
REPLAYED = "idempotent-replayed"


ABANDONED_DETAIL = (
    "the first request with this Idempotency-Key never finished (its server stopped); whether "
    "it took effect is unknown to this key, and it will not be run again under it. Check your "
    "orders and payments (GET /api/orders) before retrying with a new Idempotency-Key"
)


@dataclass(frozen=True)
class IdempotencyDeps:
    """What the middleware needs; kept in `app.state.idempotency` by create_app."""

    uow: UnitOfWorkFactory
    clock: Clock
    secret: bytes
    lease: timedelta = timedelta(minutes=5)

    def fingerprint(self, method: str, path: str, body: bytes) -> str:
        mac = hmac.new(self.secret, digestmod=hashlib.sha256)
        mac.update(f"{method} {path}\n".encode())
        mac.update(body)
        return mac.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _key(scope)
        if scope["type"] != "http" or scope["method"] != "POST" or key is None:
            await self.app(scope, receive, send)
            return
        deps: IdempotencyDeps = scope["litestar_app"].state.idempotency
        body, receive = await _buffer(scope, receive)
        user = scope.get("user")
        who = f"user:{getattr(user, 'user_seq', 'anonymous')}"
        record_scope = f"{who} POST {scope['path']}"
        fingerprint = deps.fingerprint("POST", scope["path"], body)

        replay = await self._claim(deps, record_scope, key, fingerprint)
        if replay is not None:
            await _send_stored(replay, send)
            return

        captured = _Captured()
        try:
            await self.app(scope, receive, captured.wrap(send))
        finally:
            await self._finish(deps, record_scope, key, captured)

    async def _claim(
        self, deps: IdempotencyDeps, scope: str, key: str, fingerprint: str
    ) -> IdempotencyRecord | None:
        """None when this request owns the key now; else the record to replay."""
        async with deps.uow() as uow:
            fresh = IdempotencyRecord(scope, key, fingerprint, deps.clock.now())
            if await uow.idempotency.add(fresh):
                await uow.commit()
                return None
            existing = await uow.idempotency.get(scope, key, for_update=True)
            if existing is None:  # vanished meanwhile: nothing to replay, refuse politely
                raise IdempotencyInProgress("this Idempotency-Key is being used; retry")
            if existing.released:
                existing.reclaim(fingerprint, deps.clock.now())
                await uow.idempotency.save(existing)
                await uow.commit()
                return None
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used with a different request body"
            )
        if existing.state is IdempotencyState.IN_PROGRESS:
            if deps.clock.now() - existing.created_at > deps.lease:
                raise IdempotencyKeyAbandoned(ABANDONED_DETAIL)
            raise IdempotencyInProgress(
                "a request with this Idempotency-Key is still running", headers={"Retry-After": "1"}
            )
        return existing

    async def _finish(
        self, deps: IdempotencyDeps, scope: str, key: str, captured: "_Captured"
    ) -> None:
        async with deps.uow() as uow:
            record = await uow.idempotency.get(scope, key, for_update=True)
            if record is None:
                return
            if captured.status is None or captured.status >= 500:
                record.release()
            else:
                record.answered(captured.status, bytes(captured.body), captured.content_type)
            await uow.idempotency.save(record)
            await uow.commit()


IDEMPOTENT = DefineMiddleware(IdempotencyMiddleware)


@dataclass
class IdempotentOperation(Operation):
    """The OpenAPI operation of a route with IDEMPOTENT (`operation_class=`): it declares the
    optional Idempotency-Key header, so generated clients can send it."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), _KEY_PARAMETER]


@dataclass
class OptionalBodyOperation(IdempotentOperation):
    """An IDEMPOTENT route whose body may be left out: Litestar declares every body required,
    even `JSONBody[X | None] = None`."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.request_body, RequestBody):
            self.request_body.required = False


_KEY_PARAMETER = Parameter(
    name="Idempotency-Key",
    param_in=ParamType.HEADER,
    required=False,
    schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=MAX_KEY_LENGTH),
    description=(
        "A key of your choice (printable ASCII): a repeat with the same key and body gets the "
        "first response again (Idempotent-Replayed: true); the same key with another body is "
        "422 idempotency_key_reused, while the first still runs 409 idempotency_in_progress."
    ),
)


def _key(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name.decode("latin-1").lower() == HEADER:
            key = value.decode("latin-1").strip()
            if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
                raise IdempotencyKeyInvalid(
                    f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters"
                )
            return key
    return None


async def _buffer(scope: Scope, receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, read through Litestar's Request: the route's body size limit applies
    while reading (a declared Content-Length over it is refused before reading anything)."""
    body = await scope["litestar_app"].request_class(scope, receive).body()
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay  # type: ignore[return-value]


class _Captured:
    def __init__(self) -> None:
        self.status: int | None = None
        self.content_type: str | None = None
        self.body = bytearray()

    def wrap(self, send: Send) -> Send:
        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        self.content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                self.body.extend(message.get("body", b""))
            await send(message)

        return capture  # type: ignore[return-value]


async def _send_stored(record: IdempotencyRecord, send: Send) -> None:
    body = record.response_body or b""
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": record.status_code or 200,
        "headers": [],
    }
    headers = MutableScopeHeaders(start)
    headers["content-type"] = record.content_type or "application/json"
    headers["content-length"] = str(len(body))
    headers[REPLAYED] = "true"
    await send(start)  # type: ignore[arg-type]
    await send({"type": "http.response.body", "body": body, "more_body": False})
