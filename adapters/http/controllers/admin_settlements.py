"""GET /api/admin/settlements?date=YYYY-MM-DD[&format=csv]: the 정산 report (role admin);
without a date, yesterday's (Asia/Seoul)."""

from datetime import date
from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from adapters.http.auth import Principal, admin_guard
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.settlement import SettlementReportView, settlement_view
from adapters.reports.settlement import to_csv
from application.use_cases.settlement_report import BuildSettlementReport, SettlementReportQuery


class AdminSettlementController(Controller):
    path = "/api/admin/settlements"
    guards = [admin_guard]
    tags = ["admin"]

    @get(
        "/",
        operation_id="adminSettlementReport",
        summary="정산: one Seoul day per channel and method, ours beside iamport's, and the "
        "payments that differ (format=csv for a spreadsheet)",
        responses=problems(*ADMIN),
    )
    async def report(
        self,
        me: NamedDependency[Principal],
        build_settlement_report: NamedDependency[BuildSettlementReport],
        day: Annotated[
            date | None,
            QueryParameter(name="date", description="Asia/Seoul, YYYY-MM-DD; default yesterday"),
        ] = None,
        output: Annotated[Literal["json", "csv"], QueryParameter(name="format")] = "json",
    ) -> SettlementReportView | Response[str]:
        report = await build_settlement_report.execute(
            SettlementReportQuery(me.actor(operator=True), day)
        )
        if output == "csv":
            return Response(
                to_csv(report),
                media_type="text/csv; charset=utf-8",
                headers={
                    "content-disposition": f'attachment; filename="settlement-{report.day}.csv"'
                },
            )
        return settlement_view(report)
