"""The in-process scheduler (`serve` with DOLGO_SCHEDULER=on): runs the jobs on a period.

Every instance may run it: each job claims its rows with a lease in the database
(WorkLeases: FOR UPDATE SKIP LOCKED), so N instances share the work, and row locks and version
checks keep anything from being charged or settled twice (docs/adr/0015). Within an instance
of several workers, only the one holding the SchedulerLock runs the jobs (lock.py).
"""

import asyncio
import logging
import time
from typing import Any

from adapters.scheduler.jobs import JOBS
from adapters.scheduler.lock import SchedulerLock

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


async def run_scheduler(
    container: Any,
    *,
    tick: float = 5.0,
    first_delay: float = 30.0,
    lock: SchedulerLock | None = None,
) -> None:
    """Runs the jobs on SCHEDULE until cancelled; one job's failure stops no other. With a
    `lock`, only while this process holds it."""
    log = logging.getLogger("dolgo_pay.scheduler")
    lock = lock or SchedulerLock(None)
    started = time.monotonic()
    next_run = {name: started + min(period, first_delay) for name, period in SCHEDULE}
    try:
        while True:
            if lock.held():
                await _run_due(container, next_run, log)
            await asyncio.sleep(tick)
    finally:
        lock.release()


async def _run_due(container: Any, next_run: dict[str, float], log: logging.Logger) -> None:
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
