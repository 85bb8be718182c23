"""EventSender over HTTP: one long-lived httpx.AsyncClient, signed POSTs, results not raises."""

import time
from collections.abc import Mapping, Sequence

import httpx

from adapters.events.signing import signed_headers
from application.outbox import OutboxEvent, SendResult
from application.ports import Clock

TIMEOUT = 10.0  # seconds, connect and read; DELIVERY_LEASE is longer
_ERROR_BODY = 300  # characters of an error answer kept in the log


class HttpEventSender:
    def __init__(
        self,
        endpoints: Mapping[str, str],
        secrets: Sequence[str],
        clock: Clock,
        *,
        timeout: float = TIMEOUT,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._endpoints = dict(endpoints)
        self._secrets = tuple(secrets)
        self._clock = clock
        self._client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, endpoint: str, event: OutboxEvent) -> SendResult:
        url = self._endpoints.get(endpoint)
        if url is None:
            return SendResult(None, f"endpoint {endpoint!r} is not configured", 0)
        headers = {
            **signed_headers(event.id, self._clock.now(), event.payload, self._secrets),
            "content-type": "application/json",
            "user-agent": "dolgo-pay-events/1",
        }
        started = time.monotonic()
        try:
            response = await self._client.post(url, content=event.payload, headers=headers)
        except httpx.TimeoutException:
            return SendResult(None, "timeout", _ms(started))
        except httpx.HTTPError as exc:
            return SendResult(None, f"{type(exc).__name__}: {exc}"[:_ERROR_BODY], _ms(started))
        error = None
        if not 200 <= response.status_code < 300:
            error = f"HTTP {response.status_code}: {response.text[:_ERROR_BODY]}"
        return SendResult(response.status_code, error, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
