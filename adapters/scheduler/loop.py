"""The in-process scheduler (`serve` with DOLGO_SCHEDULER=on): runs the jobs on a period.

Every instance may run it: each job claims its rows with a lease in the database
(WorkLeases: FOR UPDATE SKIP LOCKED), so N instances share the work, and row locks and version
checks keep anything from being charged or settled twice (docs/adr/0015).
"""

import asyncio
import logging
import time
from typing import Any

from adapters.scheduler.jobs import JOBS

SCHEDULE: tuple[tuple[str, float], ...] = (
    ("deliver-events", 5.0),
    ("process-webhooks", 30.0),
    ("resolve-unknown", 60.0),
    ("charge-subscriptions", 300.0),
    ("expire-vbanks", 600.0),
    ("expire-orders", 600.0),
    ("reconcile", 3600.0),
    ("purge-idempotency", 3600.0),
    ("purge-events", 3600.0),
)


async def run_scheduler(container: Any, *, tick: float = 5.0, first_delay: float = 30.0) -> None:
    """Runs the jobs on SCHEDULE until cancelled; one job's failure stops no other."""
    log = logging.getLogger("dolgo_pay.scheduler")
    started = time.monotonic()
    next_run = {name: started + min(period, first_delay) for name, period in SCHEDULE}
    while True:
        now = time.monotonic()
        for name, period in SCHEDULE:
            if now < next_run[name]:
                continue
            next_run[name] = now + period
            try:
                report = await JOBS[name][1](container)
                if report.errors:
                    log.warning("job %s: %s (%d errors)", name, report, report.errors)
                else:
                    log.info("job %s: %s", name, report)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - logged; the next period tries again
                log.exception("job %s failed", name)
        await asyncio.sleep(tick)
