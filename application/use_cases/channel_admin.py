"""Operators see each channel's breaker and force it open or closed (spec §4.9)."""

from dataclasses import dataclass

from application.channel_health import ChannelHealthBook
from application.channels import Channel, ChannelDirectory
from application.errors import NotFoundError
from application.use_cases.actor import Actor
from domain.channel_health import Admission, ChannelHealth, Forced


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    channel: Channel
    health: ChannelHealth
    admission: Admission  # what a request sent now would meet


class ListChannels:
    def __init__(self, channels: ChannelDirectory, health: ChannelHealthBook) -> None:
        self._channels = channels
        self._health = health

    async def execute(self) -> list[ChannelStatus]:
        states = await self._health.states()
        now = self._health.now()
        found = []
        for channel in self._channels.channels:
            health = states.get(channel.name) or ChannelHealth(channel.name)
            found.append(ChannelStatus(channel, health, health.admission(now, self._health.policy)))
        return found


@dataclass(frozen=True, slots=True)
class ForceChannelCommand:
    operator: Actor
    channel: str
    force: Forced | None  # None lifts a force: the breaker starts closed and counts again
    reason: str | None = None


class ForceChannel:
    def __init__(self, channels: ChannelDirectory, health: ChannelHealthBook) -> None:
        self._channels = channels
        self._health = health

    async def execute(self, command: ForceChannelCommand) -> ChannelStatus:
        if not command.operator.operator:
            raise NotFoundError("channel not found")  # an admin route only
        if command.channel not in {c.name for c in self._channels.channels}:
            raise NotFoundError(f"no channel named {command.channel!r}", field="channel")
        health = await self._health.force(
            command.channel, command.force, command.operator.cause, command.reason
        )
        channel = self._channels.named(command.channel)
        return ChannelStatus(
            channel, health, health.admission(self._health.now(), self._health.policy)
        )
