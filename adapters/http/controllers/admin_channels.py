"""GET /api/admin/channels and PUT /api/admin/channels/{name}/breaker (role admin)."""

from typing import Annotated

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from adapters.http.auth import Principal, admin_guard
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.channels import (
    ChannelList,
    ChannelView,
    ForceBreakerRequest,
    channel_view,
)
from application.use_cases.channel_admin import ForceChannel, ForceChannelCommand, ListChannels
from domain.channel_health import Forced

ChannelName = Annotated[
    str, PathParameter(pattern=r"^[A-Za-z0-9_.\-]{1,50}$", description="channel name")
]


class AdminChannelController(Controller):
    path = "/api/admin/channels"
    guards = [admin_guard]
    tags = ["admin"]

    @get(
        "/",
        operation_id="adminListChannels",
        summary="PG channels and the state of each one's circuit breaker (shared by instances)",
        responses=problems(*ADMIN),
    )
    async def channels(self, list_channels: NamedDependency[ListChannels]) -> ChannelList:
        return ChannelList([channel_view(s) for s in await list_channels.execute()])

    @put(
        "/{name:str}/breaker",
        operation_id="adminForceChannelBreaker",
        summary="Force a channel's breaker open or closed, or lift the force",
        responses=problems(400, 404, *ADMIN),
    )
    async def force(
        self,
        name: ChannelName,
        data: JSONBody[ForceBreakerRequest],
        me: NamedDependency[Principal],
        force_channel: NamedDependency[ForceChannel],
    ) -> ChannelView:
        status = await force_channel.execute(
            ForceChannelCommand(
                me.actor(operator=True),
                name,
                Forced(data.force) if data.force else None,
                data.reason,
            )
        )
        return channel_view(status)
