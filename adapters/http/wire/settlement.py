"""Admin wire types of the 정산 report."""

from datetime import date, datetime

import msgspec

from application.use_cases.settlement_report import Figures, SettlementReport


class FiguresView(msgspec.Struct):
    paid_count: int
    paid_sum: int
    cancelled_sum: int
    net: int
    tax_free_sum: int | None  # None on iamport's side: its listing does not carry it
    vat: int | None


class SettlementRowView(msgspec.Struct):
    channel: str
    pay_method: str
    ours: FiguresView
    iamport: FiguresView
    matches: bool


class DifferenceView(msgspec.Struct):
    merchant_uid: str
    imp_uid: str | None
    difference: str  # missing_at_iamport | missing_here | amount | cancelled
    ours_amount: int | None
    ours_cancelled: int | None
    iamport_amount: int | None
    iamport_cancelled: int | None


class SettlementReportView(msgspec.Struct):
    date: date
    since: datetime
    until: datetime
    rows: list[SettlementRowView]
    differences: list[DifferenceView]
    manual_bank_refunds: int
    errors: list[str]


def _figures(f: Figures) -> FiguresView:
    return FiguresView(f.paid_count, f.paid_sum, f.cancelled_sum, f.net, f.tax_free_sum, f.vat)


def settlement_view(r: SettlementReport) -> SettlementReportView:
    return SettlementReportView(
        date=r.day,
        since=r.since,
        until=r.until,
        rows=[
            SettlementRowView(
                x.channel, x.pay_method, _figures(x.ours), _figures(x.iamport), x.matches
            )
            for x in r.rows
        ],
        differences=[
            DifferenceView(
                d.merchant_uid,
                d.imp_uid,
                d.what,
                d.ours_amount,
                d.ours_cancelled,
                d.iamport_amount,
                d.iamport_cancelled,
            )  # fmt: skip
            for d in r.differences
        ],
        manual_bank_refunds=r.manual_bank_refunds,
        errors=r.errors,
    )
