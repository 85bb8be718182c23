"""CashReceipt rules: which payments can have one, and the identifier never echoed."""

from datetime import UTC, datetime

import pytest

from domain.cash_receipt import ReceiptIdentifier, ReceiptKind, receipt_refusal
from domain.money import Amount
from domain.payment import Payment, SettledFacts
from domain.status import OrderType

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)


def payment(method: str, paid: bool = True) -> Payment:
    p = Payment(1, 1, 7, OrderType.ONE_TIME, "o1a1", Amount(10_000), "nice", "후원", NOW)
    p.pay_method = method
    if paid:
        p.approve(SettledFacts("imp_1"), NOW, "test")
    return p


@pytest.mark.parametrize(
    ("method", "paid", "receivable"),
    [("trans", True, True), ("vbank", True, True), ("card", True, False), ("trans", False, False)],
)
def test_receipts_are_for_paid_transfers_and_virtual_accounts(method, paid, receivable):
    assert (receipt_refusal(payment(method, paid)) is None) is receivable


@pytest.mark.parametrize("echo", ["01012345678", "010-1234-5678", "010 1234 5678", "010.1234.5678"])
def test_an_echo_of_the_phone_number_is_masked_whatever_its_separators(echo):
    phone = ReceiptIdentifier.parse(ReceiptKind.PERSONAL, "010-1234-5678")
    assert phone.scrub(f"[PG] {echo} 발급 불가") == "[PG] *******5678 발급 불가"
