"""ReconcileReports on reconcile_report: one row per finished run, its lists as JSON."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select

from adapters.persistence.repositories.base import SqlRepository
from adapters.persistence.tables import reconcile_report as t
from application.records import ReconcileItem, ReconcileReport

LISTS = ("repaired", "unmatched_at_iamport", "missing_at_iamport", "mismatched")


def _items(report: ReconcileReport) -> dict[str, Any]:
    items: dict[str, Any] = {
        name: [[i.merchant_uid, i.imp_uid, i.detail] for i in getattr(report, name)]
        for name in LISTS
    }
    items["errors"] = list(report.errors)
    return items


def _report(row: Mapping[str, Any]) -> ReconcileReport:
    items = row["items"] or {}
    lists = {name: [ReconcileItem(*i) for i in items.get(name, [])] for name in LISTS}
    return ReconcileReport(
        since=row["since_at"],
        until=row["until_at"],
        checked=row["checked"],
        errors=list(items.get("errors", [])),
        cause=row["cause"],
        id=row["seq"],
        ran_at=row["ran_at"],
        **lists,
    )


class SqlReconcileReports(SqlRepository):
    async def add(self, report: ReconcileReport) -> int:
        conn = await self._conn()
        result = await conn.execute(
            insert(t).values(
                ran_at=report.ran_at,
                since_at=report.since,
                until_at=report.until,
                cause=report.cause,
                checked=report.checked,
                clean=report.clean,
                items=_items(report),
            )
        )
        return int(result.inserted_primary_key[0])

    async def latest(self, limit: int) -> list[ReconcileReport]:
        rows = await self._rows(select(t).order_by(t.c.seq.desc()).limit(limit))
        return [_report(r) for r in rows]
