"""The one iamport access token shared by every concurrent call of a client.

* Lifetime: iamport answers `now` and `expired_at` in *its* clock; we only trust the difference
  (`expired_at - now`) as a duration, counted on our own monotonic clock from the moment the
  answer arrived, minus a safety margin (default 60 s). Clock skew between us and iamport does
  not matter, and the token is renewed before iamport would refuse it.
* One refresh in flight: the first caller that finds no valid token starts a refresh task; every
  other caller awaits that same task (shielded, so a cancelled caller does not cancel it for the
  others). Fifty calls on a cold client cost one getToken.
* After a 401 the caller asks again naming the token that was refused: if another caller has
  already replaced it, that newer token is used; otherwise one forced refresh runs.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from adapters.iamport.wire import WireToken


class TokenUnavailable(Exception):
    """getToken did not answer usefully (network, 5xx, garbage): the caller's request is not sent."""


@dataclass(frozen=True, eq=False)
class Token:
    value: str = field(repr=False)
    valid_until: float  # on the cache's clock
    lifetime: float  # seconds iamport granted (expired_at - now)


Fetch = Callable[[], Awaitable[WireToken]]


class TokenCache:
    def __init__(
        self,
        fetch: Fetch,
        *,
        clock: Callable[[], float],
        margin: float = 60.0,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._margin = margin
        self._token: Token | None = None
        self._inflight: asyncio.Task[Token] | None = None

    @property
    def current(self) -> Token | None:
        return self._token

    async def get(self, refused: Token | None = None) -> Token:
        """A valid token; `refused` = the token iamport just answered 401 to."""
        token = self._token
        if token is not None and token is not refused and self._clock() < token.valid_until:
            return token
        if self._inflight is None:
            self._inflight = asyncio.get_running_loop().create_task(self._refresh())
            self._inflight.add_done_callback(_consume_exception)
        return await asyncio.shield(self._inflight)

    async def _refresh(self) -> Token:
        try:
            answer = await self._fetch()
            lifetime = float(answer.expired_at - answer.now)
            self._token = Token(
                value=answer.access_token,
                valid_until=self._clock() + max(lifetime - self._margin, 0.0),
                lifetime=lifetime,
            )
            return self._token
        finally:
            self._inflight = None

    def forget(self) -> None:
        self._token = None

    async def aclose(self) -> None:
        task, self._inflight = self._inflight, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass


def _consume_exception(task: asyncio.Task[Token]) -> None:
    # Every awaiting caller gets the exception; this only keeps asyncio from warning when the
    # callers were all cancelled first.
    if not task.cancelled():
        task.exception()
