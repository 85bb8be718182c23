"""The 정산 report (role admin): GET /api/admin/settlements?date=YYYY-MM-DD as JSON, and
GET /api/admin/settlements.csv?date=… for a spreadsheet (one media type per route, so the
document says exactly what each answers). Without a date, yesterday's (Asia/Seoul)."""

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter

from adapters.http.auth import Principal, admin_guard
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.settlement import SettlementReportView, settlement_view
from adapters.reports.settlement import to_csv
from application.use_cases.settlement_report import (
    BuildSettlementReport,
    SettlementReport,
    SettlementReportQuery,
)

CSV = "text/csv; charset=utf-8"
Day = Annotated[
    date | None,
    QueryParameter(
        name="date",
        description="Asia/Seoul, YYYY-MM-DD, today or up to 400 days back; default yesterday",
    ),
]


async def _report(
    build: BuildSettlementReport, me: Principal, day: date | None
) -> SettlementReport:
    return await build.execute(SettlementReportQuery(me.actor(operator=True), day))


class AdminSettlementController(Controller):
    path = "/api/admin"
    guards = [admin_guard]
    tags = ["admin"]

    @get(
        "/settlements",
        operation_id="adminSettlementReport",
        summary="정산: one Seoul day per channel and method, ours beside iamport's, and the "
        "payments that differ",
        responses=problems(*ADMIN),
    )
    async def report(
        self,
        me: NamedDependency[Principal],
        build_settlement_report: NamedDependency[BuildSettlementReport],
        day: Day = None,
    ) -> SettlementReportView:
        return settlement_view(await _report(build_settlement_report, me, day))

    @get(
        "/settlements.csv",
        operation_id="adminSettlementReportCsv",
        summary="정산 as CSV: the same report for a spreadsheet",
        media_type=CSV,
        responses={
            200: ResponseSpec(data_container=str, media_type=CSV, generate_examples=False),
            **problems(*ADMIN),
        },
    )
    async def report_csv(
        self,
        me: NamedDependency[Principal],
        build_settlement_report: NamedDependency[BuildSettlementReport],
        day: Day = None,
    ) -> Response[str]:
        report = await _report(build_settlement_report, me, day)
        return Response(
            to_csv(report),
            media_type=CSV,
            headers={"content-disposition": f'attachment; filename="settlement-{report.day}.csv"'},
        )
