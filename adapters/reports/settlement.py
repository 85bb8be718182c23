"""The 정산 report as CSV (one section per table) and as a plain table for a terminal."""

import csv
import io

from application.use_cases.settlement_report import SettlementReport

ROW_HEADER = [
    "date", "channel", "pay_method", "side", "paid_count", "paid_sum", "cancelled_sum", "net",
    "tax_free_sum", "vat",
]  # fmt: skip
DIFF_HEADER = [
    "date", "merchant_uid", "imp_uid", "difference", "ours_amount", "ours_cancelled",
    "iamport_amount", "iamport_cancelled",
]  # fmt: skip


def _blank(value: object) -> object:
    return "" if value is None else value


def figure_lines(report: SettlementReport) -> list[list[object]]:
    lines: list[list[object]] = []
    for row in report.rows:
        for side, f in (("ours", row.ours), ("iamport", row.iamport)):
            lines.append(
                [
                    report.day.isoformat(),
                    row.channel,
                    row.pay_method,
                    side,
                    f.paid_count,
                    f.paid_sum,
                    f.cancelled_sum,
                    f.net,
                    _blank(f.tax_free_sum),
                    _blank(f.vat),
                ]  # fmt: skip
            )
    return lines


def difference_lines(report: SettlementReport) -> list[list[object]]:
    return [
        [
            report.day.isoformat(),
            d.merchant_uid,
            _blank(d.imp_uid),
            d.what,
            _blank(d.ours_amount),
            _blank(d.ours_cancelled),
            _blank(d.iamport_amount),
            _blank(d.iamport_cancelled),
        ]  # fmt: skip
        for d in report.differences
    ]


def to_csv(report: SettlementReport) -> str:
    """Figures, a blank line, then the differences by payment (each with its header)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROW_HEADER)
    writer.writerows(figure_lines(report))
    writer.writerow([])
    writer.writerow(DIFF_HEADER)
    writer.writerows(difference_lines(report))
    return out.getvalue()


def to_text(report: SettlementReport) -> str:
    lines = [f"정산 {report.day.isoformat()} (Asia/Seoul)"]
    table = [ROW_HEADER[1:], *[line[1:] for line in figure_lines(report)]]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
    lines += ["  ".join(str(v).rjust(w) for v, w in zip(r, widths, strict=True)) for r in table]
    if report.manual_bank_refunds:
        lines.append(f"refunded by bank transfer (not at iamport): {report.manual_bank_refunds}")
    if report.differences:
        lines.append(f"{len(report.differences)} payments differ:")
        lines += [
            f"  {d.merchant_uid} {d.imp_uid or '-'} {d.what}: ours {d.ours_amount}/"
            f"{d.ours_cancelled}, iamport {d.iamport_amount}/{d.iamport_cancelled}"
            for d in report.differences
        ]
    else:
        lines.append("no differences")
    lines += [f"error: {e}" for e in report.errors]
    return "\n".join(lines) + "\n"
