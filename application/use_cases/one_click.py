"""One-click payment with a registered card (spec §4.3).

Transaction 1 records the order (ONE_CLICK) and its payment (REQUESTED) and commits; then
`POST /subscribe/payments/again`; Settlement applies the outcome in transaction 2.
"""

from dataclasses import dataclass
from enum import StrEnum

from application.channels import ChannelDirectory
from application.errors import NotFoundError
from application.gateway import IamportGateway
from application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.settlement import Settlement
from application.use_cases.actor import Actor, require_owner
from application.use_cases.billing import BillingCharges, billing_key_for, new_charge
from domain.card import PaymentCard
from domain.money import Amount
from domain.order import Buyer, Order
from domain.payment import Payment
from domain.status import CardStatus, OrderType, PaymentStatus, PayMethod


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
class PayWithCardResult:
    order: Order
    payment: Payment
    state: ChargeState
    fail_reason: str | None  # iamport's, when FAILED


async def active_card_of(
    uow: UnitOfWork, user_seq: int, card_id: int, *, lock: bool = False
) -> PaymentCard:
    """The user's ACTIVE card (NotFound otherwise: never another user's)."""
    card = await uow.cards.get(card_id, for_update=lock)
    if card is None or card.status is not CardStatus.ACTIVE:
        raise NotFoundError("card not found", field="card_id")
    require_owner(Actor(user_seq), card.user_seq, "card")
    return card


class PayWithCard:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        ids: IdGenerator,
        channels: ChannelDirectory,
        settings: PaymentSettings,
        settlement: Settlement,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._channels = channels
        self._settings = settings
        self._charges = BillingCharges(uow, gateway, clock, settings, settlement)

    async def execute(self, command: PayWithCardCommand) -> PayWithCardResult:
        amount = Amount(command.amount, command.tax_free)
        cause = f"user:{command.user_seq}"
        async with self._uow() as uow:
            card = await active_card_of(uow, command.user_seq, command.card_id)
            target = billing_key_for(card, self._channels, production=self._settings.production)
            now = self._clock.now()
            order = Order(
                id=self._ids.new_id(),
                user_seq=command.user_seq,
                type=OrderType.ONE_CLICK,
                content_type_code=command.content_type_code,
                content_seq=command.content_seq,
                name=command.name,
                amount=amount,
                created_at=now,
                pay_method=PayMethod.CARD,
                buyer=command.buyer,
                payment_card_id=card.id,
            )
            attempt = order.start_attempt(now)
            payment = new_charge(
                self._ids.new_id(),
                order,
                attempt=attempt,
                cycle=None,
                channel=target[0].name if target else card.keys[0].channel,
                card_id=card.id,
                at=now,
                in_flight_for=self._settings.next_check_after(0),
            )
            await uow.orders.add(order)
            await uow.payments.add(payment)
            await uow.commit()

        customer_uid = target[1].customer_uid if target else None
        charged = await self._charges.send(order, payment, customer_uid, cause)
        state = charge_state(charged.payment)
        reason = charged.payment.fail_reason if state is ChargeState.FAILED else None
        return PayWithCardResult(charged.order, charged.payment, state, reason)
