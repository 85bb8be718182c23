"""The no-answer rules on a real socket (ADR 0031): NotAttempted only when the request never left
the process; anything after the request was written is Unknown, and nothing is re-sent
underneath (aiohttp re-sends a PUT/DELETE/GET once when a connection fails, unless told not to).

The server answers getToken on a keep-alive connection, so the call after it reuses that
connection: the case aiohttp's re-send was made for."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from adapters.iamport.client import IamportClient
from application.gateway import CancelRequest, NotAttempted, Unknown
from tests.iamport_client.fake_iamport import KEY, SECRET, closed_port
from tests.iamport_client.samples import TOKEN
from tests.iamport_client.test_client_outcomes import AGAIN

Then = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
Send = Callable[[IamportClient], Awaitable[Any]]

# every method iamport is called with, and each operation aiohttp would re-send
CALLS: dict[str, tuple[str, Send]] = {
    "again": ("POST /subscribe/payments/again", lambda c: c.charge_billing_key(AGAIN)),
    "cancel": (
        "POST /payments/cancel",
        lambda c: c.cancel(
            CancelRequest(imp_uid="imp_1", amount=4000, checksum=10000, reason="변심")
        ),
    ),
    "update_prepared": ("PUT /payments/prepare", lambda c: c.update_prepared("ord_9", 1000)),
    "close_vbank": ("DELETE /vbanks/imp_1", lambda c: c.close_vbank("imp_1")),
    "cancel_receipt": ("DELETE /receipts/imp_1", lambda c: c.cancel_receipt("imp_1")),
    "delete_billing_key": (
        "DELETE /subscribe/customers/card_1",
        lambda c: c.delete_billing_key("card_1"),
    ),
    "get_payment": ("GET /payments/imp_1", lambda c: c.get_payment("imp_1")),
}


class Wire:
    """A loopback HTTP/1.1 server: answers getToken, reads every other request whole, then does
    `then` (close, hang, a broken answer); `seen` lists those requests ("METHOD /path")."""

    def __init__(self, then: Then) -> None:
        self.then = then
        self.seen: list[str] = []
        self._arrived = asyncio.Condition()

    async def until(self, n: int) -> None:
        async with self._arrived:
            await self._arrived.wait_for(lambda: len(self.seen) >= n)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                method, target, _ = head[0].split(" ", 2)
                length = next(
                    (
                        int(h.split(":", 1)[1])
                        for h in head
                        if h.lower().startswith("content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                if target == "/users/getToken":
                    body = TOKEN.encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                    )
                    await writer.drain()
                    continue
                async with self._arrived:
                    self.seen.append(f"{method} {target.split('?')[0]}")
                    self._arrived.notify_all()
                await self.then(reader, writer)
                return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """No answer at all: the connection is closed after the request was read."""


async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """No answer until the client gives up and closes the connection."""
    await reader.read()


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"this is not HTTP\r\n\r\n")
    await writer.drain()


async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"code":0,')
    await writer.drain()


@asynccontextmanager
async def wire(then: Then) -> AsyncIterator[tuple[Wire, str]]:
    server_side = Wire(then)
    server = await asyncio.start_server(server_side.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield server_side, f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("then", [close, garbage, cut], ids=["closed", "garbage", "cut"])
async def test_no_usable_answer_after_sending_is_unknown_and_sent_once(name: str, then: Then):
    target, send = CALLS[name]
    async with wire(then) as (server, base), IamportClient(base, KEY, SECRET) as client:
        outcome = await send(client)
    assert isinstance(outcome, Unknown), outcome
    assert server.seen == [target]


@pytest.mark.parametrize("name", ["again", "close_vbank", "get_payment"])
async def test_a_read_timeout_is_unknown_and_sent_once(name: str):
    target, send = CALLS[name]
    async with (
        wire(hang) as (server, base),
        IamportClient(base, KEY, SECRET, read_timeout=0.3) as client,
    ):
        outcome = await send(client)
    assert isinstance(outcome, Unknown) and "ReadTimeout" in outcome.reason, outcome
    assert server.seen == [target]


@pytest.mark.parametrize("name", ["again", "close_vbank", "get_payment"])
async def test_nothing_listening_is_not_attempted(name: str):
    _, send = CALLS[name]
    base = f"http://127.0.0.1:{closed_port()}"
    async with IamportClient(base, KEY, SECRET, connect_timeout=1) as client:
        outcome = await send(client)
    assert isinstance(outcome, NotAttempted) and "ConnectError" in outcome.reason, outcome


async def test_no_free_connection_in_time_is_not_attempted():
    """100 connections busy (MAX_CONNECTIONS): the 101st call waits for one, and its pool
    timeout (connect_timeout) ends it before it is sent."""
    async with (
        wire(hang) as (server, base),
        IamportClient(base, KEY, SECRET, connect_timeout=0.5, read_timeout=3) as client,
    ):
        busy = [asyncio.create_task(client.get_payment(f"imp_{i}")) for i in range(100)]
        async with asyncio.timeout(5):
            await server.until(100)
        outcome = await client.charge_billing_key(AGAIN)
        assert isinstance(outcome, NotAttempted), outcome
        assert len(server.seen) == 100
        assert all(isinstance(o, Unknown) for o in await asyncio.gather(*busy))
