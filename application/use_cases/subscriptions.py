"""Monthly sponsorship (정기후원, spec §4.4): start, list, change, cancel.

The scheduler's charges live in charge_cycle.py. Starting one charges the first cycle at once
(a decline → order FAILED; paid → ROUTINE with the next cycle on the billing day).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from application.errors import NotFoundError
from application.ports import Clock, OrderFilter, Page, UnitOfWork, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.use_cases.actor import Actor, require_owner
from application.use_cases.one_click import (
    CardChargeResult,
    CardOrder,
    NewCardCharge,
    active_card_of,
)
from domain.money import Amount
from domain.order import Buyer, Order
from domain.payment import Payment
from domain.status import OrderStatus, OrderType
from domain.subscription import Subscription


@dataclass(frozen=True, slots=True)
class StartSubscriptionCommand:
    user_seq: int
    card_id: int
    amount: int
    billing_day: int  # 1–31; 29–31 fall back to the month's last day
    name: str
    content_type_code: int
    content_seq: int
    tax_free: int = 0
    buyer: Buyer = Buyer()


# order: ROUTINE, FAILED (first charge declined) or ORDERED (outcome unknown);
# payment: the first cycle's charge.
StartSubscriptionResult = CardChargeResult


class StartSubscription:
    def __init__(self, settings: PaymentSettings, new_charge: NewCardCharge) -> None:
        self._settings = settings
        self._new_charge = new_charge

    async def execute(self, command: StartSubscriptionCommand) -> StartSubscriptionResult:
        amount = Amount(command.amount, command.tax_free)
        subscription = Subscription(
            billing_day=command.billing_day,
            card_id=command.card_id,
            charge_hour=self._settings.charge_hour,
        )
        return await self._new_charge.charge(
            CardOrder(
                user_seq=command.user_seq,
                card_id=command.card_id,
                type=OrderType.MONTHLY,
                amount=amount,
                name=command.name,
                content_type_code=command.content_type_code,
                content_seq=command.content_seq,
                buyer=command.buyer,
                subscription=subscription,
            ),
            # Locked: a concurrent DeleteCard counts this order once it is committed.
            lock_card=True,
        )


# -- list -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ListSubscriptionsCommand:
    user_seq: int
    active_only: bool = False  # only ROUTINE / ROUTINE_PAST_DUE
    page: Page = Page()


@dataclass(frozen=True, slots=True)
class ListSubscriptionsResult:
    orders: tuple[Order, ...]  # order.subscription holds billing day, card, next charge
    latest_payments: Mapping[int, Payment] = field(default_factory=dict)  # by order id


class ListSubscriptions:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, command: ListSubscriptionsCommand) -> ListSubscriptionsResult:
        status = (
            (OrderStatus.ROUTINE, OrderStatus.ROUTINE_PAST_DUE) if command.active_only else None
        )
        flt = OrderFilter(user_seq=command.user_seq, type=OrderType.MONTHLY, status=status)
        async with self._uow() as uow:
            orders = await uow.orders.search(flt, command.page)
            latest = await uow.payments.latest_for_orders([o.id for o in orders])
        return ListSubscriptionsResult(tuple(orders), latest)


# -- change / cancel -------------------------------------------------------------------------------
async def _locked_subscription(uow: UnitOfWork, actor: Actor, order_id: int) -> Order:
    order = await uow.orders.get(order_id, for_update=True)
    if order is None or order.type is not OrderType.MONTHLY:
        raise NotFoundError("subscription not found")
    require_owner(actor, order.user_seq, "subscription")
    return order


@dataclass(frozen=True, slots=True)
class ChangeSubscriptionCommand:
    actor: Actor
    order_id: int
    card_id: int | None = None  # one of the sponsor's ACTIVE cards
    amount: int | None = None  # from the next cycle on
    tax_free: int | None = None  # with amount; None keeps the current tax-free part
    billing_day: int | None = None


@dataclass(frozen=True, slots=True)
class SubscriptionResult:
    order: Order


class ChangeSubscription:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: ChangeSubscriptionCommand) -> SubscriptionResult:
        async with self._uow() as uow:
            order = await _locked_subscription(uow, command.actor, command.order_id)
            if command.card_id is not None:
                # Locked, so a concurrent DeleteCard of the new card waits for this commit.
                await active_card_of(uow, order.user_seq, command.card_id, lock=True)
            amount = None
            if command.amount is not None:
                current = (order.subscription and order.subscription.next_amount) or order.amount
                tax_free = current.tax_free if command.tax_free is None else command.tax_free
                amount = Amount(command.amount, tax_free)
            order.change_subscription(
                self._clock.now(),
                amount=amount,
                card_id=command.card_id,
                billing_day=command.billing_day,
            )
            await uow.orders.save(order)
            await uow.commit()
        return SubscriptionResult(order)


@dataclass(frozen=True, slots=True)
class CancelSubscriptionCommand:
    actor: Actor
    order_id: int
    reason: str | None = None


class CancelSubscription:
    """ROUTINE_CANCELLED: no further charges; past cycles are not refunded. A charge already in
    flight keeps its own payment row, whose outcome is still applied when iamport answers."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: CancelSubscriptionCommand) -> SubscriptionResult:
        async with self._uow() as uow:
            order = await _locked_subscription(uow, command.actor, command.order_id)
            if order.status is OrderStatus.ROUTINE_CANCELLED:
                return SubscriptionResult(order)  # cancelled already
            order.cancel_routine(self._clock.now(), command.actor.cause, {"reason": command.reason})
            await uow.orders.save(order)
            await uow.commit()
        return SubscriptionResult(order)
