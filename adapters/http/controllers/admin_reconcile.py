"""POST /api/admin/reconcile, GET /api/admin/reconcile/reports (the last runs),
GET /api/admin/unknown-outcomes and GET /api/admin/stuck-leases (role admin)."""

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from adapters.http.auth import Principal, admin_guard
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.admin import (
    ReconcileReportList,
    ReconcileRequest,
    ReconcileView,
    StuckLeaseList,
    StuckLeaseView,
    UnknownOutcomesView,
    reconcile_view,
    unknown_view,
)
from application.payment_sync import RECONCILE
from application.use_cases.reconcile import LastReconcileReports, Reconcile, ReconcileCommand
from application.use_cases.resolve_unknown import ListUnknownOutcomes, ListUnknownOutcomesQuery
from application.use_cases.stuck_work import ListStuckWork
from domain.errors import InvalidValue

DEFAULT_WINDOW = timedelta(hours=48)


class AdminReconcileController(Controller):
    path = "/api/admin"
    guards = [admin_guard]
    tags = ["admin"]

    @post(
        "/reconcile",
        operation_id="adminReconcile",
        summary="Compare iamport's payments in a window with ours; repair what iamport proves",
        status_code=200,
        responses=problems(*ADMIN),
    )
    async def reconcile(
        self,
        data: JSONBody[ReconcileRequest],
        me: NamedDependency[Principal],
        clock: NamedDependency[Any],
        reconcile: NamedDependency[Reconcile],
    ) -> ReconcileView:
        until = data.until or clock.now()
        since = data.since or until - DEFAULT_WINDOW
        if since >= until:
            raise InvalidValue("since", "must be before until")
        cause = f"{RECONCILE}:{me.actor(operator=True).cause}"
        report = await reconcile.execute(ReconcileCommand(since, until, cause))
        return reconcile_view(report)

    @get(
        "/reconcile/reports",
        operation_id="adminReconcileReports",
        summary="The last reconcile runs (the scheduler's and operators'), newest first",
        responses=problems(*ADMIN),
    )
    async def reports(
        self,
        last_reconcile_reports: NamedDependency[LastReconcileReports],
        limit: Annotated[int, QueryParameter(ge=1, le=50)] = 10,
    ) -> ReconcileReportList:
        found = await last_reconcile_reports.execute(limit)
        return ReconcileReportList([reconcile_view(r) for r in found])

    @get(
        "/unknown-outcomes",
        operation_id="adminUnknownOutcomes",
        summary="Charges and refunds whose outcome is still unknown",
        responses=problems(*ADMIN),
    )
    async def unknown(
        self, list_unknown_outcomes: NamedDependency[ListUnknownOutcomes]
    ) -> UnknownOutcomesView:
        return unknown_view(await list_unknown_outcomes.execute(ListUnknownOutcomesQuery()))

    @get(
        "/stuck-leases",
        operation_id="adminStuckLeases",
        summary="Due work whose lease expired unreleased (its instance died or hung)",
        responses=problems(*ADMIN),
    )
    async def stuck(self, list_stuck_work: NamedDependency[ListStuckWork]) -> StuckLeaseList:
        found = await list_stuck_work.execute()
        return StuckLeaseList(
            [StuckLeaseView(str(e.work), e.row_id, e.owner, e.lease_until) for e in found]
        )
