"""PG outages per channel (set with PUT /_sandbox/channels/{name}): what iamport answers for a
REST call to a PG that is down. The PG window fails at once in every mode (window.py)."""

from __future__ import annotations

from litestar import Request, Response

from . import pg, wire
from .config import ChannelSpec
from .state import SandboxState


async def hang(sandbox: SandboxState, channel: ChannelSpec, request: Request) -> None:
    """In `hang` mode, hold the request until the client gives up (or the hold ends)."""
    outage = sandbox.store.outage_of(channel)
    if outage is not None and outage.mode == "hang":
        seconds = sandbox.config.hold_seconds if outage.seconds is None else outage.seconds
        await sandbox.faults.hold(request.receive, seconds)


async def refusal(sandbox: SandboxState, channel: ChannelSpec, request: Request) -> Response | None:
    """None while `channel`'s PG is up; down: iamport's error (code -1), nothing charged — in
    `hang` mode only after the hold, when the client is gone."""
    if not sandbox.store.is_down(channel):
        return None
    await hang(sandbox, channel, request)
    return wire.fail(-1, pg.outage_message(channel))
