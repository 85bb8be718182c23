"""What the test receivers of outgoing events share: answering ASGI lifespan, reading a body."""

from typing import Any


async def lifespan(receive: Any, send: Any) -> None:
    while (await receive())["type"] != "lifespan.shutdown":
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})


async def request_of(scope: Any, receive: Any) -> tuple[dict[str, str], bytes]:
    """The request's headers and whole body."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    return {k.decode(): v.decode() for k, v in scope["headers"]}, body


async def answer(send: Any, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b""})
