"""Reconciliation with iamport (spec §4.8) and the expiry jobs.

Reconcile(since, until): iamport's payments in the window (every page of
/payments/status/all) are compared with ours and every record is applied through Settlement
(idempotent: what already agrees changes nothing). Because a partial console cancel does not
change a payment's status, our refundable payments are also re-fetched in batches. What iamport
proves is repaired; the rest is reported.

Run it on a window that ended a while ago (e.g. until = now - 1h): a PG window that is open
right now shows at iamport as `ready`, and a card payment in `ready` is settled as abandoned.
(A payment paid afterwards still moves FAILED → PAID on iamport's proof, so nothing is lost.)
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from application.gateway import Approved, GatewayPayment, IamportGateway, NotFound
from application.payment_sync import (
    RECONCILE,
    PaymentMissing,
    PaymentSync,
    decisive_try,
)
from application.ports import Clock, Page, PaymentFilter, UnitOfWorkFactory
from application.records import ReconcileItem, ReconcileReport
from domain.identifiers import parse_issue_merchant_uid
from domain.status import PaymentStatus

log = logging.getLogger("dolgo_pay.reconcile")

BATCH = 100  # imp_uids per GET /payments?imp_uid[]=...


@dataclass(frozen=True, slots=True)
class ReconcileCommand:
    since: datetime
    until: datetime
    cause: str = RECONCILE  # an operator's run: "reconcile:operator:<seq>"
    # Re-fetch only refundable payments paid since then (None: all of them). A console
    # cancel of an older payment is still found when its webhook or a refund meets it.
    refetch_paid_since: datetime | None = None


class Reconcile:
    def __init__(
        self, uow: UnitOfWorkFactory, gateway: IamportGateway, sync: PaymentSync, clock: Clock
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._sync = sync
        self._clock = clock

    async def execute(self, command: ReconcileCommand) -> ReconcileReport:
        report = ReconcileReport(command.since, command.until, cause=command.cause)
        listed = await self._gateway.list_payments("all", command.since, command.until)
        seen: set[str] = set()
        if isinstance(listed, Approved):
            by_uid: dict[str, list[GatewayPayment]] = defaultdict(list)
            for record in listed.value:
                by_uid[record.merchant_uid].append(record)
            for tries in by_uid.values():
                report.checked += len(tries)
                seen.update(r.imp_uid for r in tries)
                decisive = decisive_try(tries)
                assert decisive is not None
                await self._apply(decisive, report)
                for other in tries:  # a second try that took money is flagged by Settlement
                    if other is not decisive and (other.paid_at or other.cancel_amount):
                        await self._apply(other, report)
        else:
            report.errors.append(f"list_payments: {listed!r}")
        await self._ours_not_listed(command, seen, report)
        await self._refundable(seen, report, command.refetch_paid_since)
        report.ran_at = self._clock.now()
        async with self._uow() as uow:  # kept for operators: the console shows the last runs
            report.id = await uow.reconcile_reports.add(report)
            await uow.commit()
        return report

    async def _apply(self, record: GatewayPayment, report: ReconcileReport) -> None:
        if parse_issue_merchant_uid(record.merchant_uid) is not None:
            return  # a billing-key window: no payment of ours to compare
        item = ReconcileItem(record.merchant_uid, record.imp_uid, str(record.status))
        try:
            synced = await self._sync.apply(record, report.cause)
        except PaymentMissing:
            report.unmatched_at_iamport.append(item)
            return
        result = synced.result
        if result.refused_rule or result.needs_operator:
            detail = result.needs_operator or f"refused: {result.refused_rule}"
            report.mismatched.append(ReconcileItem(record.merchant_uid, record.imp_uid, detail))
        elif result.changed:
            detail = f"{result.payment_status.name}/{result.order_status.name}"
            report.repaired.append(ReconcileItem(record.merchant_uid, record.imp_uid, detail))

    async def _ours_not_listed(
        self, command: ReconcileCommand, seen: set[str], report: ReconcileReport
    ) -> None:
        """Our settled payments of the window that iamport's list did not show: re-fetched by
        imp_uid (the list filters by iamport's own times); those iamport lacks are reported."""
        settled = [PaymentStatus.READY, PaymentStatus.PAID, PaymentStatus.ROUTINE_PAID]
        offset, ours = 0, []
        while True:
            async with self._uow() as uow:
                page = await uow.payments.search(
                    PaymentFilter(
                        status=settled,
                        requested_from=command.since,
                        requested_to=command.until,
                    ),
                    Page(limit=BATCH, offset=offset),
                )
            ours += [p for p in page if p.imp_uid and p.imp_uid not in seen]
            if len(page) < BATCH:
                break
            offset += BATCH
        for i in range(0, len(ours), BATCH):
            batch = ours[i : i + BATCH]
            found = await self._fetch([p.imp_uid for p in batch if p.imp_uid], report)
            if found is None:
                continue
            for payment in batch:
                record = found.get(payment.imp_uid or "")
                seen.add(payment.imp_uid or "")
                if record is None:
                    report.missing_at_iamport.append(
                        ReconcileItem(payment.merchant_uid, payment.imp_uid, payment.status.name)
                    )
                else:
                    await self._apply(record, report)

    async def _refundable(
        self, seen: set[str], report: ReconcileReport, paid_since: datetime | None
    ) -> None:
        """Paid payments with a balance: a partial console cancel leaves iamport's status
        `paid`, so only cancel_amount tells. Re-fetched in pages of BATCH (those paid since
        `paid_since` when given)."""
        after = 0
        while True:
            async with self._uow() as uow:
                batch = await uow.payments.refundable(after, BATCH, paid_since)
            if not batch:
                return
            after = batch[-1].id
            todo = [p for p in batch if p.imp_uid and p.imp_uid not in seen]
            found = await self._fetch([p.imp_uid for p in todo if p.imp_uid], report)
            for payment in todo if found is not None else []:
                record = found.get(payment.imp_uid or "") if found else None
                if record is None:
                    report.missing_at_iamport.append(
                        ReconcileItem(payment.merchant_uid, payment.imp_uid, payment.status.name)
                    )
                else:
                    await self._apply(record, report)

    async def _fetch(
        self, imp_uids: list[str], report: ReconcileReport
    ) -> dict[str, GatewayPayment] | None:
        if not imp_uids:
            return {}
        outcome = await self._gateway.get_payments(imp_uids)
        if isinstance(outcome, Approved):
            return {r.imp_uid: r for r in outcome.value}
        if isinstance(outcome, NotFound):
            return {}
        report.errors.append(f"get_payments({len(imp_uids)}): {outcome!r}")
        return None


class LastReconcileReports:
    """The last reconcile runs (the scheduler's and operators'), newest first."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, limit: int = 10) -> list[ReconcileReport]:
        async with self._uow() as uow:
            return await uow.reconcile_reports.latest(limit)
