"""Server-side verification (spec §4.1): does iamport's record of a try match what we asked for?

A record is refused by the first rule it breaks: currency and amount (a forgery: the paid try
is cancelled at iamport), then the PG channel (one of ours), test channels in production and
the payment method. Settlement applies the verdict.
"""

from dataclasses import dataclass

from application.channels import ChannelDirectory
from application.gateway import GatewayPayment
from application.settings import PaymentSettings
from domain.payment import Payment, SettledFacts
from domain.refund_policy import METHOD_ALIASES

FORGERY_REASON = "위변조 의심: 금액 불일치"


@dataclass(frozen=True, slots=True)
class Refusal:
    rule: str  # amount, currency, channel, test_channel, pay_method
    message: str  # Korean, for the payment's history and the sponsor
    forged: bool  # the amount or currency was tampered with: cancel the paid try


class Verifier:
    def __init__(self, settings: PaymentSettings, channels: ChannelDirectory) -> None:
        self._settings = settings
        self._channels = channels

    def refusal(self, record: GatewayPayment, payment: Payment) -> Refusal | None:
        """The first rule `record` breaks as a try of `payment`, or None."""
        expected = payment.amount.total
        if (record.currency or "KRW").upper() != "KRW":
            return Refusal("currency", f"{FORGERY_REASON} (통화 {record.currency})", True)
        if record.amount != expected:
            message = f"{FORGERY_REASON} (expected {expected}, seen {record.amount})"
            return Refusal("amount", message, True)
        channel = self._channels.that_took(record.pg_provider, record.pg_id)
        if channel is None:
            message = f"검증 실패: 등록되지 않은 PG 채널 ({record.pg_provider}/{record.pg_id})"
            return Refusal("channel", message, False)
        if self._settings.production and (record.sandbox or channel.test):
            return Refusal("test_channel", "검증 실패: 운영 환경에서 테스트 채널 결제", False)
        if not _method_compatible(payment.pay_method, record.pay_method):
            message = f"검증 실패: 결제수단 불일치 ({payment.pay_method} ≠ {record.pay_method})"
            return Refusal("pay_method", message, False)
        return None

    def facts(self, record: GatewayPayment) -> SettledFacts:
        """What a verified record settles on the payment (the channel by name, if it is ours)."""
        channel = self._channels.that_took(record.pg_provider, record.pg_id)
        return SettledFacts(
            imp_uid=record.imp_uid,
            pg_provider=record.pg_provider,
            pg_tid=record.pg_tid,
            pay_method=record.pay_method,
            card_name=record.card_name,
            card_number=record.card_number,
            bank_name=record.bank_name or record.vbank_name,
            receipt_url=record.receipt_url,
            channel=channel.name if channel else None,
        )


def _method_compatible(expected: str | None, seen: str | None) -> bool:
    """kakaopay and the other easy-pay methods are reported as `point` etc. for card orders."""
    if expected is None or seen is None:
        return True
    return METHOD_ALIASES.get(seen, seen) == METHOD_ALIASES.get(expected, expected)
