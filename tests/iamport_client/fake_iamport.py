"""A tiny scripted iamport for client tests: a raw ASGI app served by uvicorn on loopback.

Built in: `POST /users/getToken` (key "key" / secret "secret"; a new token per call, valid until
`revoke_tokens()`), and the 401 envelope for any other path without a valid token. Everything
else answers what a test scripted with `on(method, path, reply, ...)` (the last reply repeats; a
callable reply gets the request), or a 404 envelope.
"""

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

KEY, SECRET = "key", "secret"
UNAUTHORIZED = {"code": -1, "message": "Unauthorized", "response": None}


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-able, or bytes sent as they are
    delay: float = 0.0  # seconds to sleep before answering
    drop: bool = False  # send the headers and half the body, then cut the connection
    release: asyncio.Event | None = None  # answer only once this is set


def ok(response: Any, status: int = 200) -> Reply:
    return Reply(status, {"code": 0, "message": None, "response": response})


def refuse(message: str, code: int = 1, status: int = 200) -> Reply:
    return Reply(status, {"code": code, "message": message, "response": None})


def payment(status: str = "paid", **fields: Any) -> dict[str, Any]:
    """A PaymentAnnotation with every key present, N/A strings null and N/A timestamps 0."""
    body: dict[str, Any] = {
        "imp_uid": "imp_100000000001",
        "merchant_uid": "ord_1",
        "pay_method": "card",
        "channel": "api",
        "pg_provider": "nice",
        "emb_pg_provider": None,
        "pg_tid": "nictest04m0101",
        "pg_id": "nictest04m",
        "sandbox": False,
        "escrow": False,
        "apply_num": "30012345",
        "card_code": "366",
        "card_name": "신한카드",
        "card_quota": 0,
        "card_number": "559410*********4",
        "card_type": 0,
        "vbank_code": None,
        "vbank_name": None,
        "vbank_num": None,
        "vbank_holder": None,
        "vbank_date": 0,
        "vbank_issued_at": 0,
        "name": "후원",
        "amount": 10000,
        "cancel_amount": 0,
        "currency": "KRW",
        "buyer_name": "홍길동",
        "buyer_email": "gildong@example.com",
        "buyer_tel": "010-1234-5678",
        "custom_data": '{"order_id":1}',
        "status": status,
        "started_at": 1700000000,
        "paid_at": 1700000010 if status in ("paid", "cancelled") else 0,
        "failed_at": 1700000010 if status == "failed" else 0,
        "cancelled_at": 0,
        "fail_reason": "한도초과" if status == "failed" else None,
        "cancel_reason": None,
        "receipt_url": "https://example.invalid/receipt",
        "cancel_history": [],
        "cash_receipt_issued": False,
        "customer_uid": None,
        "customer_uid_usage": None,
    }
    body.update(fields)
    return body


def customer(customer_uid: str = "card_1", **fields: Any) -> dict[str, Any]:
    body = {
        "customer_uid": customer_uid,
        "pg_provider": "nice",
        "pg_id": "nictest04m",
        "sandbox": False,
        "customer_id": None,
        "card_name": "신한카드",
        "card_code": "366",
        "card_number": "5594-10**-****-9012",
        "card_type": 0,
        "customer_name": "홍길동",
        "customer_tel": "010-1234-5678",
        "customer_email": "gildong@example.com",
        "inserted": 1700000000,
        "updated": 1700000000,
    }
    body.update(fields)
    return body


@dataclass
class Seen:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any
    client: tuple[str, int] | None = None  # the TCP peer: one per connection the client opened

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)


Handler = Reply | Callable[[Seen], Reply]


@dataclass
class FakeIamport:
    now: int = 1_700_000_000  # iamport's clock: deliberately far from ours
    token_ttl: int = 1800
    token_delay: float = 0.0
    token_reply: Reply | None = None  # overrides the built-in getToken
    token_calls: int = 0
    base_url: str = ""
    valid: set[str] = field(default_factory=set)
    requests: list[Seen] = field(default_factory=list)
    routes: dict[tuple[str, str], list[Handler]] = field(default_factory=dict)

    def on(self, method: str, path: str, *replies: Handler) -> None:
        self.routes[(method, path)] = list(replies)

    def revoke_tokens(self) -> None:
        self.valid.clear()

    def seen(self, method: str, path: str) -> list[Seen]:
        return [r for r in self.requests if r.method == method and r.path == path]

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        assert scope["type"] == "http"
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen = Seen(
            method=scope["method"],
            path=scope["path"],
            query=parse_qsl(scope["query_string"].decode(), keep_blank_values=True),
            headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
            body=json.loads(raw) if raw else None,
            client=tuple(scope["client"]) if scope.get("client") else None,
        )
        self.requests.append(seen)
        await self._answer(self._reply(seen), send)

    def _reply(self, seen: Seen) -> Reply:
        if seen.path == "/users/getToken" and seen.method == "POST":
            return self.token_reply or self._token(seen)
        token = seen.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if token not in self.valid:
            return Reply(401, UNAUTHORIZED)
        handlers = self.routes.get((seen.method, seen.path))
        if not handlers:
            return refuse("존재하지 않는 결제정보입니다.", -1, 404)
        handler = handlers.pop(0) if len(handlers) > 1 else handlers[0]
        return handler(seen) if callable(handler) else handler

    def _token(self, seen: Seen) -> Reply:
        body = seen.body or {}
        if body.get("imp_key") != KEY or body.get("imp_secret") != SECRET:
            return Reply(401, UNAUTHORIZED)
        self.token_calls += 1
        token = f"tok-{self.token_calls}"
        self.valid.add(token)
        return Reply(
            200,
            {
                "code": 0,
                "message": None,
                "response": {
                    "access_token": token,
                    "now": self.now,
                    "expired_at": self.now + self.token_ttl,
                },
            },
            delay=self.token_delay,
        )

    @staticmethod
    async def _answer(reply: Reply, send: Callable) -> None:
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.release is not None:
            await reply.release.wait()
        if isinstance(reply.body, bytes):
            content = reply.body
        else:
            content = json.dumps(reply.body, ensure_ascii=False).encode()
        length = len(content) + (100 if reply.drop else 0)
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(length).encode()),
                ],
            }
        )
        if reply.drop:
            await send({"type": "http.response.body", "body": content[:10], "more_body": True})
            raise ConnectionAbortedError("fake iamport drops the connection mid-response")
        await send({"type": "http.response.body", "body": content})


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port inside the running loop."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_config=None,
        log_level="critical",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        task.result()  # raises what went wrong
        raise RuntimeError("uvicorn did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def closed_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
