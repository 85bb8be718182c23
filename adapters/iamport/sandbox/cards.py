"""Test cards: what each number does at key issue and at charge time, and card-number masking.

The sandbox never stores, logs or echoes a full card number, birth date or password digits:
only `mask(number)` leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

INVALID_CARD_AT_ISSUE = "유효하지않은 카드번호를 입력하셨습니다."
INVALID_CARD_AT_ONETIME = "카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림"
EXPIRED_CARD = "카드 유효기간이 만료되었거나 올바르지 않습니다."


class Outcome(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"  # the key is issued; every charge is declined
    INVALID = "invalid"  # rejected when the key is issued (and on key-in payments)


@dataclass(frozen=True, slots=True)
class SandboxCard:
    number: str  # dddd-dddd-dddd-dddd
    card_name: str
    card_code: str  # 금융결제원 card code
    card_type: int  # 0 credit, 1 check
    outcome: Outcome
    decline_reason: str | None = None

    @property
    def label(self) -> str:
        if self.outcome is Outcome.APPROVE:
            return f"{self.card_name} {self.number} (승인)"
        if self.outcome is Outcome.DECLINE:
            return f"{self.card_name} {self.number} (거절: {self.decline_reason})"
        return f"{self.number} (유효하지 않은 카드)"


TEST_CARDS: tuple[SandboxCard, ...] = (
    SandboxCard("4111-1111-1111-1111", "신한카드", "366", 0, Outcome.APPROVE),
    SandboxCard("5555-5555-5555-4444", "BC카드", "361", 0, Outcome.APPROVE),
    SandboxCard("3530-1113-3330-0000", "KB국민카드", "381", 1, Outcome.APPROVE),
    SandboxCard("4000-0000-0000-0002", "현대카드", "367", 0, Outcome.DECLINE, "잔액부족"),
    SandboxCard("4000-0000-0000-0069", "삼성카드", "365", 0, Outcome.DECLINE, "한도초과"),
    SandboxCard(
        "4000-0000-0000-0119", "롯데카드", "368", 0, Outcome.DECLINE, "분실카드 (거래정지카드)"
    ),
    SandboxCard("4000-0000-0000-0127", "", "", 0, Outcome.INVALID),
)

_BY_DIGITS = {re.sub(r"\D", "", c.number): c for c in TEST_CARDS}


def digits(card_number: str) -> str:
    return re.sub(r"\D", "", card_number or "")


def lookup(card_number: str) -> SandboxCard | None:
    """The test card for a number (any separators); None = unknown number, treated as invalid."""
    return _BY_DIGITS.get(digits(card_number))


def mask(card_number: str) -> str:
    """`4111-11**-****-1111`: first 6 and last 4 digits, as iamport shows billing-key cards."""
    d = digits(card_number)
    if len(d) < 10:
        return "*" * len(d)
    shown = d[:6] + "*" * (len(d) - 10) + d[-4:]
    return "-".join(shown[i : i + 4] for i in range(0, len(shown), 4))
