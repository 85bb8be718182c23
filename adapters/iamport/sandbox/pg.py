"""The simulated PG behind each channel: card approvals and declines, billing keys, cancels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from . import cards
from .cards import Outcome, SandboxCard
from .config import ChannelSpec
from .store import Cancellation, Customer, Payment, Store

SEOUL = ZoneInfo("Asia/Seoul")


def outage_message(channel: ChannelSpec) -> str:
    return f"[{channel.pg_provider}] PG사 통신 장애로 요청을 처리하지 못했습니다. 잠시 후 다시 시도해주세요."


@dataclass(frozen=True, slots=True)
class CardOnFile:
    """What a charge needs to know about a card: from a test card or a stored billing key."""

    card_name: str
    card_code: str
    card_number: str  # masked
    card_type: int
    declines_with: str | None

    @classmethod
    def of_test_card(cls, card: SandboxCard, number: str) -> CardOnFile:
        return cls(
            card.card_name, card.card_code, cards.mask(number), card.card_type, card.decline_reason
        )

    @classmethod
    def of_customer(cls, customer: Customer) -> CardOnFile:
        return cls(
            customer.card_name,
            customer.card_code,
            customer.card_number,
            customer.card_type,
            customer.declines_with,
        )


def charge(store: Store, payment: Payment, card: CardOnFile) -> None:
    """Approve or decline `payment` with `card` (ready → paid | failed)."""
    now = store.touch(payment)
    payment.pay_method = "card"
    payment.card_name = card.card_name
    payment.card_code = card.card_code
    payment.card_number = card.card_number
    payment.card_type = card.card_type
    payment.pg_tid = store.pg_tid()
    if card.declines_with:
        fail(store, payment, card.declines_with)
        return
    payment.apply_num = store.ids.digits(8)
    mark_paid(store, payment, now)


def mark_paid(store: Store, payment: Payment, now: int | None = None) -> None:
    payment.status = "paid"
    payment.paid_at = now if now is not None else store.touch(payment)
    payment.pg_tid = payment.pg_tid or store.pg_tid()


def fail(store: Store, payment: Payment, reason: str) -> None:
    payment.status = "failed"
    payment.failed_at = store.touch(payment)
    payment.fail_reason = reason


def issue_key(
    store: Store,
    customer_uid: str,
    channel: ChannelSpec,
    card: SandboxCard,
    number: str,
    details: dict[str, str | None],
) -> Customer:
    """Store a billing key; re-using a customer_uid replaces the previous card's key."""
    now = store.clock.timestamp()
    previous = store.customers.get(customer_uid)
    customer = Customer(
        customer_uid=customer_uid,
        channel=channel,
        card_number=cards.mask(number),
        card_name=card.card_name,
        card_code=card.card_code,
        card_type=card.card_type,
        declines_with=card.decline_reason,
        inserted=previous.inserted if previous else now,
        updated=now,
        **details,
    )
    store.customers[customer_uid] = customer
    return customer


def check_card(number: str, expiry: str | None, store: Store) -> SandboxCard | str:
    """The test card, or why it is refused (invalid number / expired)."""
    card = cards.lookup(number)
    if card is None or card.outcome is Outcome.INVALID:
        return cards.INVALID_CARD_AT_ISSUE
    if expiry is not None and not _expiry_ok(expiry, store.now()):
        return cards.EXPIRED_CARD
    return card


def _expiry_ok(expiry: str, now: datetime) -> bool:
    digits = "".join(ch for ch in expiry if ch.isdigit())
    if len(digits) == 6:  # YYYYMM
        year, month = int(digits[:4]), int(digits[4:])
    elif len(digits) == 4:  # MMYY
        year, month = 2000 + int(digits[2:]), int(digits[:2])
    else:
        return False
    if not 1 <= month <= 12:
        return False
    seoul = now.astimezone(SEOUL)
    return (year, month) >= (seoul.year, seoul.month)


@dataclass(frozen=True, slots=True)
class CancelRequest:
    amount: int | None
    tax_free: int | None
    vat_amount: int | None
    checksum: int | None
    reason: str | None
    refund_holder: str | None
    refund_bank: str | None
    refund_account: str | None


def cancel(store: Store, payment: Payment, req: CancelRequest) -> Cancellation | str:
    """Cancel all or part of a paid payment; a string is the refusal message (code 1)."""
    if payment.status == "cancelled":
        return "이미 전액취소된 주문입니다."
    if payment.status != "paid":
        return "결제완료 상태가 아닌 결제건은 취소할 수 없습니다."
    if store.is_down(payment.channel):
        return outage_message(payment.channel)
    balance = payment.cancellable
    if req.checksum is not None and req.checksum != balance:
        return f"요청하신 checksum({req.checksum})이 취소 가능 잔액({balance})과 일치하지 않습니다."
    amount = req.amount or balance  # omitted or 0: the whole remaining balance
    if amount < 0 or amount > balance:
        return f"취소 요청금액({amount})이 취소 가능 잔액({balance})을 초과합니다."
    tax_free = req.tax_free or 0
    if tax_free < 0 or tax_free > amount or tax_free > payment.tax_free_cancellable:
        return f"면세 취소금액(tax_free={tax_free})이 취소 가능한 면세금액을 초과합니다."
    if req.vat_amount is not None and not 0 <= req.vat_amount <= amount - tax_free:
        return f"부가세(vat_amount={req.vat_amount})가 과세 취소금액을 초과합니다."
    if payment.pay_method == "vbank" and not (
        req.refund_holder and req.refund_bank and req.refund_account
    ):
        return "가상계좌 결제건의 환불에는 환불계좌정보(refund_holder, refund_bank, refund_account)가 필요합니다."
    if payment.pay_method == "phone":
        if amount != balance and not payment.channel.phone_partial_cancel:
            return "휴대폰 결제는 부분취소가 불가능합니다."
        if _month(payment.paid_at) != _month(store.clock.timestamp()):
            return "휴대폰 결제는 결제한 당월에만 취소가 가능합니다."
    now = store.touch(payment)
    cancellation = Cancellation(
        cancellation_id=store.ids.alnum(20),
        pg_tid=store.pg_tid(),
        amount=amount,
        tax_free=tax_free,
        cancelled_at=now,
        reason=req.reason or "",
        receipt_url=f"{payment.receipt_url}?cancel={len(payment.cancellations) + 1}",
    )
    payment.cancellations.append(cancellation)
    if payment.cancellable == 0:  # a partial cancel keeps status "paid"
        payment.status = "cancelled"
        payment.cancelled_at = now
        payment.cancel_reason = cancellation.reason or None
    return cancellation


def _month(timestamp: int) -> tuple[int, int]:
    seoul = datetime.fromtimestamp(timestamp, UTC).astimezone(SEOUL)
    return seoul.year, seoul.month
