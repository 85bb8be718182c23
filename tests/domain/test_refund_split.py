"""The tax-free split of partial refunds (spec §4.5, ADR 0008): feasible at every step, no
remainder at the end."""

from datetime import UTC, datetime

import pytest

from domain.money import Amount
from domain.payment import Payment, SettledFacts
from domain.refund_policy import ChannelRefundTerms, RefundPolicy
from domain.status import OrderType

NICE = ChannelRefundTerms("nice", cancel_tax_fields=True)

PAID_AT = datetime(2026, 3, 2, 1, tzinfo=UTC)


def paid(total: int, tax_free: int) -> Payment:
    payment = Payment(
        id=1,
        order_id=1,
        user_seq=7,
        type=OrderType.ONE_TIME,
        merchant_uid="o1a1",
        amount=Amount(total, tax_free),
        channel="nice",
        name="후원",
        requested_at=PAID_AT,
        pay_method="card",
    )
    payment.approve(SettledFacts(imp_uid="imp_1", pg_provider="nice"), PAID_AT, "test")
    return payment


def split(total: int, tax_free: int, parts: list[int]) -> list[int]:
    """Refund `parts` in turn, checking each plan against what is left; the tax-free parts."""
    payment, sent = paid(total, tax_free), []
    for amount in parts:
        left, left_tax_free = payment.refundable, payment.refundable_tax_free
        plan = RefundPolicy().plan(
            payment, amount, PAID_AT, by_operator=True, manually_refunded=0, terms=NICE
        )
        assert 0 <= plan.tax_free <= plan.amount == amount
        assert plan.tax_free <= left_tax_free
        assert plan.amount - plan.tax_free <= left - left_tax_free
        payment.record_refund(plan.amount, plan.tax_free, PAID_AT, "test")
        sent.append(plan.tax_free)
    assert sum(sent) == tax_free
    return sent


PAYMENTS = [
    (10_000, 9_999),
    (10_000, 1),
    (10_000, 3_000),
    (10_000, 0),
    (10_000, 10_000),
    (7, 5),
    (1_001, 1_000),
    (99_999, 33_333),
]


def splits(total: int) -> list[list[int]]:
    """Several ways to refund `total` in full: even, uneven, 1 KRW first or last, many small."""
    out = [[total]]
    for n in (2, 3, 7):
        if total >= n:
            out.append([total // n] * (n - 1) + [total - total // n * (n - 1)])
    if total >= 2:
        out += [[1, total - 1], [total - 1, 1]]
    if total >= 10:
        tenth = total * 3 // 10
        out += [[tenth, tenth, total - 2 * tenth], [total - 2 * tenth, tenth, tenth]]
    out.append([1] * min(total, 12) + ([total - 12] if total > 12 else []))
    return out


@pytest.mark.parametrize(("total", "tax_free"), PAYMENTS)
def test_every_split_stays_feasible_and_sums_exactly(total, tax_free):
    for parts in splits(total):
        split(total, tax_free, parts)


def test_a_nearly_tax_free_payment_keeps_its_taxable_won_for_the_last_refund():
    assert split(10_000, 9_999, [3_000, 3_000, 4_000]) == [2_999, 3_000, 4_000]


def test_proportional_split_is_unchanged_where_it_is_feasible():
    assert split(10_000, 3_000, [3_333, 3_333, 3_334]) == [999, 999, 1_002]
