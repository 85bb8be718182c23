"""Webhook sender: iamport's V1 notification (POST {imp_uid, merchant_uid, status[, cancellation_id]}).

Deliveries run in background tasks sharing one httpx client (per event loop: building a client
builds an SSL context, which cost more CPU than the rest of a charge); an error is recorded on
the delivery, never raised into the API call that caused it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from .config import WebhookOptions
from .store import SandboxClock

log = logging.getLogger(__name__)

MAX_RETRIES = 5


@dataclass(slots=True)
class Attempt:
    at: int
    status_code: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and self.status_code < 500


@dataclass(slots=True)
class Delivery:
    id: int
    url: str | None
    body: dict[str, str]
    format: str
    created_at: int
    attempts: list[Attempt] = field(default_factory=list)
    state: str = "pending"  # pending | held | delivered | failed | no_url

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "body": self.body,
            "format": self.format,
            "created_at": self.created_at,
            "state": self.state,
            "attempts": [dataclasses.asdict(a) for a in self.attempts],
        }


class WebhookSender:
    def __init__(
        self,
        options: WebhookOptions,
        console_url: str | None,
        clock: SandboxClock,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.options = options
        self.console_url = console_url
        self._clock = clock
        self._transport = transport
        self._tasks: set[asyncio.Task] = set()
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self.reset()

    def reset(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = set()
        self.deliveries: list[Delivery] = []
        self._held: list[Delivery] = []

    def configure(self, **changes: Any) -> None:
        if "url" in changes:
            self.console_url = changes.pop("url")
        self.options = dataclasses.replace(self.options, **changes)

    async def notify(
        self,
        *,
        imp_uid: str,
        merchant_uid: str,
        status: str,
        notice_url: str | None,
        cancellation_id: str | None = None,
    ) -> None:
        """Send one webhook (plus configured duplicates). Returns at once unless webhook-first."""
        body = {"imp_uid": imp_uid, "merchant_uid": merchant_uid, "status": status}
        if cancellation_id:
            body["cancellation_id"] = cancellation_id
        url = notice_url or self.console_url  # notice_url replaces the console URL (RQ)
        waits = []
        for _ in range(1 + max(0, self.options.duplicates)):
            delivery = Delivery(
                id=len(self.deliveries) + 1,
                url=url,
                body=dict(body),
                format=self.options.format,
                created_at=self._clock.timestamp(),
            )
            self.deliveries.append(delivery)
            if url is None:
                delivery.state = "no_url"
            elif self.options.hold:
                delivery.state = "held"
                self._held.append(delivery)
            else:
                waits.append(self._start(delivery, self.options.delay))
        if self.options.timing == "before_response":
            for first_attempt in waits:
                await first_attempt.wait()

    def flush(self, order: str = "fifo") -> int:
        """Deliver held webhooks, in arrival order or reversed (a reordering)."""
        held, self._held = self._held, []
        if order == "reverse":
            held.reverse()
        for delivery in held:
            delivery.state = "pending"
            self._start(delivery, 0.0)
        return len(held)

    async def drain(self, within: float = 10.0) -> None:
        """Wait until every delivery in flight has finished (tests)."""
        async with asyncio.timeout(within):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _http(self) -> httpx.AsyncClient:
        """The client of the running loop (in-process tests run one loop per test)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop or self._client.is_closed:
            self._client = httpx.AsyncClient(transport=self._transport)
            self._client_loop = loop
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and self._client_loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client = None

    def _start(self, delivery: Delivery, delay: float) -> asyncio.Event:
        first_attempt_done = asyncio.Event()
        task = asyncio.get_running_loop().create_task(
            self._deliver(delivery, delay, first_attempt_done)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return first_attempt_done

    async def _deliver(self, delivery: Delivery, delay: float, first_done: asyncio.Event) -> None:
        options = self.options
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            retries = MAX_RETRIES if options.retry else 0
            for attempt_no in range(retries + 1):
                if attempt_no > 0:
                    await asyncio.sleep(options.retry_interval)
                    timeout = httpx.Timeout(options.retry_timeout)
                else:
                    timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
                attempt = await self._attempt(delivery, timeout)
                delivery.attempts.append(attempt)
                first_done.set()
                if attempt.ok:
                    delivery.state = "delivered"
                    return
            delivery.state = "failed"
        except asyncio.CancelledError:
            delivery.state = "failed"
            raise
        finally:
            first_done.set()

    async def _attempt(self, delivery: Delivery, limits: httpx.Timeout) -> Attempt:
        attempt = Attempt(at=self._clock.timestamp())
        kwargs: dict[str, Any] = (
            {"json": delivery.body} if delivery.format == "json" else {"data": delivery.body}
        )
        try:
            response = await self._http().post(delivery.url, timeout=limits, **kwargs)
            attempt.status_code = response.status_code
        except Exception as exc:  # recorded, never raised into the API call
            attempt.error = f"{type(exc).__name__}: {exc}"
            log.info("webhook %s to %s failed: %s", delivery.id, delivery.url, attempt.error)
        return attempt
