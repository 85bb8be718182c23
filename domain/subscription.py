"""Monthly sponsorship (정기후원): billing day, cycles, attempts and dunning."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.errors import InvalidValue
from domain.money import Amount
from domain.seoul import seoul_date, seoul_moment


def billing_date(year: int, month: int, billing_day: int) -> date:
    """Billing day 29–31 falls back to the month's last day."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(billing_day, last))


def next_month(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


@dataclass(frozen=True, slots=True)
class DunningPolicy:
    """Days after a declined cycle attempt at which it is retried; then the sponsorship ends."""

    retry_after_days: tuple[int, ...] = (1, 3, 7)

    def retry_at(self, attempt: int, declined_at: datetime) -> datetime | None:
        """When to retry after attempt `attempt` (1-based) was declined; None when exhausted."""
        if attempt > len(self.retry_after_days):
            return None
        return declined_at + timedelta(days=self.retry_after_days[attempt - 1])


@dataclass
class Subscription:
    billing_day: int
    card_id: int
    charge_hour: int = 10  # Asia/Seoul hour at which cycles are charged
    cycle: int = 1  # the cycle being charged, or the last one charged
    attempt: int = 0  # attempts made for `cycle`
    cycle_paid: bool = False
    next_charge_at: datetime | None = None  # UTC; None while a charge is in flight or after the end
    cycle_due_on: date | None = None  # Seoul date `cycle` fell due (the first: the start date)
    next_amount: Amount | None = None  # a changed amount, from the next cycle on

    def __post_init__(self) -> None:
        validate_billing_day(self.billing_day)
        if not 0 <= self.charge_hour <= 23:
            raise InvalidValue("charge_hour", "must be an hour from 0 to 23")

    def due_after(self, paid_at: datetime) -> datetime:
        """The next cycle's charge time: the billing day of the month after the one the paid
        cycle fell due in — not the month its payment landed in (a dunning retry or a late
        scheduler run may pay it in the next month). A time already past is charged at the
        scheduler's next run, never skipped. Rows from before `cycle_due_on` count from
        `paid_at`."""
        y, m = next_month(self.cycle_due_on or seoul_date(paid_at))
        return seoul_moment(billing_date(y, m, self.billing_day), self.charge_hour)

    def change_billing_day(self, billing_day: int, now: datetime) -> None:
        """The next cycle moves to the new day in the month it was planned for, or — when that
        day is already past — to the new day of the month after. A charge already due stays
        due (the scheduler's next run charges it): a cycle is never skipped. A cycle not yet
        paid keeps its retries; the day applies from the cycle after it."""
        self.billing_day = validate_billing_day(billing_day)
        due = self.next_charge_at
        if not self.cycle_paid or due is None or due <= now:
            return
        planned = seoul_date(due)
        moved = seoul_moment(
            billing_date(planned.year, planned.month, billing_day), self.charge_hour
        )
        if moved < now:
            y, m = next_month(planned)
            moved = seoul_moment(billing_date(y, m, billing_day), self.charge_hour)
        self.next_charge_at = moved

    def next_attempt(self) -> tuple[int, int]:
        """(cycle, attempt) of the next charge: a new cycle once the current one is paid."""
        if self.cycle_paid:
            return self.cycle + 1, 1
        return self.cycle, self.attempt + 1

    def begin_attempt(self, at: datetime) -> tuple[int, int]:
        self.cycle, self.attempt = self.next_attempt()
        if self.attempt == 1:
            # A new cycle falls due on the day it was scheduled for (the first: today).
            self.cycle_paid = False
            self.cycle_due_on = seoul_date(self.next_charge_at or at)
        self.next_charge_at = None
        return self.cycle, self.attempt

    def paid(self, paid_at: datetime) -> None:
        self.cycle_paid = True
        self.next_charge_at = self.due_after(paid_at)

    def retry_at(self, at: datetime | None) -> None:
        self.next_charge_at = at


def validate_billing_day(day: int) -> int:
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 31:
        raise InvalidValue("billing_day", "must be a day of the month from 1 to 31")
    return day
