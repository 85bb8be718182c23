"""Configuration of one sandbox instance: credentials, PG channels, links, clock, webhook options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import httpx


def utc_now() -> datetime:
    return datetime.now(UTC)


BillingIssuance = Literal["rest", "window"]


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """One PG channel (a `pg` value, i.e. one PG contract / MID) as iamport sees it."""

    name: str  # sandbox name; also accepted as `channel_key`
    pg_provider: str  # reported in `pg_provider`; the `{pg}` part of the `pg` parameter
    pg_id: str  # the MID; reported in `pg_id`; the `{MID}` part of `{pg}.{MID}`
    methods: frozenset[str] = frozenset({"card"})
    billing: BillingIssuance | None = None  # how billing keys are issued on this channel
    test: bool = False  # a PortOne test channel: payments carry `sandbox: true`
    phone_partial_cancel: bool = False  # phone payments partially cancellable (inicis, kcp)

    @property
    def channel_key(self) -> str:
        return f"channel-key-{self.name}"


DEFAULT_CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("nice", "nice", "dolgonice1m", frozenset({"card"}), billing="rest"),
    ChannelSpec(
        "html5_inicis",
        "html5_inicis",
        "MOIdolgo01",
        frozenset({"card", "trans", "vbank"}),
        billing="window",
        phone_partial_cancel=True,
    ),
    ChannelSpec("kicc", "kicc", "dolgokicc1", frozenset({"card"}), billing="rest"),
    ChannelSpec("jtnet", "jtnet", "dolgojt01", frozenset({"card"}), billing="rest"),
    # KCP's billing MID: keys issued only in its (card) window
    ChannelSpec("kcp_billing", "kcp_billing", "BA001", frozenset({"card"}), billing="window"),
    ChannelSpec("kcp", "kcp", "A52Q7", frozenset({"vbank", "trans"}), phone_partial_cancel=True),
    ChannelSpec("danal", "danal", "A010002002", frozenset({"phone"})),
    ChannelSpec("nice_test", "nice", "nictest04m", frozenset({"card"}), billing="rest", test=True),
)


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    """How the sandbox delivers webhooks (see docs/iamport.md §7); all changeable at run time."""

    format: Literal["json", "form"] = "json"
    # "background": fire and forget (iamport's default race: callback may come first);
    # "before_response": deliver (first attempt) before answering (webhook-first ordering).
    timing: Literal["background", "before_response"] = "background"
    delay: float = 0.0  # seconds before the first attempt (a late webhook)
    duplicates: int = 0  # extra identical deliveries of every webhook
    retry: bool = False  # iamport's opt-in resend: up to 5 retries on network error / 5xx
    retry_interval: float = 60.0  # seconds between retries (1 min at iamport; compress in tests)
    hold: bool = False  # queue webhooks until flushed (for reordering / delaying them)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retry_timeout: float = 15.0


@dataclass(frozen=True)
class SandboxConfig:
    imp_key: str = "sandbox_key"
    imp_secret: str = "sandbox_secret"
    merchant_code: str = "imp00000000"  # for IMP.init
    merchant_name: str = "돌고"  # shown in the window; vbank holder
    channels: tuple[ChannelSpec, ...] = DEFAULT_CHANNELS
    default_channel: str = "nice"  # used when `pg` is absent or unknown
    # Base URL under which the sandbox is reachable (e.g. "http://localhost:8000/sandbox").
    # None: derived from each request (scheme, host and ASGI root_path).
    public_url: str | None = None
    webhook_url: str | None = None  # the "console" URL; None = no console URL
    clock: Callable[[], datetime] = utc_now
    webhooks: WebhookOptions = field(default_factory=WebhookOptions)
    # Transport for webhook deliveries (tests route them to an in-process ASGI app).
    webhook_transport: httpx.AsyncBaseTransport | None = None
    token_ttl: int = 30 * 60
    vbank_due_days: int = 3  # default due date when request_pay has no vbank_due
    # UNVERIFIED at iamport: whether `again` refuses a merchant_uid that is already paid.
    again_rejects_paid_merchant_uid: bool = False
    # UNVERIFIED at iamport: the status an expired, never-paid vbank ends in.
    vbank_expired_status: Literal["ready", "failed", "cancelled"] = "ready"
    hold_seconds: float = 90.0  # "timeout after commit": how long a response is held back
    seed: int | None = None  # seed for generated ids (None = random)
