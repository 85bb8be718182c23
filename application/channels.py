"""PG channels: which methods each serves, billing support, priority (spec §4.9).

Channels are configuration; the core only picks among them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from domain.refund_policy import DEFAULT_VBANK_REFUND_BANKS, ChannelRefundTerms


class KeyIssuance(StrEnum):
    REST = "rest"  # POST /subscribe/customers/{customer_uid} with card data (비인증 contract)
    WINDOW = "window"  # IMP.request_pay with customer_uid (inicis, kakaopay, ...)


class NoChannel(Exception):
    """No configured channel serves what was asked."""

    code = "no_channel"


@dataclass(frozen=True, slots=True)
class Channel:
    name: str  # our name, e.g. "nice"
    pg: str  # the `pg` parameter: "{pg}" or "{pg}.{MID}"
    pg_provider: str  # as iamport reports it in pg_provider
    methods: frozenset[str] = frozenset({"card"})
    pg_ids: frozenset[str] = frozenset()  # MIDs iamport may report in pg_id; empty = any
    key_issuance: KeyIssuance | None = None  # None: no billing keys on this channel
    # A card registered here also gets a key on this channel, its failover (spec §4.9).
    billing_backup: str | None = None
    priority: int = 100  # lower wins
    test: bool = False  # a PortOne test channel: its payments carry sandbox=true
    vbank_refund_contract: bool = True  # the merchant holds this PG's 가상계좌 환불 특약
    cancel_tax_fields: bool = False  # the PG needs tax_free / vat_amount on every cancel
    closes_vbanks: bool = False  # unpaid vbanks past due are closed at iamport (DELETE /vbanks)
    # bank codes this PG takes for a vbank refund account (refund_bank)
    vbank_refund_banks: frozenset[str] = frozenset(DEFAULT_VBANK_REFUND_BANKS)

    def refund_terms(self) -> ChannelRefundTerms:
        return ChannelRefundTerms(
            self.name, self.vbank_refund_contract, self.cancel_tax_fields, self.vbank_refund_banks
        )

    def serves(self, method: str) -> bool:
        return method in self.methods

    def took(self, pg_provider: str | None, pg_id: str | None) -> bool:
        """Whether iamport's pg_provider / pg_id say this channel took the payment."""
        if pg_provider != self.pg_provider:
            return False
        return not self.pg_ids or pg_id in self.pg_ids


@dataclass(frozen=True)
class ChannelDirectory:
    channels: tuple[Channel, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, channels: Iterable[Channel]) -> "ChannelDirectory":
        return cls(tuple(sorted(channels, key=lambda c: (c.priority, c.name))))

    def named(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise NoChannel(f"no channel named {name!r}")

    def for_method(self, method: str, *, allow_test: bool = True) -> Channel:
        """The first channel by priority for a PG-window payment by `method` (health aside:
        application.routing chooses among them)."""
        for channel in self.channels:
            if channel.serves(method) and (allow_test or not channel.test):
                return channel
        raise NoChannel(f"no channel serves pay_method {method!r}")

    def for_billing(self, *, allow_test: bool = True) -> list[Channel]:
        """Channels that issue billing keys, best first (the first is the primary)."""
        return [
            c for c in self.channels if c.key_issuance is not None and (allow_test or not c.test)
        ]

    def backup_of(self, channel: Channel) -> Channel | None:
        return self.named(channel.billing_backup) if channel.billing_backup else None

    def that_took(self, pg_provider: str | None, pg_id: str | None) -> Channel | None:
        """A channel naming the MID wins over one that takes any MID of the same PG (so a
        `nice.test` channel is told apart from a `nice` channel listing no MIDs)."""
        took = [c for c in self.channels if c.took(pg_provider, pg_id)]
        return next((c for c in took if c.pg_ids), None) or next(iter(took), None)
