"""Outgoing events for operators (role admin): GET /api/admin/events, /{event_id},
POST /{event_id}/resend; GET /api/admin/event-deliveries (state=dead: the dead letters)."""

from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from adapters.http.auth import Principal, admin_guard
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.common import Limit, Offset
from adapters.http.wire.events import (
    DeliveryList,
    EventDetail,
    EventList,
    ResendRequest,
    delivery_view,
    event_detail,
    event_summary,
)
from application.outbox import DeliveryFilter, DeliveryState
from application.ports import Page
from application.use_cases.event_log import (
    GetEvent,
    GetEventQuery,
    ListDeliveries,
    ListDeliveriesQuery,
    ListEvents,
    ListEventsQuery,
    ResendEvent,
    ResendEventCommand,
)
from domain.events import EventType

EventId = Annotated[str, PathParameter(pattern=r"^evt_[0-9a-f]{32}$", description="event id")]
EventTypeName = Literal[tuple(str(t) for t in EventType)]  # type: ignore[valid-type]
EndpointQuery = Annotated[str | None, QueryParameter(pattern=r"^[A-Za-z0-9_.-]{1,100}$")]


class AdminEventController(Controller):
    path = "/api/admin/events"
    guards = [admin_guard]
    tags = ["admin"]

    @get(
        "/",
        operation_id="adminListEvents",
        summary="Outgoing events, newest first (bodies: docs/events.schema.json)",
        responses=problems(*ADMIN),
    )
    async def list_events(
        self,
        me: NamedDependency[Principal],
        list_events: NamedDependency[ListEvents],
        event_type: Annotated[EventTypeName | None, QueryParameter(name="type")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> EventList:
        found = await list_events.execute(
            ListEventsQuery(me.actor(operator=True), event_type, Page(limit, offset))
        )
        return EventList([event_summary(e) for e in found], limit, offset)

    @get(
        "/{event_id:str}",
        operation_id="adminGetEvent",
        summary="One event: its body and, per endpoint, the delivery with every attempt",
        responses=problems(*ADMIN),
    )
    async def get_event(
        self,
        event_id: EventId,
        me: NamedDependency[Principal],
        get_event: NamedDependency[GetEvent],
    ) -> EventDetail:
        view = await get_event.execute(GetEventQuery(me.actor(operator=True), event_id))
        return event_detail(view)

    @post(
        "/{event_id:str}/resend",
        operation_id="adminResendEvent",
        summary="Send an event again (same webhook-id, a fresh retry schedule from now)",
        status_code=200,
        responses=problems(*ADMIN, 409),
    )
    async def resend(
        self,
        event_id: EventId,
        data: JSONBody[ResendRequest],
        me: NamedDependency[Principal],
        resend_event: NamedDependency[ResendEvent],
        get_event: NamedDependency[GetEvent],
    ) -> EventDetail:
        operator = me.actor(operator=True)
        await resend_event.execute(ResendEventCommand(operator, event_id, data.endpoint))
        return event_detail(await get_event.execute(GetEventQuery(operator, event_id)))


class AdminEventDeliveryController(Controller):
    path = "/api/admin/event-deliveries"
    guards = [admin_guard]
    tags = ["admin"]

    @get(
        "/",
        operation_id="adminListEventDeliveries",
        summary="Deliveries of outgoing events; state=dead lists the dead letters",
        responses=problems(*ADMIN),
    )
    async def list_deliveries(
        self,
        me: NamedDependency[Principal],
        list_event_deliveries: NamedDependency[ListDeliveries],
        delivery_state: Annotated[
            Literal["pending", "delivered", "dead"] | None, QueryParameter(name="state")
        ] = None,
        endpoint: EndpointQuery = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> DeliveryList:
        query = ListDeliveriesQuery(
            me.actor(operator=True),
            DeliveryFilter(DeliveryState(delivery_state) if delivery_state else None, endpoint),
            Page(limit, offset),
        )
        found = await list_event_deliveries.execute(query)
        return DeliveryList([delivery_view(d) for d in found], limit, offset)
