"""One-click payment with a registered card (spec §4.3).

Transaction 1 records the order (ONE_CLICK) and its payment (REQUESTED) and commits; then
`POST /subscribe/payments/again`; Settlement applies the outcome in transaction 2. A new monthly
sponsorship's first cycle is charged the same way (NewCardCharge).
"""

from dataclasses import dataclass
from enum import StrEnum

from application.billing import BillingCharges, Charged, new_charge
from application.errors import GatewayUnavailable, NotFoundError
from application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.use_cases.actor import Actor, require_owner, user_cause
from domain.card import PaymentCard
from domain.money import Amount
from domain.order import Buyer, Order
from domain.payment import Payment
from domain.status import CardStatus, OrderType, PaymentStatus, PayMethod
from domain.subscription import Subscription


class ChargeState(StrEnum):
    """How a billing-key charge ended, as the sponsor is told."""

    PAID = "paid"
    FAILED = "failed"  # declined (fail_reason says why), rejected or not attempted
    UNKNOWN = "unknown"  # iamport's answer was lost: REQUESTED until the janitor learns it


def charge_state(payment: Payment) -> ChargeState:
    if payment.is_paid:
        return ChargeState.PAID
    if payment.status is PaymentStatus.FAILED:
        return ChargeState.FAILED
    return ChargeState.UNKNOWN


@dataclass(frozen=True, slots=True)
class PayWithCardCommand:
    user_seq: int
    card_id: int
    amount: int
    name: str
    content_type_code: int
    content_seq: int
    tax_free: int = 0
    buyer: Buyer = Buyer()


@dataclass(frozen=True, slots=True)
class CardChargeResult:
    """A new order's first charge on a registered card (one-click, or a new sponsorship's first
    cycle), as the sponsor is told."""

    order: Order
    payment: Payment
    state: ChargeState
    fail_reason: str | None  # iamport's, when FAILED


PayWithCardResult = CardChargeResult


def charge_result(charged: Charged) -> CardChargeResult:
    state = charge_state(charged.payment)
    reason = charged.payment.fail_reason if state is ChargeState.FAILED else None
    return CardChargeResult(charged.order, charged.payment, state, reason)


async def active_card_of(
    uow: UnitOfWork, user_seq: int, card_id: int, *, lock: bool = False
) -> PaymentCard:
    """The user's ACTIVE card (NotFound otherwise: never another user's)."""
    card = await uow.cards.get(card_id, for_update=lock)
    if card is None or card.status is not CardStatus.ACTIVE:
        raise NotFoundError("card not found", field="card_id")
    require_owner(Actor(user_seq), card.user_seq, "card")
    return card


@dataclass(frozen=True, slots=True)
class CardOrder:
    """A new order to be paid now with one of the user's registered cards."""

    user_seq: int
    card_id: int
    type: OrderType
    amount: Amount
    name: str
    content_type_code: int
    content_seq: int
    buyer: Buyer
    subscription: Subscription | None = None  # MONTHLY: its first cycle is charged


class NewCardCharge:
    """Transaction 1 records the order and its first charge (REQUESTED) and commits; then the
    charge is sent and Settlement applies the outcome in transaction 2."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        settings: PaymentSettings,
        charges: BillingCharges,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._settings = settings
        self._charges = charges

    async def charge(self, new: CardOrder, *, lock_card: bool = False) -> CardChargeResult:
        states = await self._charges.router.states()
        async with self._uow() as uow:
            card = await active_card_of(uow, new.user_seq, new.card_id, lock=lock_card)
            targets = self._charges.router.billing_targets(card, states)
            if targets and not targets[0].usable:
                # Every PG holding this card's keys is down: nothing is recorded or charged.
                raise GatewayUnavailable(
                    "the card's payment gateway is unavailable; nothing was charged, try later"
                )
            now = self._clock.now()
            order = Order.place(
                self._ids.new_id(),
                now,
                user_seq=new.user_seq,
                type=new.type,
                content_type_code=new.content_type_code,
                content_seq=new.content_seq,
                name=new.name,
                amount=new.amount,
                pay_method=PayMethod.CARD,
                buyer=new.buyer,
                card_id=card.id,
                subscription=new.subscription,
            )
            cycle: int | None
            if new.subscription is None:
                cycle, attempt = None, order.start_attempt(now)
            else:
                cycle, attempt = order.begin_cycle_attempt(now)
            payment = new_charge(
                self._ids.new_id(),
                order,
                attempt=attempt,
                cycle=cycle,
                channel=targets[0].channel.name if targets else card.keys[0].channel,
                card_id=card.id,
                at=now,
                in_flight_for=self._settings.next_check_after(0),
                route_reason=targets[0].reason if targets else "the card holds no usable key",
            )
            await uow.orders.add(order)
            await uow.payments.add(payment)
            await uow.commit()

        charged = await self._charges.charge(order, payment, targets, user_cause(new.user_seq))
        return charge_result(charged)


class PayWithCard:
    def __init__(self, new_charge: NewCardCharge) -> None:
        self._new_charge = new_charge

    async def execute(self, command: PayWithCardCommand) -> PayWithCardResult:
        return await self._new_charge.charge(
            CardOrder(
                user_seq=command.user_seq,
                card_id=command.card_id,
                type=OrderType.ONE_CLICK,
                amount=Amount(command.amount, command.tax_free),
                name=command.name,
                content_type_code=command.content_type_code,
                content_seq=command.content_seq,
                buyer=command.buyer,
            )
        )
