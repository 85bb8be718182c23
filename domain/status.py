"""Status codes of spec §3. The seed's values are kept; the additions are fixed here."""

from enum import IntEnum, StrEnum


class OrderStatus(IntEnum):
    ORDERED = 1  # 주문완료
    PAID = 2  # 결제완료
    ROUTINE = 3  # 정기결제 진행중
    ROUTINE_PAST_DUE = 4  # 정기결제 미납(독촉 중)
    FAILED = -1  # 결제실패
    CANCELLED = -2  # 결제완료취소
    ROUTINE_CANCELLED = -3  # 정기결제취소
    ROUTINE_ENDED = -4  # 정기결제 종료(독촉 소진)


class PaymentStatus(IntEnum):
    REQUESTED = 0  # sent (or about to be) to iamport; outcome not known yet
    READY = 1  # vbank issued
    PAID = 2
    ROUTINE_PAID = 3
    FAILED = -1
    CANCELLED = -2
    EXPIRED = -4


class CancellationStatus(IntEnum):
    REQUESTED = 0  # recorded, about to be sent
    SUCCEEDED = 1
    UNKNOWN = 2  # sent, no usable answer: the janitor asks iamport
    REJECTED = -1  # iamport refused it; nothing was refunded


class CardStatus(IntEnum):
    ISSUING = 0  # key issuance started (PG window) or its outcome is unknown
    ACTIVE = 1
    DELETED = -1
    FAILED = -2


class CashReceiptStatus(IntEnum):
    ISSUING = 0  # recorded, sent (or about to be); outcome unknown until iamport answers
    ISSUED = 1
    CANCELLING = 2  # its cancel was sent; outcome unknown until iamport answers
    FAILED = -1  # iamport refused it, or proved it was never issued
    CANCELLED = -2


class OrderType(IntEnum):
    """`type_code` of payment_order / payment."""

    ONE_TIME = 1  # PG window
    ONE_CLICK = 2  # registered card, charged once
    MONTHLY = 3  # 정기후원


class PayMethod(StrEnum):
    CARD = "card"
    TRANS = "trans"
    VBANK = "vbank"
    PHONE = "phone"


class OrderEvent(StrEnum):
    PAID = "paid"  # a payment of the order was paid (also on iamport's later proof)
    FIRST_CYCLE_PAID = "first_cycle_paid"
    GIVEN_UP = "given_up"  # abandoned, expired, or first monthly charge declined
    REFUNDED = "refunded"  # its payment fully refunded
    CYCLE_DECLINED = "cycle_declined"
    CYCLE_RECOVERED = "cycle_recovered"  # a dunning retry paid
    ROUTINE_CANCELLED = "routine_cancelled"
    DUNNING_EXHAUSTED = "dunning_exhausted"


class OrderAction(StrEnum):
    """What may be done to an order without moving its status (ORDER_ACTIONS says when)."""

    START_ATTEMPT = "start_attempt"  # a new payment attempt (one-time, one-click)
    CHANGE_PAY_METHOD = "change_pay_method"  # a one-time order's retry by another method
    CHARGE_CYCLE = "charge_cycle"  # a new charge of a monthly cycle
    CHANGE_SUBSCRIPTION = "subscription_change"  # amount, card or billing day


class PaymentEvent(StrEnum):
    APPROVED = "approved"
    ROUTINE_APPROVED = "routine_approved"
    VBANK_ISSUED = "vbank_issued"
    FAILED = "failed"  # declined, rejected, abandoned, failed verification
    DEPOSITED = "deposited"
    DUE_PASSED = "due_passed"
    VBANK_CLOSED = "vbank_closed"
    REFUNDED = "refunded"  # fully


class PaymentFact(StrEnum):
    """What is known to have happened to an attempt (domain/facts.py); PAYMENT_FACTS says
    which move each means in which status."""

    PAID = "paid"
    FAILED = "failed"  # iamport's failed record, or the card's decline
    ABANDONED = "abandoned"
    VBANK_ISSUED = "vbank_issued"
    VBANK_CLOSED = "vbank_closed"
    REFUSED_BY_RULE = "refused_by_rule"
    REJECTED = "rejected"  # refused before approval: not known unpaid
    PROVEN_UNPAID = "proven_unpaid"
    FAILED_BY_PG = "failed_by_pg"
    NEVER_SENT = "never_sent"
    ANSWER_LOST = "answer_lost"
    OTHER_TRY = "other_try"


class CancellationEvent(StrEnum):
    SUCCEEDED = "succeeded"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


class CashReceiptEvent(StrEnum):
    ISSUED = "issued"
    ISSUE_FAILED = "issue_failed"
    CANCEL_REQUESTED = "cancel_requested"
    CANCELLED = "cancelled"
    CANCEL_REJECTED = "cancel_rejected"  # iamport refused the cancel, or shows it still issued


class CardEvent(StrEnum):
    ISSUED = "issued"
    ISSUE_FAILED = "issue_failed"
    DELETED = "deleted"
