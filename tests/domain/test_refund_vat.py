"""The VAT of partial refunds has no remainder: over any sequence of refunds that empties a
payment, the refunds sum to the payment on amount, tax_free and VAT (ADR 0013)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.money import Amount, vat_of
from domain.payment import Payment
from domain.refund_policy import ChannelRefundTerms, RefundPolicy, refund_vat
from tests.domain.test_refund_split import PAID_AT, paid

NICE = ChannelRefundTerms("nice", cancel_tax_fields=True)


@st.composite
def payments_and_refunds(draw: st.DrawFn) -> tuple[int, int, list[int], list[bool]]:
    """A payment (total, tax_free) and refund amounts that empty it, each gateway or manual."""
    total = draw(st.integers(1, 2_000_000))
    tax_free = draw(st.one_of(st.just(0), st.just(total), st.integers(0, total)))
    cuts = draw(st.sets(st.integers(1, max(total - 1, 1)), max_size=15)) if total > 1 else set()
    bounds = [0, *sorted(cuts), total]
    parts = [b - a for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    manual = draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
    return total, tax_free, parts, manual


def refund_all(payment: Payment, parts: list[int], manual: list[bool]) -> list[tuple[int, ...]]:
    """Each refund in turn as the service sends it: (amount, tax_free, vat_amount)."""
    policy, sent = RefundPolicy(), []
    for amount, by_bank in zip(parts, manual, strict=True):
        if by_bank:  # an operator's own bank transfer (ManualRefund)
            tax_free = policy.tax_free_part(payment, amount)
            vat = refund_vat(payment, amount, tax_free)
        else:
            plan = policy.plan(
                payment, amount, PAID_AT, by_operator=True, manually_refunded=0, terms=NICE
            )
            tax_free, vat = plan.tax_free, plan.vat_amount
        sent.append((amount, tax_free, vat))
        payment.record_refund(amount, tax_free, PAID_AT, "test")
    return sent


@settings(max_examples=400, deadline=None, derandomize=True)
@given(payments_and_refunds())
def test_refunds_sum_to_the_payment_on_amount_tax_free_and_vat(case) -> None:
    total, tax_free, parts, manual = case
    sent = refund_all(paid(total, tax_free), parts, manual)
    assert sum(s[0] for s in sent) == total
    assert sum(s[1] for s in sent) == tax_free
    assert sum(s[2] for s in sent) == Amount(total, tax_free).vat
    for amount, part_tax_free, vat in sent:  # and each refund's VAT is its own, within a won
        assert abs(vat - vat_of(amount - part_tax_free)) <= 1


def test_the_issues_example_sums_to_the_payments_vat() -> None:
    sent = refund_all(paid(10_000, 0), [3_000, 3_000, 4_000], [False] * 3)
    assert [s[2] for s in sent] == [273, 272, 364]
    assert sum(s[2] for s in sent) == 909 == Amount(10_000).vat
    ten = refund_all(paid(10_000, 0), [1_000] * 10, [False] * 10)
    assert sum(s[2] for s in ten) == 909
