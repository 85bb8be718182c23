"""PG channels from a TOML file (DOLGO_CHANNELS_FILE) → application.channels.ChannelDirectory.

    [[channel]]
    name = "nice"                 # our name
    pg = "nice.dolgonice1m"       # the `pg` parameter of IMP.request_pay ("{pg}" or "{pg}.{MID}")
    pg_provider = "nice"          # as iamport reports it
    pg_ids = ["dolgonice1m"]      # MIDs iamport may report in pg_id (empty: any)
    methods = ["card"]
    key_issuance = "rest"         # "rest" | "window"; absent: no billing keys here
    billing_backup = "kicc"       # cards registered here also get a key there (failover);
                                  # both channels issue keys the same way (rest, or window)
    priority = 10                 # lower wins
    test = false                  # a PortOne test channel
    vbank_refund_contract = true  # the merchant holds this PG's 가상계좌 환불 특약 (payco offers none)
    cancel_tax_fields = false     # send tax_free / vat_amount on every cancel (kcp, kicc, nice, payco)
    closes_vbanks = false         # close unpaid vbanks past due at iamport (where the PG supports it)
    vbank_refund_banks = ["004", "088"]  # refund_bank codes this PG takes; absent: the standard list

Unknown keys are refused, so a typo does not silently disable a channel.
"""

from pathlib import Path
from typing import Literal

import msgspec

from adapters.config.errors import ConfigError
from application.channels import Channel, ChannelDirectory, KeyIssuance

Method = Literal["card", "trans", "vbank", "phone", "point", "kakaopay", "naverpay", "payco"]


class _ChannelToml(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    pg: str
    pg_provider: str
    methods: list[Method]
    pg_ids: list[str] = []
    key_issuance: Literal["rest", "window"] | None = None
    billing_backup: str | None = None
    priority: int = 100
    test: bool = False
    vbank_refund_contract: bool = True
    cancel_tax_fields: bool = False
    closes_vbanks: bool = False
    vbank_refund_banks: list[str] | None = None


class _ChannelsToml(msgspec.Struct, forbid_unknown_fields=True):
    channel: list[_ChannelToml]


def _channel(c: _ChannelToml) -> Channel:
    return Channel(
        name=c.name,
        pg=c.pg,
        pg_provider=c.pg_provider,
        methods=frozenset(c.methods),
        pg_ids=frozenset(c.pg_ids),
        key_issuance=KeyIssuance(c.key_issuance) if c.key_issuance else None,
        billing_backup=c.billing_backup,
        priority=c.priority,
        test=c.test,
        vbank_refund_contract=c.vbank_refund_contract,
        cancel_tax_fields=c.cancel_tax_fields,
        closes_vbanks=c.closes_vbanks,
        **(
            {"vbank_refund_banks": frozenset(c.vbank_refund_banks)}
            if c.vbank_refund_banks is not None
            else {}
        ),
    )


def parse_channels(text: str, source: str = "DOLGO_CHANNELS_FILE") -> ChannelDirectory:
    try:
        parsed = msgspec.toml.decode(text, type=_ChannelsToml)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
        raise ConfigError(source, f"invalid channels file: {exc}") from None
    if not parsed.channel:
        raise ConfigError(source, "the channels file declares no [[channel]]")
    names = [c.name for c in parsed.channel]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(source, f"duplicate channel names: {', '.join(duplicates)}")
    directory = ChannelDirectory.of(_channel(c) for c in parsed.channel)
    for channel in directory.channels:
        problem = _backup_problem(directory, channel)
        if problem:
            raise ConfigError(source, f"channel {channel.name!r}: billing_backup {problem}")
    return directory


def _backup_problem(directory: ChannelDirectory, channel: Channel) -> str | None:
    name = channel.billing_backup
    if name is None:
        return None
    if channel.key_issuance is None:
        return "is set on a channel that issues no billing keys"
    if name == channel.name:
        return "names the channel itself"
    backup = next((c for c in directory.channels if c.name == name), None)
    if backup is None:
        return f"names no channel ({name!r})"
    if backup.key_issuance is not channel.key_issuance:
        # REST: the backup key is issued in the registration's own request, with the card
        # data given once. Window: the sponsor is asked into the backup's window next, for
        # the same card. A mix would need the card data and a window both (ADR 0025).
        return f"{name!r}: both channels must issue keys the same way (both rest or both window)"
    if backup.test != channel.test:
        return f"{name!r}: a live channel's backup must be live too (and a test one's test)"
    return None


def load_channels(path: str) -> ChannelDirectory:
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("DOLGO_CHANNELS_FILE", f"cannot read {file}: {exc.strerror}") from None
    return parse_channels(text, f"DOLGO_CHANNELS_FILE ({file})")


def demo_channels() -> ChannelDirectory:
    """The channels the in-process sandbox serves (its DEFAULT_CHANNELS, live ones)."""
    return ChannelDirectory.of(
        [
            Channel(
                "nice",
                "nice.dolgonice1m",
                "nice",
                frozenset({"card"}),
                frozenset({"dolgonice1m"}),
                KeyIssuance.REST,
                billing_backup="kicc",
                priority=10,
                cancel_tax_fields=True,
            ),
            Channel(
                "kicc",
                "kicc.dolgokicc1",
                "kicc",
                frozenset({"card"}),
                frozenset({"dolgokicc1"}),
                KeyIssuance.REST,
                billing_backup="nice",
                priority=25,
                cancel_tax_fields=True,
            ),
            Channel(
                "html5_inicis",
                "html5_inicis.MOIdolgo01",
                "html5_inicis",
                frozenset({"card", "trans", "vbank"}),
                frozenset({"MOIdolgo01"}),
                KeyIssuance.WINDOW,
                billing_backup="kcp_billing",
                priority=20,
                closes_vbanks=True,
            ),
            Channel(
                "kcp_billing",
                "kcp_billing.BA001",
                "kcp_billing",
                frozenset(),
                frozenset({"BA001"}),
                KeyIssuance.WINDOW,
                billing_backup="html5_inicis",
                priority=35,
                cancel_tax_fields=True,
            ),
            Channel(
                "kcp",
                "kcp.A52Q7",
                "kcp",
                frozenset({"trans", "vbank"}),
                frozenset({"A52Q7"}),
                priority=30,
                closes_vbanks=True,
                cancel_tax_fields=True,
            ),
            Channel(
                "danal",
                "danal.A010002002",
                "danal",
                frozenset({"phone"}),
                frozenset({"A010002002"}),
                priority=40,
            ),
        ]
    )
