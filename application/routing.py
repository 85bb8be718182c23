"""Which channel a payment goes to: priority, then health (spec §4.9).

Checkout takes the best channel for the method whose breaker is closed. A channel an operator
forced open is never chosen; when every channel for the method is open by itself, the best one
by priority is still offered (a breaker is a guess; refusing every sponsor is worse), and the
reason says so. Billing charges go to the card's keys: first those whose channel would take a
request now, then the rest; a charge never goes to a channel forced open.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from application.channel_health import ChannelHealthBook
from application.channels import Channel, ChannelDirectory, NoChannel
from domain.card import BillingKey, PaymentCard
from domain.channel_health import ChannelHealth, Forced


@dataclass(frozen=True, slots=True)
class Route:
    channel: Channel
    reason: str  # recorded on the payment (payment.route_reason)


@dataclass(frozen=True, slots=True)
class BillingTarget:
    channel: Channel
    key: BillingKey
    reason: str
    usable: bool = True  # its breaker would let a request through now


def _skipped(passed: list[str]) -> str:
    return f"; passed over {', '.join(passed)}" if passed else ""


class ChannelRouter:
    def __init__(
        self, channels: ChannelDirectory, health: ChannelHealthBook, *, production: bool
    ) -> None:
        self._channels = channels
        self._health = health
        self._production = production

    def _allowed(self, channel: Channel) -> bool:
        return not (self._production and channel.test)

    async def for_method(self, method: str) -> Route:
        """The channel a PG-window payment by `method` goes to, and why."""
        candidates = [c for c in self._channels.channels if c.serves(method) and self._allowed(c)]
        if not candidates:
            raise NoChannel(f"no channel serves pay_method {method!r}")
        states = await self._health.states()
        passed: list[str] = []
        for channel in candidates:
            health = states.get(channel.name)
            if health is None or health.healthy():
                why = f"{channel.name}: best healthy channel for {method} (priority {channel.priority})"
                return Route(channel, why + _skipped(passed))
            passed.append(f"{channel.name} ({health.effective_state})")
        fallback = [c for c in candidates if _not_forced_open(states.get(c.name))]
        if not fallback:
            raise NoChannel(f"every channel serving pay_method {method!r} is forced open")
        channel = fallback[0]
        return Route(
            channel,
            f"{channel.name}: every channel for {method} is unhealthy; best by priority"
            + _skipped(passed),
        )

    async def states(self) -> Mapping[str, ChannelHealth]:
        """Read before a transaction that locks rows: `billing_targets` takes them."""
        return await self._health.states()

    def billing_targets(
        self, card: PaymentCard, states: Mapping[str, ChannelHealth]
    ) -> list[BillingTarget]:
        """The card's billing keys in the order a charge tries them (the first is the one to
        use now; the others are failover, spec §4.9). Empty: the card holds no usable key."""
        now = self._health.now()
        usable: list[tuple[Channel, BillingKey]] = []
        resting: list[tuple[Channel, BillingKey]] = []
        passed: list[Channel] = []
        for channel in self._channels.channels:
            key = card.active_key(channel.name)
            if key is None or channel.key_issuance is None or not self._allowed(channel):
                continue
            health = states.get(channel.name)
            if health is None or health.usable(now, self._health.policy):
                usable.append((channel, key))
                continue
            passed.append(channel)
            if _not_forced_open(health):
                resting.append((channel, key))
        targets = []
        for i, (channel, key) in enumerate(usable + resting):
            role = "the card's best key" if i == 0 else f"failover key {i}"
            why = f"{channel.name}: {role} (priority {channel.priority})"
            if i == 0:
                why += _skipped(
                    [
                        f"{c.name} ({states[c.name].effective_state})"
                        for c in passed
                        if c.priority < channel.priority
                    ]
                )
            targets.append(BillingTarget(channel, key, why, usable=i < len(usable)))
        return targets


def _not_forced_open(health: ChannelHealth | None) -> bool:
    return health is None or health.forced is not Forced.OPEN
