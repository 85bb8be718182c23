"""In-memory state of one sandbox instance: payments, prepared amounts, billing keys, channels."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from .config import ChannelSpec, SandboxConfig


@dataclass(slots=True)
class Cancellation:
    cancellation_id: str
    pg_tid: str
    amount: int
    tax_free: int
    cancelled_at: int
    reason: str
    receipt_url: str


@dataclass(slots=True)
class Payment:
    imp_uid: str
    merchant_uid: str
    seq: int  # creation order; breaks sorting ties
    channel: ChannelSpec
    pay_method: str
    amount: int
    started_at: int
    origin: str  # "pc" | "mobile" | "api"
    name: str | None = None
    tax_free: int = 0
    currency: str = "KRW"
    status: str = "ready"
    paid_at: int = 0
    failed_at: int = 0
    cancelled_at: int = 0
    updated_at: int = 0
    fail_reason: str | None = None
    cancel_reason: str | None = None
    pg_tid: str | None = None
    apply_num: str | None = None
    bank_code: str | None = None
    bank_name: str | None = None
    card_code: str | None = None
    card_name: str | None = None
    card_number: str | None = None  # masked
    card_type: int | None = None
    card_quota: int = 0
    vbank_code: str | None = None
    vbank_name: str | None = None
    vbank_num: str | None = None
    vbank_holder: str | None = None
    vbank_date: int = 0
    vbank_issued_at: int = 0
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_tel: str | None = None
    buyer_addr: str | None = None
    buyer_postcode: str | None = None
    custom_data: str | None = None  # a JSON string, as iamport stores it
    user_agent: str | None = None
    receipt_url: str | None = None
    notice_url: str | None = None  # not reported; where this payment's webhooks go
    customer_uid: str | None = None
    customer_uid_usage: str | None = None
    cancellations: list[Cancellation] = field(default_factory=list)
    deposits: list[dict] = field(default_factory=list)

    @property
    def cancel_amount(self) -> int:
        return sum(c.amount for c in self.cancellations)

    @property
    def cancellable(self) -> int:
        return self.amount - self.cancel_amount

    @property
    def tax_free_cancellable(self) -> int:
        return self.tax_free - sum(c.tax_free for c in self.cancellations)

    @property
    def sandbox(self) -> bool:
        return self.channel.test


@dataclass(slots=True)
class Receipt:
    """A 현금영수증 of a cash-like payment; the identifier is kept masked only."""

    imp_uid: str
    type: str  # person | company
    amount: int
    vat: int
    identifier_masked: str
    apply_num: str
    receipt_tid: str
    applied_at: int
    receipt_url: str
    cancelled_at: int = 0


@dataclass(slots=True)
class Customer:
    customer_uid: str
    channel: ChannelSpec
    card_number: str  # masked
    card_name: str
    card_code: str
    card_type: int
    declines_with: str | None  # the decline reason of a test card whose charges fail
    inserted: int
    updated: int
    customer_id: str | None = None
    customer_name: str | None = None
    customer_tel: str | None = None
    customer_email: str | None = None
    customer_addr: str | None = None
    customer_postcode: str | None = None


@dataclass(slots=True)
class Prepared:
    merchant_uid: str
    amount: int
    currency: str | None


OutageMode = Literal["reject", "hang"]


@dataclass(frozen=True, slots=True)
class Outage:
    """How a PG is down. reject: iamport answers at once with the PG's error (code -1), nothing
    charged. hang: the PG takes the call and never answers in time — iamport holds the request
    `seconds` (None: the sandbox's hold_seconds) or until the client gives up, nothing charged,
    then answers the same error to nobody."""

    mode: OutageMode = "reject"
    seconds: float | None = None


@dataclass(slots=True)
class Token:
    value: str
    expires_at: int


class SandboxClock:
    """The configured clock plus an operator-controlled offset (advance / set)."""

    def __init__(self, source) -> None:
        self._source = source
        self.offset = timedelta()

    def now(self) -> datetime:
        return self._source() + self.offset

    def timestamp(self) -> int:
        return int(self.now().timestamp())

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def set(self, when: datetime) -> None:
        self.offset = when - self._source()


class Ids:
    def __init__(self, seed: int | None) -> None:
        self._random = random.Random(seed)

    def digits(self, n: int) -> str:
        return "".join(self._random.choice(string.digits) for _ in range(n))

    def hex(self, n: int) -> str:
        return "".join(self._random.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int) -> str:
        return "".join(self._random.choice(string.ascii_letters + string.digits) for _ in range(n))


class Store:
    """Everything one sandbox instance remembers. Single event loop; no locking needed."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = SandboxClock(config.clock)
        self.ids = Ids(config.seed)
        self.channels: dict[str, ChannelSpec] = {c.name: c for c in config.channels}
        if config.default_channel not in self.channels:
            raise ValueError(f"default_channel {config.default_channel!r} is not a channel")
        self.reset()

    def reset(self) -> None:
        self.payments: dict[str, Payment] = {}
        self.prepared: dict[str, Prepared] = {}
        self.customers: dict[str, Customer] = {}
        self.receipts: dict[str, Receipt] = {}  # imp_uid → its 현금영수증
        self.token: Token | None = None
        self.outages: dict[str, Outage] = {}  # channel name → how that PG is down
        self.clock.offset = timedelta()
        self._seq = 0

    # --- channels -------------------------------------------------------------------------
    def channel_for(self, pg: str | None = None, channel_key: str | None = None) -> ChannelSpec:
        """Map `channel_key`, `"{pg}"` or `"{pg}.{MID}"` to a channel; unknown → the default."""
        channels = list(self.channels.values())
        if channel_key:
            for c in channels:
                if channel_key in (c.channel_key, c.name):
                    return c
        if pg:
            provider, _, mid = pg.partition(".")
            same = [c for c in channels if c.pg_provider == provider]
            if mid:
                for c in same:
                    if c.pg_id == mid:
                        return c
            live = [c for c in same if not c.test]
            if live or same:
                return (live or same)[0]
            for c in channels:
                if c.name == pg:
                    return c
        return self.channels[self.config.default_channel]

    def is_down(self, channel: ChannelSpec) -> bool:
        return channel.name in self.outages

    def outage_of(self, channel: ChannelSpec) -> Outage | None:
        return self.outages.get(channel.name)

    # --- payments ---------------------------------------------------------------------------
    def new_imp_uid(self) -> str:
        while True:
            imp_uid = "imp_" + self.ids.digits(12)
            if imp_uid not in self.payments:
                return imp_uid

    def new_payment(self, **fields) -> Payment:
        self._seq += 1
        now = self.clock.timestamp()
        payment = Payment(
            imp_uid=self.new_imp_uid(), seq=self._seq, started_at=now, updated_at=now, **fields
        )
        self.payments[payment.imp_uid] = payment
        return payment

    def touch(self, payment: Payment) -> int:
        now = self.clock.timestamp()
        payment.updated_at = now
        return now

    def by_merchant_uid(self, merchant_uid: str) -> list[Payment]:
        return [p for p in self.payments.values() if p.merchant_uid == merchant_uid]

    def paid_for(self, merchant_uid: str) -> Payment | None:
        paid = [p for p in self.by_merchant_uid(merchant_uid) if p.status == "paid"]
        return max(paid, key=lambda p: p.seq) if paid else None

    def pg_tid(self) -> str:
        return "T" + self.ids.alnum(19)

    def receipt_url(self, base_url: str, imp_uid: str) -> str:
        return f"{base_url}/receipt/{imp_uid}"  # /receipts/{imp_uid} is the cash-receipt API

    def now(self) -> datetime:
        return self.clock.now()
