"""Prometheus metrics of payments, gateway calls, webhooks and channels (requests are counted by
Litestar's PrometheusConfig, adapters/http/request_metrics.py).

  dolgo_pay_payments_total{status, method}     payment transitions, counted when committed
  dolgo_pay_gateway_seconds{operation, outcome} iamport call latency (the client's observer)
  dolgo_pay_gateway_unknown_total{operation}   calls whose outcome is unknown
  dolgo_pay_webhooks_received_total{status}    webhooks stored in the inbox, by iamport's hint
  dolgo_pay_channel_breaker{channel, state}    1 for each channel's breaker state, 0 for the rest
  dolgo_pay_channel_failures{channel}          PG failures in a row on the channel
  dolgo_pay_iamport_reachable                  1 when the last /ready probe got iamport's answer, else 0

The channel gauges show the shared breaker (channel_health) as this process last read or wrote
it; every checkout and billing charge reads it, so a busy instance is current to the request.

Metrics are created on first use in prometheus_client's default registry (the one
PrometheusController exposes), once per process; labels are closed sets, never request data.
With several `serve` workers they are kept in PROMETHEUS_MULTIPROC_DIR (adapters/http/worker.py)
and /metrics adds up every worker's; a gauge there shows the value any worker wrote last.
"""

import functools
from typing import Any, Self

from prometheus_client import REGISTRY, Counter, Gauge, Histogram

from application.ports import UnitOfWork, UnitOfWorkFactory
from domain.channel_health import ChannelHealth
from domain.payment import Payment
from domain.status import PaymentStatus

PREFIX = "dolgo_pay"
_STATUSES = frozenset(s.name.lower() for s in PaymentStatus)
_METHODS = frozenset({"card", "trans", "vbank", "phone", "point", "kakaopay", "naverpay"})
_HINTS = frozenset({"paid", "ready", "cancelled", "failed"})
_BREAKER_STATES = ("closed", "open", "half_open", "forced_open", "forced_closed")
_OUTCOMES = frozenset(
    {"approved", "declined", "pending", "rejected", "not_attempted", "unknown", "not_found"}
)


class _Metrics:
    def __init__(self) -> None:
        self.payments = _get_or_create(
            Counter,
            f"{PREFIX}_payments_total",
            "Payment transitions by the status reached and the payment method",
            ["status", "method"],
        )
        self.gateway_seconds = _get_or_create(
            Histogram,
            f"{PREFIX}_gateway_seconds",
            "Latency of iamport calls by operation and outcome",
            ["operation", "outcome"],
        )
        self.unknown = _get_or_create(
            Counter,
            f"{PREFIX}_gateway_unknown_total",
            "iamport calls whose outcome is unknown (sent, no usable answer)",
            ["operation"],
        )
        self.webhooks = _get_or_create(
            Counter,
            f"{PREFIX}_webhooks_received_total",
            "iamport webhooks stored in the inbox, by the status hint they carried",
            ["status"],
        )
        self.breaker = _get_or_create(
            Gauge,
            f"{PREFIX}_channel_breaker",
            "1 for the state each PG channel's circuit breaker is in, 0 for the others",
            ["channel", "state"],
            multiprocess_mode="mostrecent",
        )
        self.channel_failures = _get_or_create(
            Gauge,
            f"{PREFIX}_channel_failures",
            "PG failures in a row on the channel (rejected, not attempted, no answer)",
            ["channel"],
            multiprocess_mode="mostrecent",
        )
        self.iamport_reachable = _get_or_create(
            Gauge,
            f"{PREFIX}_iamport_reachable",
            "1 when the last /ready probe got an authenticated answer from iamport, else 0",
            [],
            multiprocess_mode="mostrecent",
        )


def _get_or_create(kind: type, name: str, doc: str, labels: list[str], **options: Any) -> Any:
    existing = REGISTRY._names_to_collectors.get(name)  # type: ignore[attr-defined]
    if existing is None and name.endswith("_total"):
        existing = REGISTRY._names_to_collectors.get(name.removesuffix("_total"))  # type: ignore[attr-defined]
    return existing if existing is not None else kind(name, doc, labels, **options)


@functools.cache
def metrics() -> _Metrics:
    return _Metrics()


def _label(value: str | None, allowed: frozenset[str]) -> str:
    value = (value or "").lower()
    return value if value in allowed else "other"


def observe_gateway(operation: str, outcome: str, seconds: float) -> None:
    """The IamportClient's observer."""
    op = operation if operation.replace("_", "").isalpha() and len(operation) < 40 else "other"
    result = _label(_snake(outcome), _OUTCOMES)
    m = metrics()
    m.gateway_seconds.labels(op, result).observe(seconds)
    if result == "unknown":
        m.unknown.labels(op).inc()


def _snake(name: str) -> str:
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return out.replace("notattempted", "not_attempted").replace("notfound", "not_found")


def observe_channel(health: ChannelHealth, now: object) -> None:
    """The ChannelHealthBook's observer. Channel names come from configuration (a closed set)."""
    m = metrics()
    current = health.effective_state
    for state in _BREAKER_STATES:
        m.breaker.labels(health.channel, state).set(1 if state == current else 0)
    m.channel_failures.labels(health.channel).set(health.failures)


def webhook_received(status_hint: str | None) -> None:
    metrics().webhooks.labels(_label(status_hint, _HINTS)).inc()


# -- payment transitions, counted through the unit of work ------------------------------------
class _CountingPayments:
    def __init__(self, inner: Any, seen: list[tuple[str, str]]) -> None:
        self._inner = inner
        self._seen = seen

    def _note(self, payment: Payment) -> None:
        for entry in payment.pending_history:
            status = _label(PaymentStatus(entry.to_status).name, _STATUSES)
            self._seen.append((status, _label(payment.pay_method, _METHODS)))

    async def add(self, payment: Payment) -> None:
        self._note(payment)
        await self._inner.add(payment)

    async def save(self, payment: Payment) -> None:
        self._note(payment)
        await self._inner.save(payment)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CountingUnitOfWork:
    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner
        self._seen: list[tuple[str, str]] = []
        self.payments = _CountingPayments(inner.payments, self._seen)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._seen.clear()
        await self._inner.__aexit__(*exc)

    async def commit(self) -> None:
        await self._inner.commit()
        counter = metrics().payments
        for status, method in self._seen:
            counter.labels(status, method).inc()
        self._seen.clear()

    async def rollback(self) -> None:
        self._seen.clear()
        await self._inner.rollback()


def counting(factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """A UnitOfWorkFactory whose units count committed payment transitions."""

    def make() -> UnitOfWork:
        return _CountingUnitOfWork(factory())  # type: ignore[return-value]

    return make


def iamport_probed(reachable: bool) -> None:
    """/ready's iamport probe: alert on dolgo_pay_iamport_reachable == 0 (/ready stays 200)."""
    metrics().iamport_reachable.set(1 if reachable else 0)
