"""What billing-key use cases share: which key a charge goes to, and sending a recorded charge."""

from collections.abc import Iterable

from application.channels import Channel, ChannelDirectory
from domain.card import BillingKey, PaymentCard


def billing_channels(channels: ChannelDirectory, *, production: bool) -> list[Channel]:
    """Channels that hold billing keys, best first: healthy ones by priority, then the rest.

    Production never charges on a PortOne test channel.
    """
    usable = [c for c in channels.channels if c.key_issuance is not None]
    if production:
        usable = [c for c in usable if not c.test]
    return sorted(usable, key=lambda c: (not c.healthy, c.priority, c.name))


def billing_key_for(
    card: PaymentCard, channels: ChannelDirectory, *, production: bool
) -> tuple[Channel, BillingKey] | None:
    """The channel and billing key a charge of `card` goes to, or None if it holds no usable key.

    Spec §4.9's fallback (the same attempt moved to the card's key at a backup channel once the
    primary is known not to have charged) is a later issue; it will choose here, which is why
    every charge asks this function rather than reading `card.keys` itself.
    """
    return _first_key(card, billing_channels(channels, production=production))


def _first_key(
    card: PaymentCard, candidates: Iterable[Channel]
) -> tuple[Channel, BillingKey] | None:
    for channel in candidates:
        key = card.active_key(channel.name)
        if key is not None:
            return channel, key
    return None
