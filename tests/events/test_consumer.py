"""A consumer of outgoing events over real HTTP: it verifies every signature with the
specification's reference algorithm and, deduplicating by webhook-id, sees each event exactly
once although deliveries fail (5xx, a timeout after it processed, the receiver down)."""

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from collections import deque
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from adapters.events.sender import HttpEventSender
from adapters.events.signing import signed_headers
from adapters.memory.clock import SystemClock
from application.outbox import DeliveryState
from application.use_cases.actor import Actor
from application.use_cases.deliver_events import DeliverEvents, DeliverEventsCommand
from application.use_cases.refund import RequestRefund, RequestRefundCommand
from tests.application.builders import USER, World, settlement
from tests.events import asgi
from tests.sandbox.live import LiveServer


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def spec_verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks verification, as the specification writes it: HMAC-SHA256 with
    the base64-decoded secret over `{id}.{timestamp}.{body}`, compared with every `v1,` entry."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        version == "v1" and hmac.compare_digest(sig, expected)
        for version, _, sig in (
            part.partition(",") for part in headers["webhook-signature"].split()
        )
    )


class Consumer:
    """An ASGI receiver like the main dolgo app's: verify, deduplicate, process, answer."""

    def __init__(self, old_secret: str, new_secret: str) -> None:
        self.old, self.new = old_secret, new_secret
        self.answers: deque[str] = deque()  # "500" or "hang" (process, then answer too late)
        self.processed: list[str] = []
        self.seen: set[str] = set()
        self.requests = 0
        self.duplicates = 0
        self.bad_signatures = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await asgi.lifespan(receive, send)
            return
        headers, body = await asgi.request_of(scope, receive)
        self.requests += 1
        status = await self._handle(headers, body)
        await asgi.answer(send, status)

    async def _handle(self, headers: dict[str, str], body: bytes) -> int:
        try:
            # A consumer still on the old secret (the reference library), and one already on
            # the new one (the specification's algorithm): both must accept every message.
            event = Webhook(self.old).verify(body, headers)
            assert spec_verify(self.new, headers, body)
        except Exception:  # noqa: BLE001 - any failure is a bad signature here
            self.bad_signatures += 1
            return 401
        msg_id = headers["webhook-id"]
        assert event["id"] == msg_id
        if msg_id in self.seen:
            self.duplicates += 1
            return 200
        answer = self.answers.popleft() if self.answers else "ok"
        if answer == "500":
            return 500
        self.seen.add(msg_id)
        self.processed.append(msg_id)
        if answer == "hang":
            await asyncio.sleep(1.5)  # processed, but the sender gave up waiting
        return 200


async def test_each_event_is_seen_exactly_once_despite_5xx_timeouts_and_downtime():
    w = World()
    for _ in range(3):
        p = await w.paid_payment(amount=10_000)
        await RequestRefund(
            w.store, w.gateway, w.clock, w.ids, w.settings, settlement(w), w.channels
        ).execute(RequestRefundCommand(Actor(USER), p.id, "일부 환불", amount=3_000))
    old, new = new_secret(), new_secret()
    consumer = Consumer(old, new)
    consumer.answers.extend(["500", "500", "hang", "500"])
    server = LiveServer(consumer)  # bound, not listening yet: connections are refused
    sender = HttpEventSender(
        {"main": f"{server.url}/hooks"}, (new, old), SystemClock(), timeout=0.5
    )
    job = DeliverEvents(w.store, sender, w.clock, w.ids, ["main"], "i1")

    async def round_() -> None:
        await job.execute(DeliverEventsCommand())
        w.clock.advance(minutes=31)  # past the next steps of the schedule

    try:
        for _ in range(2):  # the receiver is down
            await round_()
        down_requests = consumer.requests
        with server:
            for _ in range(6):
                await round_()
    finally:
        await sender.aclose()

    outbox = list(w.store.outbox)
    delivered = [d.state for d in w.store.deliveries.values()]
    assert (down_requests, consumer.bad_signatures, len(outbox)) == (0, 0, 6)
    assert sorted(consumer.processed) == sorted(outbox)  # each once, none lost
    assert consumer.duplicates >= 1  # the one that timed out came again
    assert delivered == [DeliveryState.DELIVERED] * 6
    attempts = w.store.delivery_attempts
    assert {a.error for a in attempts if a.status_code is None} >= {"timeout"}
    assert any(a.status_code == 500 for a in attempts)
    assert any(a.error and a.error.startswith("ConnectError") for a in attempts)


async def test_a_message_signed_with_another_secret_or_altered_is_refused():
    secret, other = new_secret(), new_secret()

    body = json.dumps({"id": "evt_1", "type": "payment.paid"})
    headers = signed_headers("evt_1", datetime.now(UTC), body, [secret])
    Webhook(secret).verify(body, headers)  # accepted
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(other).verify(body, headers)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(secret).verify(body.replace("paid", "failed"), headers)
    assert not spec_verify(secret, {**headers, "webhook-id": "evt_2"}, body.encode())
