"""List and delete registered cards (spec §4.2)."""

import logging
from dataclasses import dataclass

from application.errors import NotFoundError
from application.gateway import Approved, IamportGateway, NotFound
from application.ports import Clock, UnitOfWorkFactory
from application.use_cases.actor import Actor, require_owner
from domain.card import PaymentCard
from domain.status import CardStatus

log = logging.getLogger("dolgo_pay.cards")


@dataclass(frozen=True, slots=True)
class ListCardsCommand:
    user_seq: int
    include_inactive: bool = False  # also cards still ISSUING or whose issuance FAILED


@dataclass(frozen=True, slots=True)
class ListCardsResult:
    cards: tuple[PaymentCard, ...]


class ListCards:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, command: ListCardsCommand) -> ListCardsResult:
        async with self._uow() as uow:
            cards = await uow.cards.for_user(command.user_seq)
        if not command.include_inactive:
            cards = [c for c in cards if c.status is CardStatus.ACTIVE]
        return ListCardsResult(tuple(cards))


@dataclass(frozen=True, slots=True)
class DeleteCardCommand:
    actor: Actor
    card_id: int
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DeleteCardResult:
    card: PaymentCard  # DELETED (use_yn = 0)
    left_at_iamport: tuple[str, ...]  # customer_uids iamport did not confirm deleting


class DeleteCard:
    """use_yn = 0 first, then iamport's DELETE of each billing key.

    The card row is locked while the active sponsorships using it are counted, so a concurrent
    ChangeSubscription (which locks the card it moves to) cannot slip in between. Marking the
    card deleted before iamport's DELETE means a lost answer leaves at worst an unused key at
    iamport (reported in the result and the log), never an ACTIVE card without a key.
    """

    def __init__(self, uow: UnitOfWorkFactory, gateway: IamportGateway, clock: Clock) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock

    async def execute(self, command: DeleteCardCommand) -> DeleteCardResult:
        async with self._uow() as uow:
            card = await uow.cards.get(command.card_id, for_update=True)
            if card is None or card.status is CardStatus.DELETED:
                raise NotFoundError("card not found")
            require_owner(command.actor, card.user_seq, "card")
            if card.status is not CardStatus.ACTIVE:
                raise NotFoundError("card not found")  # ISSUING / FAILED: nothing to delete
            keys = [k.customer_uid for k in card.keys if k.active]
            in_use = await uow.orders.count_active_using_card(card.id)
            card.delete(self._clock.now(), command.actor.cause, in_use)  # CardInUse if in_use
            await uow.cards.save(card)
            await uow.commit()

        left: list[str] = []
        for customer_uid in keys:
            outcome = await self._gateway.delete_billing_key(customer_uid, command.reason)
            if not isinstance(outcome, Approved | NotFound):
                left.append(customer_uid)
                log.warning("card %s: billing key %s not deleted at iamport", card.id, customer_uid)
        return DeleteCardResult(card, tuple(left))
