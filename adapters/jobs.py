"""One-shot jobs (`dolgo-pay jobs run <job>`, and the in-process scheduler): name → runner.

Each runner takes the initialised container and returns a one-line summary.
"""

from collections.abc import Awaitable, Callable
from typing import Any

JobRunner = Callable[[Any], Awaitable[str]]


class JobUnavailable(Exception):
    """The job's use case is not part of this build yet."""


def _not_yet(name: str) -> JobRunner:
    async def run(_: Any) -> str:
        raise JobUnavailable(f"job {name} is not wired to a use case yet")

    return run


JOBS: dict[str, tuple[str, JobRunner]] = {
    "resolve-unknown": ("re-ask iamport about unknown outcomes", _not_yet("resolve-unknown")),
    "process-webhooks": ("process stored webhooks that are due", _not_yet("process-webhooks")),
    "reconcile": ("compare iamport's payments with ours and repair", _not_yet("reconcile")),
    "expire-vbanks": ("expire virtual accounts past their due date", _not_yet("expire-vbanks")),
    "expire-orders": ("expire abandoned unpaid orders", _not_yet("expire-orders")),
    "charge-subscriptions": ("charge due monthly sponsorships", _not_yet("charge-subscriptions")),
}
