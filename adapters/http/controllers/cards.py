"""POST/GET /api/cards, DELETE /api/cards/{card_id}, POST /api/cards/{card_id}/complete,
POST /api/cards/{card_id}/backup."""

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from adapters.http.auth import Principal, user_guard
from adapters.http.idempotency import IDEMPOTENT, IdempotentOperation, OptionalBodyOperation
from adapters.http.openapi import USER, problems
from adapters.http.rate_limit import CARD, limited
from adapters.http.wire.cards import (
    CardList,
    CardRegistration,
    CardView,
    CompleteCardRequest,
    RegisterCardRequest,
    RestCardRequest,
    WindowBuyer,
    card_view,
    request_pay,
)
from application.channels import ChannelDirectory
from application.use_cases.actor import Actor
from application.use_cases.cards import DeleteCard, DeleteCardCommand, ListCards, ListCardsCommand
from application.use_cases.register_card import RegisterCard, RegisterCardCommand
from application.use_cases.window_card import (
    CompleteWindowCardRegistration,
    CompleteWindowCardRegistrationCommand,
    StartBackupCardRegistration,
    StartBackupCardRegistrationCommand,
    StartWindowCardRegistration,
    StartWindowCardRegistrationCommand,
)

CardId = Annotated[int, PathParameter(gt=0, lt=2**53, description="card id")]


class CardController(Controller):
    path = "/api/cards"
    guards = [user_guard]
    tags = ["cards"]

    @post(
        "/",
        operation_id="registerCard",
        summary="Register a card: by REST with card data, or start the PG window",
        middleware=[IDEMPOTENT],
        operation_class=IdempotentOperation,
        opt=limited(CARD),
        responses=problems(*USER, 409, 422, 429, 503),
    )
    async def register(
        self,
        data: JSONBody[RegisterCardRequest],
        me: NamedDependency[Principal],
        register_card: NamedDependency[RegisterCard],
        start_window_card: NamedDependency[StartWindowCardRegistration],
    ) -> CardRegistration:
        if isinstance(data, RestCardRequest):
            done = await register_card.execute(
                RegisterCardCommand(
                    user_seq=me.user_seq,
                    card=data.credentials(),
                    customer_name=data.customer_name,
                    customer_email=data.customer_email,
                    customer_tel=data.customer_tel,
                    channel=data.channel,
                )
            )
            return CardRegistration(card_view(done.card))
        started = await start_window_card.execute(
            StartWindowCardRegistrationCommand(
                user_seq=me.user_seq,
                channel=data.channel,
                buyer_name=data.buyer_name,
                buyer_email=data.buyer_email,
                buyer_tel=data.buyer_tel,
            )
        )
        return CardRegistration(card_view(started.card), request_pay(started.params))

    @post(
        "/{card_id:int}/complete",
        operation_id="completeCardRegistration",
        summary="Complete a PG-window key issuance (verified with iamport)",
        status_code=200,
        responses=problems(*USER, 409, 422, 503),
    )
    async def complete(
        self,
        card_id: CardId,
        data: JSONBody[CompleteCardRequest],
        me: NamedDependency[Principal],
        complete_window_card: NamedDependency[CompleteWindowCardRegistration],
        channels: NamedDependency[ChannelDirectory],
    ) -> CardView:
        done = await complete_window_card.execute(
            CompleteWindowCardRegistrationCommand(me.user_seq, card_id, data.imp_uid)
        )
        return card_view(done.card, channels)

    @post(
        "/{card_id:int}/backup",
        operation_id="startBackupCardRegistration",
        summary="Open the PG window of the card's backup channel (keys issued only there)",
        middleware=[IDEMPOTENT],
        operation_class=OptionalBodyOperation,
        opt=limited(CARD),
        responses=problems(*USER, 409, 429),
    )
    async def backup(
        self,
        card_id: CardId,
        me: NamedDependency[Principal],
        start_backup_card: NamedDependency[StartBackupCardRegistration],
        data: JSONBody[WindowBuyer | None] = None,
    ) -> CardRegistration:
        buyer = data or WindowBuyer()
        started = await start_backup_card.execute(
            StartBackupCardRegistrationCommand(
                me.user_seq,
                card_id,
                buyer_name=buyer.buyer_name,
                buyer_email=buyer.buyer_email,
                buyer_tel=buyer.buyer_tel,
            )
        )
        return CardRegistration(card_view(started.card), request_pay(started.params))

    @get("/", operation_id="listCards", summary="My active cards", responses=problems(*USER))
    async def list_cards(
        self,
        me: NamedDependency[Principal],
        list_cards: NamedDependency[ListCards],
        channels: NamedDependency[ChannelDirectory],
    ) -> CardList:
        found = await list_cards.execute(ListCardsCommand(me.user_seq))
        return CardList([card_view(c, channels) for c in found.cards])

    @delete(
        "/{card_id:int}",
        operation_id="deleteCard",
        summary="Delete a card (its billing keys at iamport, then use_yn=0)",
        status_code=200,
        responses=problems(*USER, 409),
    )
    async def delete_card(
        self,
        card_id: CardId,
        me: NamedDependency[Principal],
        delete_card: NamedDependency[DeleteCard],
    ) -> CardView:
        done = await delete_card.execute(DeleteCardCommand(Actor(me.user_seq), card_id))
        return card_view(done.card)
