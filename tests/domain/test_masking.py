"""domain/masking.py's scrub for log lines: issued card numbers masked, our ids readable."""

import pytest

from domain.masking import luhn_valid, scrub_issued_card_numbers


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("card=4111111111111111&x=1", "card=************1111&x=1"),
        ("4111-1111-1111-1111", "****-****-****-1111"),
        ("4111 1111 1111 1111", "**** **** **** 1111"),
        ("imp_5555555555554444", "imp_************4444"),
        ("amex 3782 822463 10005.", "amex **** ****** *0005."),
        ("order 377097481012813 paid", "order 377097481012813 paid"),  # fails Luhn: ours
        ("dp377097483612703a1", "dp377097483612703a1"),
        ("4111111111111111 4111111111111111 1", "************1111 ************1111 1"),
        ("phone 010-1234-5678", "phone 010-1234-5678"),  # 11 digits
    ],
)
def test_scrub_issued_card_numbers(text: str, scrubbed: str) -> None:
    assert scrub_issued_card_numbers(text) == scrubbed


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112")
