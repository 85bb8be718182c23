"""The 정산 report on the admin API (JSON and CSV) and on the command line."""

import csv
import io
from datetime import timedelta

import pytest

from adapters.cli import main, settlement_report
from adapters.reports.settlement import DIFF_HEADER, ROW_HEADER, to_csv, to_text
from domain.seoul import seoul_date
from tests.http.conftest import Api, assert_problem, paid_order


async def test_the_report_lists_the_day_and_a_console_cancel_as_a_difference(api: Api) -> None:
    order = await paid_order(api)
    api.gateway.update_payment(order["imp_uid"], cancel_amount=4000, cancel_reason="콘솔 취소")
    day = seoul_date(api.clock.now()).isoformat()

    r = await api.get(f"/api/admin/settlements?date={day}", who="admin")
    assert r.status_code == 200, r.text
    body = r.json()
    [row] = body["rows"]
    assert (row["ours"]["paid_sum"], row["iamport"]["cancelled_sum"], row["matches"]) == (
        10000,
        4000,
        False,
    )
    assert [(d["merchant_uid"], d["difference"]) for d in body["differences"]] == [
        (order["merchant_uid"], "cancelled")
    ]

    r = await api.get(f"/api/admin/settlements.csv?date={day}", who="admin")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.text)))
    assert lines[0] == ROW_HEADER and DIFF_HEADER in lines
    assert lines[lines.index(DIFF_HEADER) + 1][1:4] == [
        order["merchant_uid"],
        order["imp_uid"],
        "cancelled",
    ]


async def test_a_bad_date_is_a_400_and_no_date_is_yesterday_in_seoul(api: Api) -> None:
    for query in ("?date=2026-02-30", "?date=yesterday"):
        r = await api.get(f"/api/admin/settlements{query}", who="admin")
        assert_problem(r, 400, "validation_error")
    r = await api.get("/api/admin/settlements", who="admin")
    yesterday = seoul_date(api.clock.now()) - timedelta(days=1)
    assert (r.status_code, r.json()["date"]) == (200, yesterday.isoformat())
    r = await api.get("/api/admin/settlements?date=2026-03-02", who="a")
    assert r.status_code == 403


async def test_the_command_line_report_is_the_same_report(api: Api) -> None:
    await paid_order(api)
    day = seoul_date(api.clock.now())
    report = await settlement_report(api.config, day, api.container)

    assert to_csv(report).splitlines()[1].split(",")[:7] == [
        day.isoformat(), "nice", "card", "ours", "1", "10000", "0",
    ]  # fmt: skip
    assert "no differences" in to_text(report)


@pytest.mark.parametrize("days", [-1, 401, 365 * 2025])
async def test_a_date_beyond_today_or_400_days_back_is_refused_naming_it(
    api: Api, days: int
) -> None:
    day = (seoul_date(api.clock.now()) - timedelta(days=days)).isoformat()
    for path in ("/api/admin/settlements", "/api/admin/settlements.csv"):
        r = await api.get(f"{path}?date={day}", who="admin")
        assert assert_problem(r, 400, "invalid_value")["field"] == "date"
    oldest = (seoul_date(api.clock.now()) - timedelta(days=400)).isoformat()
    assert (await api.get(f"/api/admin/settlements?date={oldest}", who="admin")).status_code == 200


def test_the_command_line_refuses_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "settlement", "--date", "2026-13-01"])
    assert exited.value.code == 2 and "is not a date YYYY-MM-DD" in capsys.readouterr().err


def test_the_command_line_refuses_a_date_far_back(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("DOLGO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/report.db")
    assert main(["report", "settlement", "--date", "0001-01-01"]) == 2
    assert "--date: must be today or up to 400 days back" in capsys.readouterr().err
