"""One-shot jobs (`dolgo-pay jobs run <job>`, and any scheduler): name → runner.

Each runner takes the initialised container and returns a JobReport: a one-line summary and
how many errors the job met (work it could not do this time: a charge that raised, a webhook
whose processing failed, a reconciliation page iamport did not answer). `jobs run` exits
non-zero when there are any, so cron alerts.
"""

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from inspect import isawaitable
from typing import Any

from application.records import InboxState
from application.use_cases.charge_cycle import ChargeDueSubscriptionsCommand
from application.use_cases.deliver_events import DeliverEventsCommand
from application.use_cases.expire_unpaid import ExpireCommand
from application.use_cases.handle_webhook import ProcessDueWebhooksCommand
from application.use_cases.purge_events import PurgeDeliveredEventsCommand
from application.use_cases.purge_idempotency import PurgeIdempotencyKeysCommand
from application.use_cases.reconcile import ReconcileCommand
from application.use_cases.resolve_unknown import ResolveCommand
from application.use_cases.stuck_cards import ResolveStuckCardIssuancesCommand

RECONCILE_WINDOW = timedelta(hours=48)
SQLITE_BILLING_CONCURRENCY = 4  # the embedded demo database (see charge_subscriptions)
# The scheduled window ends where no PG window can still be open: a card window left open
# shows `ready` at iamport and would be settled as abandoned, then move FAILED → PAID later.
OPEN_WINDOW_LAG = timedelta(hours=1)
# Paid payments whose balance can still change at the console (a partial cancel leaves the
# status `paid`) are re-fetched when paid this recently; older ones are met by webhooks.
REFETCH_PAID_WITHIN = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class JobReport:
    summary: str
    errors: int = 0

    def __str__(self) -> str:
        return self.summary


JobRunner = Callable[[Any], Awaitable[JobReport]]


class JobUnavailable(Exception):
    """The job's use case is not part of this build."""


async def _get(provider: Any) -> Any:
    value = provider()
    return await value if isawaitable(value) else value


async def resolve_unknown(c: Any) -> JobReport:
    payments = await (await _get(c.resolve_unknown_payments)).execute(ResolveCommand())
    cancels = await (await _get(c.resolve_unknown_cancellations)).execute(ResolveCommand())
    cards = await (await _get(c.resolve_stuck_cards)).execute(ResolveStuckCardIssuancesCommand())
    receipts = await (await _get(c.cash_receipt_janitor)).execute()
    outcomes = Counter(
        r.outcome
        for r in [
            *payments.resolutions,
            *cancels.resolutions,
            *cards.resolutions,
            *receipts.resolutions,
        ]
    )
    return JobReport(f"{sum(outcomes.values())} checked: {dict(outcomes)}")


async def process_webhooks(c: Any) -> JobReport:
    result = await (await _get(c.process_due_webhooks)).execute(ProcessDueWebhooksCommand())
    states = Counter(str(r.state.value) for r in result.results)
    failed = result.count(InboxState.FAILED)
    return JobReport(f"{len(result.results)} processed: {dict(states)}", failed)


async def reconcile(c: Any) -> JobReport:
    until = (await _get(c.clock)).now() - OPEN_WINDOW_LAG
    report = await (await _get(c.reconcile)).execute(
        ReconcileCommand(
            until - RECONCILE_WINDOW, until, refetch_paid_since=until - REFETCH_PAID_WITHIN
        )
    )
    summary = (
        f"checked {report.checked}, repaired {len(report.repaired)}, "
        f"unmatched {len(report.unmatched_at_iamport)}, missing {len(report.missing_at_iamport)}, "
        f"mismatched {len(report.mismatched)}, errors {len(report.errors)}"
    )
    return JobReport(summary, len(report.errors))


async def expire_vbanks(c: Any) -> JobReport:
    result = await (await _get(c.expire_vbanks)).execute(ExpireCommand())
    return JobReport(
        f"expired {len(result.expired)}, settled {len(result.settled)}, skipped {len(result.skipped)}"
    )


async def expire_orders(c: Any) -> JobReport:
    result = await (await _get(c.expire_orders)).execute(ExpireCommand())
    return JobReport(
        f"expired {len(result.expired)}, settled {len(result.settled)}, skipped {len(result.skipped)}"
    )


async def charge_subscriptions(c: Any) -> JobReport:
    settings = await _get(c.settings)
    concurrency = settings.billing_concurrency
    if (await _get(c.config)).is_sqlite:
        # One writer: more charges at once only queue on its lock, and past busy_timeout fail.
        concurrency = min(concurrency, SQLITE_BILLING_CONCURRENCY)
    command = ChargeDueSubscriptionsCommand(
        concurrency=concurrency,
        lease=settings.work_lease,
    )
    result = await (await _get(c.charge_due_subscriptions)).execute(command)
    actions = ", ".join(f"{k} {v}" for k, v in sorted(result.actions.items())) or "nothing due"
    return JobReport(
        f"{actions}; conflicts {result.conflicts}, errors {result.errors}", result.errors
    )


async def purge_idempotency(c: Any) -> JobReport:
    result = await (await _get(c.purge_idempotency_keys)).execute(PurgeIdempotencyKeysCommand())
    return JobReport(f"purged {result.purged} idempotency keys older than a day")


async def purge_events(c: Any) -> JobReport:
    result = await (await _get(c.purge_delivered_events)).execute(PurgeDeliveredEventsCommand())
    return JobReport(f"purged {result.purged} delivered events older than 30 days")


async def deliver_events(c: Any) -> JobReport:
    r = await (await _get(c.deliver_events)).execute(DeliverEventsCommand())
    summary = (
        f"dispatched {r.dispatched}, delivered {r.delivered}, retrying {r.retrying}, "
        f"dead {r.dead}, lease lost {r.lease_lost}"
    )
    return JobReport(summary, r.dead)  # a delivery that just went dead is worth an alert


JOBS: dict[str, tuple[str, JobRunner]] = {
    "resolve-unknown": (
        "re-ask iamport about unknown charges, refunds, key issuances and cash receipts; "
        "cancel the cash receipts of fully refunded payments",
        resolve_unknown,
    ),
    "process-webhooks": ("process stored webhooks that are due", process_webhooks),
    "reconcile": ("compare iamport's last 48 hours with ours and repair", reconcile),
    "expire-vbanks": ("expire virtual accounts past their due date", expire_vbanks),
    "expire-orders": ("expire abandoned unpaid orders", expire_orders),
    "charge-subscriptions": ("charge due monthly sponsorships", charge_subscriptions),
    "purge-idempotency": ("forget idempotency keys older than a day", purge_idempotency),
    "deliver-events": ("send outgoing events to the configured endpoints", deliver_events),
    "purge-events": ("forget events delivered everywhere more than 30 days ago", purge_events),
}
