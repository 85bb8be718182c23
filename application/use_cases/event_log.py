"""Operators and the outgoing events: the outbox, the delivery log, dead letters, resend."""

from dataclasses import dataclass

from application.errors import ConflictError, NotFoundError
from application.outbox import (
    DeliveryAttempt,
    DeliveryFilter,
    DeliveryState,
    EventDelivery,
    OutboxEvent,
)
from application.ports import Clock, Page, UnitOfWorkFactory
from application.use_cases.actor import Actor


def _operator_only(actor: Actor) -> None:
    if not actor.operator:
        raise NotFoundError("event not found")  # admin routes only


@dataclass(frozen=True, slots=True)
class ListEventsQuery:
    operator: Actor
    type: str | None = None
    page: Page = Page()


@dataclass(frozen=True, slots=True)
class ListDeliveriesQuery:
    operator: Actor
    filter: DeliveryFilter = DeliveryFilter()
    page: Page = Page()


@dataclass(frozen=True, slots=True)
class DeliveryLog:
    delivery: EventDelivery
    attempts: list[DeliveryAttempt]


@dataclass(frozen=True, slots=True)
class EventView:
    event: OutboxEvent
    deliveries: list[DeliveryLog]


class ListEvents:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, query: ListEventsQuery) -> list[OutboxEvent]:
        _operator_only(query.operator)
        async with self._uow() as uow:
            return await uow.events.search(query.type, query.page)


class ListDeliveries:
    """`state=dead` is the dead-letter list."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, query: ListDeliveriesQuery) -> list[EventDelivery]:
        _operator_only(query.operator)
        async with self._uow() as uow:
            return await uow.events.deliveries(query.filter, query.page)


@dataclass(frozen=True, slots=True)
class GetEventQuery:
    operator: Actor
    event_id: str


class GetEvent:
    """The event, its body, and per endpoint the delivery with every attempt."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, query: GetEventQuery) -> EventView:
        _operator_only(query.operator)
        async with self._uow() as uow:
            event = await uow.events.get(query.event_id)
            if event is None:
                raise NotFoundError("event not found")
            deliveries = await uow.events.deliveries(
                DeliveryFilter(event_id=event.id), Page(limit=1000)
            )
            logs = [DeliveryLog(d, await uow.events.attempts(d.id)) for d in deliveries]
        return EventView(event, sorted(logs, key=lambda log: log.delivery.endpoint))


@dataclass(frozen=True, slots=True)
class ResendEventCommand:
    operator: Actor
    event_id: str
    endpoint: str | None = None  # None: every endpoint it was delivered (or not) to


class ResendEvent:
    """A new round of attempts (a fresh schedule from now) for a delivered or dead event —
    after the consumer fixed its side. The same webhook-id: a consumer that already has it
    deduplicates."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: ResendEventCommand) -> list[EventDelivery]:
        _operator_only(command.operator)
        async with self._uow() as uow:
            if await uow.events.get(command.event_id) is None:
                raise NotFoundError("event not found")
            found = await uow.events.deliveries(
                DeliveryFilter(event_id=command.event_id, endpoint=command.endpoint),
                Page(limit=1000),
            )
            if not found:
                raise ConflictError(
                    "the event has no delivery yet (no endpoint was configured when it was "
                    "dispatched, or it waits for the next run)"
                )
            resent = []
            for listed in found:
                delivery = await uow.events.get_delivery(listed.id, for_update=True)
                if delivery is None:
                    continue
                if delivery.state is DeliveryState.PENDING and command.endpoint is None:
                    continue  # already on its way
                delivery.resend(self._clock.now(), command.operator.cause)
                await uow.events.save_delivery(delivery)
                resent.append(delivery)
            await uow.commit()
        return resent
