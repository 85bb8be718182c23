"""Order (`payment_order`): what the sponsor wants to pay."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain import state_machine as sm
from domain.history import HistoryEntry, Transitions
from domain.identifiers import merchant_uid_for
from domain.money import Amount
from domain.payment import Payment
from domain.status import (
    OrderAction,
    OrderEvent,
    OrderStatus,
    OrderType,
    PaymentStatus,
    PayMethod,
)
from domain.subscription import DunningPolicy, Subscription


@dataclass(frozen=True, slots=True)
class Buyer:
    name: str | None = None
    tel: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)


@dataclass(eq=False)
class Order(Transitions):
    id: int
    user_seq: int
    type: OrderType
    content_type_code: int
    content_seq: int
    name: str
    amount: Amount
    created_at: datetime
    pay_method: PayMethod | None = None
    buyer: Buyer = field(default_factory=Buyer)
    status: OrderStatus = OrderStatus.ORDERED
    payment_card_id: int | None = None
    attempts: int = 0  # payment attempts started (one-time and one-click orders)
    subscription: Subscription | None = None
    updated_at: datetime | None = None
    version: int = 0
    pending_history: list[HistoryEntry] = field(default_factory=list, repr=False)

    @classmethod
    def place(
        cls,
        order_id: int,
        at: datetime,
        *,
        user_seq: int,
        type: OrderType,
        content_type_code: int,
        content_seq: int,
        name: str,
        amount: Amount,
        pay_method: PayMethod,
        buyer: Buyer,
        card_id: int | None = None,
        subscription: Subscription | None = None,
    ) -> "Order":
        """A new order (ORDERED), to be paid by `pay_method`: in the PG window, or with the
        registered card `card_id` (a monthly sponsorship's, with its `subscription`)."""
        return cls(
            id=order_id,
            user_seq=user_seq,
            type=type,
            content_type_code=content_type_code,
            content_seq=content_seq,
            name=name,
            amount=amount,
            created_at=at,
            pay_method=pay_method,
            buyer=buyer,
            payment_card_id=card_id,
            subscription=subscription,
        )

    # -- attempts ----------------------------------------------------------------------------
    def start_attempt(self, at: datetime, pay_method: PayMethod | None = None) -> int:
        """A new payment attempt for this order; only while it is still unpaid. A one-time
        order's attempt may use another method (`pay_method`): the order then records the method
        of its latest attempt."""
        monthly = self.type is OrderType.MONTHLY
        sm.require_order_action(self.status, OrderAction.START_ATTEMPT, not monthly)
        if pay_method is not None and pay_method != self.pay_method:
            one_time = self.type is OrderType.ONE_TIME
            sm.require_order_action(self.status, OrderAction.CHANGE_PAY_METHOD, one_time)
            self.pay_method = pay_method
        self.attempts += 1
        self.updated_at = at
        return self.attempts

    def attempt_payment(
        self,
        payment_id: int,
        *,
        attempt: int,
        at: datetime,
        channel: str,
        route_reason: str | None = None,
        cycle: int | None = None,
        card_id: int | None = None,
        pay_method: PayMethod | None = None,
    ) -> Payment:
        """The REQUESTED payment of one attempt of this order, under a merchant_uid naming the
        order, the cycle and the attempt; it pays the order's amount by its method."""
        return Payment(
            id=payment_id,
            order_id=self.id,
            user_seq=self.user_seq,
            type=self.type,
            merchant_uid=merchant_uid_for(self.id, attempt, cycle),
            amount=self.amount,
            channel=channel,
            route_reason=route_reason,
            name=self.name,
            requested_at=at,
            pay_method=str(pay_method or self.pay_method),
            attempt=attempt,
            cycle=cycle,
            payment_card_id=card_id,
        )

    # -- transitions -------------------------------------------------------------------------
    def paid(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        event = OrderEvent.PAID
        if self.type is OrderType.MONTHLY:
            event = OrderEvent.FIRST_CYCLE_PAID
        self._move(sm.ORDER, event, at, cause, data)
        self.updated_at = at

    def give_up(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        self._move(sm.ORDER, OrderEvent.GIVEN_UP, at, cause, data)
        self.updated_at = at

    def refunded(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        self._move(sm.ORDER, OrderEvent.REFUNDED, at, cause, data)
        self.updated_at = at

    def cycle_declined(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        self._move(sm.ORDER, OrderEvent.CYCLE_DECLINED, at, cause, data)
        self.updated_at = at

    def cycle_recovered(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        self._move(sm.ORDER, OrderEvent.CYCLE_RECOVERED, at, cause, data)
        self.updated_at = at

    def cancel_routine(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        self._move(sm.ORDER, OrderEvent.ROUTINE_CANCELLED, at, cause, data)
        self.updated_at = at

    def end_routine(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        self._move(sm.ORDER, OrderEvent.DUNNING_EXHAUSTED, at, cause, data)
        self.updated_at = at

    def give_up_if_unpaid(
        self, payments: Sequence[Payment], at: datetime, cause: str, data: dict[str, Any]
    ) -> bool:
        """A new order none of whose attempts holds the sponsor's money (each known unpaid: the
        window left long ago, the vbank expired) is given up. Whether it moved."""
        if self.status is not OrderStatus.ORDERED or not all(p.known_unpaid for p in payments):
            return False
        self.give_up(at, cause, data)
        return True

    # -- queries -----------------------------------------------------------------------------
    @property
    def is_unpaid(self) -> bool:
        return self.status in (OrderStatus.ORDERED, OrderStatus.FAILED)

    @property
    def is_active_routine(self) -> bool:
        return self.status in (OrderStatus.ROUTINE, OrderStatus.ROUTINE_PAST_DUE)

    # -- monthly sponsorship -----------------------------------------------------------------
    def _routine(self, action: OrderAction = OrderAction.CHANGE_SUBSCRIPTION) -> Subscription:
        sm.require_order_action(self.status, action, self.subscription is not None)
        return self._sub()

    def _sub(self) -> Subscription:
        assert self.subscription is not None  # a monthly order's, checked by the caller
        return self.subscription

    def begin_cycle_attempt(self, at: datetime) -> tuple[int, int]:
        """(cycle, attempt) of a new charge; the caller has proven the previous one unpaid."""
        sub = self._routine(OrderAction.CHARGE_CYCLE)
        # a new sponsorship (ORDERED) charges its first cycle only
        may_charge = self.status is not OrderStatus.ORDERED or (
            sub.cycle == 1 and not sub.cycle_paid
        )
        sm.require_order_action(self.status, OrderAction.CHARGE_CYCLE, may_charge)
        cycle, attempt = sub.begin_attempt(at)
        if attempt == 1 and sub.next_amount is not None:
            self.amount, sub.next_amount = sub.next_amount, None
        self.updated_at = at
        return cycle, attempt

    def change_subscription(
        self,
        at: datetime,
        *,
        amount: Amount | None = None,
        card_id: int | None = None,
        billing_day: int | None = None,
    ) -> None:
        sub = self._routine()
        if amount is not None:
            sub.next_amount = amount  # from the next cycle on
        if card_id is not None:
            sub.card_id = card_id
            self.payment_card_id = card_id
        if billing_day is not None:
            sub.change_billing_day(billing_day, at)
        self.updated_at = at

    # -- what an attempt's result means for the order ---------------------------------------
    def is_current_attempt(self, payment: Payment) -> bool:
        """`payment` is the monthly attempt the sponsorship is on now (not an older one)."""
        sub = self.subscription
        return (
            self.type is OrderType.MONTHLY
            and sub is not None
            and payment.cycle == sub.cycle
            and payment.attempt == sub.attempt
        )

    def paid_by_another(self, payment: Payment) -> bool:
        """What `payment` is meant to pay is already paid by another attempt — a one-time order
        already PAID, or a monthly cycle another attempt paid (e.g. one proven not attempted
        that turns up paid after all) —, so `payment` turning up paid is a double charge."""
        if self.type is not OrderType.MONTHLY:
            return self.status is OrderStatus.PAID
        sub = self.subscription
        if sub is None or payment.cycle is None:
            return False
        if payment.cycle < sub.cycle:
            return True  # a cycle only follows a paid one
        return payment.cycle == sub.cycle and sub.cycle_paid and payment.attempt != sub.attempt

    def attempt_paid(
        self,
        payment: Payment,
        paid_at: datetime,
        cause: str,
        data: dict[str, Any],
        *,
        duplicate: bool,
    ) -> str | None:
        """`payment` was just paid. `duplicate`: another attempt had already paid (it is
        refunded; the order stays paid by the other). Returns a note for operators when the
        order could not take the payment (e.g. paid after its sponsorship ended)."""
        monthly = self.type is OrderType.MONTHLY
        note = None
        if self.status is OrderStatus.ORDERED or (
            self.status is OrderStatus.FAILED and not monthly
        ):
            self.paid(paid_at, cause, data)
        elif self.status is OrderStatus.ROUTINE_PAST_DUE and self.is_current_attempt(payment):
            self.cycle_recovered(paid_at, cause, data)
        elif not duplicate and self.status is not OrderStatus.ROUTINE:
            note = f"payment {payment.merchant_uid} paid while its order is {self.status.name}"
        if monthly and self.is_active_routine and self.is_current_attempt(payment):
            self._sub().paid(paid_at)
        return note

    def attempt_unpaid(
        self,
        payment: Payment,
        at: datetime,
        cause: str,
        data: dict[str, Any],
        dunning: DunningPolicy,
    ) -> None:
        """`payment` is known to have charged nothing because of the card (or the sponsor): a new
        sponsorship's first charge gives up; an active one goes into dunning, and ends when
        dunning is exhausted. One-time and one-click orders stay as they are: the sponsor may
        retry."""
        if not self.is_current_attempt(payment):
            return
        sub = self._sub()
        if self.status is OrderStatus.ORDERED:
            self.give_up(at, cause, data)
            return
        if not self.is_active_routine:
            return  # cancelled meanwhile: recorded truthfully, nothing more to charge
        if self.status is OrderStatus.ROUTINE:
            self.cycle_declined(at, cause, data)
        retry = dunning.retry_at(payment.attempt, at)
        if retry is None:
            self.end_routine(at, cause, data)
        sub.retry_at(retry)

    def attempt_failed_by_pg(
        self, payment: Payment, at: datetime, cause: str, data: dict[str, Any], retry: timedelta
    ) -> None:
        """`payment` charged nothing and the PG, not the card, is why: an active cycle is due
        again after `retry`, outside dunning (zero: the next channel is tried now). A new
        sponsorship's first charge with no channel left to try gives up, as a decline does."""
        if not self.is_current_attempt(payment):
            return
        sub = self._sub()
        if self.is_active_routine:
            sub.retry_at(at + retry)
        elif self.status is OrderStatus.ORDERED and retry:
            self.give_up(at, cause, data)

    def attempt_never_sent(
        self,
        payment: Payment,
        at: datetime,
        cause: str,
        data: dict[str, Any],
        dunning: DunningPolicy,
    ) -> None:
        """iamport holds no try of `payment` at all: nothing is known of the card, so an active
        cycle moves on to its next attempt at once, outside dunning."""
        if self.is_current_attempt(payment) and self.is_active_routine:
            self._sub().retry_at(at)
        else:
            self.attempt_unpaid(payment, at, cause, data, dunning)

    def attempt_refunded(
        self,
        payment: Payment,
        at: datetime,
        cause: str,
        data: dict[str, Any],
        *,
        duplicate: bool,
    ) -> None:
        """A refund of `payment` was booked. Refunded in full, it refunds the one-time or
        one-click order it paid, unless it was a `duplicate` (a double charge: the other attempt
        pays the order). A refunded cycle leaves its sponsorship as it is."""
        refunded_in_full = payment.status is PaymentStatus.CANCELLED
        if refunded_in_full and self.status is OrderStatus.PAID and not duplicate:
            self.refunded(at, cause, data)

    def attempt_awaits_lookup(self, payment: Payment, check_at: datetime) -> None:
        """A rejected cycle charge: the cycle comes back at `check_at`, when the charge use
        case looks the attempt up before it tries again."""
        if self.is_current_attempt(payment) and self.is_active_routine:
            self._sub().retry_at(check_at)
