"""Refund policy: one table keyed by method and PG, plus the business refund window.

Windows are counted in Asia/Seoul from `paid_at`. Every refusal names the rule it applied.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import RefundRefused
from domain.money import vat_of
from domain.payment import Payment
from domain.seoul import seoul_date


class Window(StrEnum):
    DAYS = "days"
    SAME_MONTH = "same_month"  # phone: only within the calendar month of payment
    UNLIMITED = "unlimited"


@dataclass(frozen=True, slots=True)
class RefundRule:
    window: Window
    days: int = 0
    partial_allowed: bool = True
    needs_refund_account: bool = False  # vbank: holder, bank code, number


ANY_PG = "*"

# (pay_method, pg_provider) -> rule; ANY_PG is the method's default.
DEFAULT_RULES: Mapping[tuple[str, str], RefundRule] = {
    ("card", ANY_PG): RefundRule(Window.DAYS, days=365),
    ("trans", ANY_PG): RefundRule(Window.DAYS, days=90),
    ("vbank", ANY_PG): RefundRule(Window.UNLIMITED, needs_refund_account=True),
    ("phone", ANY_PG): RefundRule(Window.SAME_MONTH, partial_allowed=False),
    ("phone", "html5_inicis"): RefundRule(Window.SAME_MONTH),
    ("phone", "inicis"): RefundRule(Window.SAME_MONTH),
    ("phone", "kcp"): RefundRule(Window.SAME_MONTH),
}

# Easy-pay methods settle like cards (kakaopay reports `point`).
METHOD_ALIASES: Mapping[str, str] = {
    "point": "card",
    "kakaopay": "card",
    "naverpay": "card",
    "payco": "card",
    "tosspay": "card",
    "samsung": "card",
    "ssgpay": "card",
}

# Card companies whose own window is shorter than the usual year (e.g. 롯데카드 180일).
DEFAULT_CARD_OVERRIDES: Mapping[str, int] = {"롯데카드": 180}

# vbank refund_bank codes: the 금융결제원 standard 3-digit codes iamport V1 takes. Each PG has its
# own list (docs/iamport.md §5); a channel may name its own in the channels file.
DEFAULT_VBANK_REFUND_BANKS: Mapping[str, str] = {
    "002": "산업은행",
    "003": "기업은행",
    "004": "국민은행",
    "007": "수협",
    "011": "농협",
    "020": "우리은행",
    "023": "SC제일은행",
    "027": "씨티은행",
    "031": "대구은행",
    "032": "부산은행",
    "034": "광주은행",
    "035": "제주은행",
    "037": "전북은행",
    "039": "경남은행",
    "045": "새마을금고",
    "048": "신협",
    "050": "저축은행",
    "064": "산림조합",
    "071": "우체국",
    "081": "하나은행",
    "088": "신한은행",
    "089": "케이뱅크",
    "090": "카카오뱅크",
    "092": "토스뱅크",
}


@dataclass(frozen=True, slots=True)
class ChannelRefundTerms:
    """What the channel that took a payment says about refunding it (the channels file)."""

    channel: str
    vbank_refund_contract: bool = True  # the merchant holds the PG's 가상계좌 환불 특약
    cancel_tax_fields: bool = False  # the PG needs tax_free / vat_amount on every cancel
    vbank_refund_banks: Collection[str] = frozenset(DEFAULT_VBANK_REFUND_BANKS)


def unconfigured_terms(channel: str) -> ChannelRefundTerms:
    """A channel no longer in the channels file: no vbank refund through a contract we cannot
    vouch for (an operator records a manual bank refund), and tax fields always sent."""
    return ChannelRefundTerms(channel, vbank_refund_contract=False, cancel_tax_fields=True)


@dataclass(frozen=True, slots=True)
class RefundPlan:
    amount: int
    tax_free: int
    vat_amount: int
    checksum: int  # iamport's refundable balance before this refund
    send_tax_free: bool  # the PG requires tax_free on every cancel


@dataclass(frozen=True)
class RefundPolicy:
    rules: Mapping[tuple[str, str], RefundRule] = field(default_factory=lambda: dict(DEFAULT_RULES))
    card_overrides: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_CARD_OVERRIDES))
    business_window_days: int = 7

    def rule_for(self, pay_method: str | None, pg_provider: str | None) -> RefundRule:
        method = METHOD_ALIASES.get(pay_method or "", pay_method or "card")
        rule = self.rules.get((method, pg_provider or ANY_PG)) or self.rules.get((method, ANY_PG))
        if rule is None:
            raise RefundRefused("unknown_method", f"no refund rule for pay_method {pay_method!r}")
        return rule

    def plan(
        self,
        payment: Payment,
        amount: int | None,
        now: datetime,
        *,
        by_operator: bool,
        manually_refunded: int,
        terms: ChannelRefundTerms,
        has_refund_account: bool = False,
        refund_bank: str | None = None,
    ) -> RefundPlan:
        """Check a gateway refund against every rule; the plan says what to send to iamport.

        `manually_refunded` is what operators refunded by their own bank transfer: iamport never
        saw it, so its balance (the `checksum`) still counts it. `terms` are those of the channel
        that took the payment (refund contract, tax fields, refund bank codes).
        """
        if not payment.is_paid or payment.paid_at is None:
            raise RefundRefused(
                "not_paid", f"payment is {payment.status.name}; only paid payments refund"
            )
        balance = payment.refundable
        amount = balance if amount is None else amount
        if amount <= 0:
            raise RefundRefused("amount", "refund amount must be positive")
        if amount > balance:
            raise RefundRefused(
                "amount", f"refund of {amount} exceeds the refundable {balance} KRW"
            )

        elapsed_days = (seoul_date(now) - seoul_date(payment.paid_at)).days
        if not by_operator and elapsed_days > self.business_window_days:
            raise RefundRefused(
                "business_window",
                f"sponsors may refund within {self.business_window_days} days of payment",
            )
        self._check_pg_window(payment, amount, now, elapsed_days, has_refund_account, terms)
        self._check_refund_bank(payment, refund_bank, terms.vbank_refund_banks)
        tax_free = self.tax_free_part(payment, amount)
        return RefundPlan(
            amount=amount,
            tax_free=tax_free,
            vat_amount=refund_vat(payment, amount, tax_free),
            checksum=balance + manually_refunded,
            send_tax_free=terms.cancel_tax_fields or tax_free > 0,
        )

    def _check_pg_window(
        self,
        payment: Payment,
        amount: int,
        now: datetime,
        elapsed_days: int,
        has_account: bool,
        terms: ChannelRefundTerms,
    ) -> None:
        method = payment.pay_method or "card"
        rule = self.rule_for(method, payment.pg_provider)
        if rule.window is Window.DAYS:
            days = rule.days
            if (
                METHOD_ALIASES.get(method, method) == "card"
                and payment.card_name in self.card_overrides
            ):
                days = self.card_overrides[payment.card_name]
            if elapsed_days > days:
                raise RefundRefused(
                    f"pg_window.{method}",
                    f"{method} payments cancel within {days} days at the PG; record a manual bank refund instead",
                )
        elif rule.window is Window.SAME_MONTH:
            paid, today = seoul_date(payment.paid_at), seoul_date(now)  # type: ignore[arg-type]
            if (paid.year, paid.month) != (today.year, today.month):
                raise RefundRefused(
                    "pg_window.phone",
                    "phone payments cancel only within the calendar month of payment (Asia/Seoul)",
                )
        if amount < payment.refundable and not rule.partial_allowed:
            raise RefundRefused(
                f"partial.{method}",
                f"{payment.pg_provider or 'this PG'} does not allow partial {method} refunds",
            )
        if rule.needs_refund_account and not terms.vbank_refund_contract:
            raise RefundRefused(
                "vbank_refund_contract",
                f"channel {terms.channel} has no vbank refund contract; refund by bank transfer",
            )
        if rule.needs_refund_account and not has_account:
            raise RefundRefused(
                "vbank_refund_account",
                "vbank refunds need refund_holder, refund_bank and refund_account",
            )

    def _check_refund_bank(
        self, payment: Payment, bank: str | None, banks: Collection[str]
    ) -> None:
        rule = self.rule_for(payment.pay_method or "card", payment.pg_provider)
        if rule.needs_refund_account and bank not in banks:
            raise RefundRefused(
                "vbank_refund_bank",
                f"refund_bank {bank!r} is not in {payment.pg_provider or 'the PG'}'s list of "
                "refund bank codes",
            )

    @staticmethod
    def tax_free_part(payment: Payment, amount: int) -> int:
        """Proportional tax-free share, floored; the last refund takes exactly what remains.

        The share is kept within what is left on either side: at most the tax-free part left,
        and at least what the taxable part left cannot cover — so no refund uses up a part that
        a later one needs.
        """
        left_tax_free = payment.refundable_tax_free
        if amount == payment.refundable:
            return left_tax_free
        share = amount * payment.amount.tax_free // payment.amount.total
        left_taxable = payment.refundable - left_tax_free
        return min(max(share, amount - left_taxable), amount, left_tax_free)


def refund_vat(payment: Payment, amount: int, tax_free: int) -> int:
    """The VAT of a refund: the VAT of all taxable won refunded once it is done, less the VAT of
    those refunded before. The refunds' VATs then sum to the payment's, with no remainder, and
    each is within a won of the VAT of its own taxable part."""
    before = payment.cancelled_amount - payment.cancelled_tax_free
    return vat_of(before + amount - tax_free) - vat_of(before)


def check_manual_refund(payment: Payment, amount: int) -> None:
    """An operator's own bank refund: any paid payment, within its balance."""
    if not payment.is_paid:
        raise RefundRefused(
            "not_paid", f"payment is {payment.status.name}; only paid payments refund"
        )
    if not 0 < amount <= payment.refundable:
        raise RefundRefused(
            "amount", f"refund of {amount} exceeds the refundable {payment.refundable} KRW"
        )
