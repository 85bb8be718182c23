"""정산 report: one Seoul day's payments, from our records beside iamport's, per channel and
method, with every payment on which the two disagree.

A payment belongs to the day it was paid (Asia/Seoul), on both sides: ours by `paid_at`,
iamport's by its `paid_at` in the listing of `/payments/status/all` (asked from the day before
to now, so that a payment paid on the day and cancelled later is still listed). Cancelled sums
are what each side knows refunded of those payments so far; bank transfers an operator made
(which iamport never sees) are shown apart and left out of the comparison.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from application.errors import NotFoundError
from application.gateway import Approved, GatewayPayment, IamportGateway, NotFound
from application.payment_sync import decisive_try
from application.ports import Clock, Page, PaymentFilter, UnitOfWorkFactory
from application.use_cases.actor import Actor
from domain.cancellation import manually_refunded
from domain.errors import InvalidValue
from domain.money import vat_of
from domain.payment import Payment
from domain.seoul import seoul_date, seoul_moment

_PAGE = 500
# iamport is listed from the day before the report's day to now: a day far back would page
# through years of listings (a date in year 1 never finished).
MAX_AGE = timedelta(days=400)


@dataclass
class Figures:
    paid_count: int = 0
    paid_sum: int = 0
    cancelled_sum: int = 0
    tax_free_sum: int | None = 0  # None: iamport's listing does not carry it
    vat: int | None = 0

    @property
    def net(self) -> int:
        return self.paid_sum - self.cancelled_sum


@dataclass
class SettlementRow:
    channel: str  # our channel; iamport's pg_provider for a payment we do not know
    pay_method: str
    ours: Figures = field(default_factory=Figures)
    iamport: Figures = field(default_factory=lambda: Figures(tax_free_sum=None, vat=None))

    @property
    def matches(self) -> bool:
        o, i = self.ours, self.iamport
        return (o.paid_count, o.paid_sum, o.cancelled_sum) == (
            i.paid_count,
            i.paid_sum,
            i.cancelled_sum,
        )


@dataclass(frozen=True, slots=True)
class Difference:
    merchant_uid: str
    imp_uid: str | None
    what: str  # missing_at_iamport | missing_here | amount | cancelled
    ours_amount: int | None
    ours_cancelled: int | None
    iamport_amount: int | None
    iamport_cancelled: int | None


@dataclass
class SettlementReport:
    day: date
    since: datetime
    until: datetime
    rows: list[SettlementRow]
    differences: list[Difference]
    manual_bank_refunds: int = 0  # refunded by operators' own transfers (not at iamport)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SettlementReportQuery:
    operator: Actor
    day: date | None = None  # default: yesterday in Seoul (the last day that is over)


class BuildSettlementReport:
    def __init__(self, uow: UnitOfWorkFactory, gateway: IamportGateway, clock: Clock) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock

    async def execute(self, query: SettlementReportQuery) -> SettlementReport:
        if not query.operator.operator:
            raise NotFoundError("report not found")  # admin routes and the CLI only
        today = seoul_date(self._clock.now())
        day = query.day or today - timedelta(days=1)
        if not today - MAX_AGE <= day <= today:
            raise InvalidValue("date", f"must be today or up to {MAX_AGE.days} days back")
        since = seoul_moment(day)
        until = seoul_moment(day + timedelta(days=1))
        ours, manual = await self._ours(since, until)
        report = SettlementReport(day, since, until, [], [], manual)
        theirs = await self._iamport(since, until, report)
        rows: dict[tuple[str, str], SettlementRow] = {}

        def row(channel: str, method: str | None) -> SettlementRow:
            key = (channel, method or "?")
            return rows.setdefault(key, SettlementRow(*key))

        for payment, cancelled in ours.values():
            r = row(payment.channel, payment.pay_method).ours
            r.paid_count += 1
            r.paid_sum += payment.amount.total
            r.cancelled_sum += cancelled
            r.tax_free_sum = (r.tax_free_sum or 0) + payment.amount.tax_free
            r.vat = (r.vat or 0) + vat_of(payment.amount.taxable)
        for uid, record in theirs.items():
            known = ours.get(uid)
            channel = known[0].channel if known else (record.pg_provider or "?")
            method = known[0].pay_method if known else record.pay_method
            r = row(channel, method).iamport
            r.paid_count += 1
            r.paid_sum += record.amount
            r.cancelled_sum += record.cancel_amount
        report.rows = [rows[k] for k in sorted(rows)]
        report.differences = list(_differences(ours, theirs))
        return report

    async def _ours(
        self, since: datetime, until: datetime
    ) -> tuple[dict[str, tuple[Payment, int]], int]:
        """Paid on the day: merchant_uid → (payment, refunded at iamport so far)."""
        found: dict[str, tuple[Payment, int]] = {}
        manual_total = 0
        async with self._uow() as uow:
            offset = 0
            while True:
                page = await uow.payments.search(
                    PaymentFilter(paid_from=since, paid_to=until), Page(_PAGE, offset)
                )
                for p in page:
                    manual = manually_refunded(await uow.cancellations.for_payment(p.id))
                    manual_total += manual
                    found[p.merchant_uid] = (p, p.cancelled_amount - manual)
                if len(page) < _PAGE:
                    break
                offset += _PAGE
        return found, manual_total

    async def _iamport(
        self, since: datetime, until: datetime, report: SettlementReport
    ) -> dict[str, GatewayPayment]:
        listed = await self._gateway.list_payments(
            "all", since - timedelta(days=1), max(until, self._clock.now())
        )
        if isinstance(listed, NotFound):
            return {}
        if not isinstance(listed, Approved):
            report.errors.append(f"iamport's listing did not answer: {listed!r}")
            return {}
        tries: dict[str, list[GatewayPayment]] = defaultdict(list)
        for record in listed.value:
            if not record.sandbox:
                tries[record.merchant_uid].append(record)
        paid = {}
        for uid, records in tries.items():
            decisive = decisive_try(records)
            if decisive and decisive.paid_at is not None and since <= decisive.paid_at < until:
                paid[uid] = decisive
        return paid


def _differences(
    ours: dict[str, tuple[Payment, int]], theirs: dict[str, GatewayPayment]
) -> Iterable[Difference]:
    for uid in sorted(set(ours) | set(theirs)):
        mine, record = ours.get(uid), theirs.get(uid)
        payment, cancelled = mine if mine else (None, None)
        amount = payment.amount.total if payment else None
        what = None
        if record is None:
            what = "missing_at_iamport"
        elif payment is None:
            what = "missing_here"
        elif amount != record.amount:
            what = "amount"
        elif cancelled != record.cancel_amount:
            what = "cancelled"
        if what is None:
            continue
        yield Difference(
            merchant_uid=uid,
            imp_uid=(record.imp_uid if record else payment.imp_uid if payment else None),
            what=what,
            ours_amount=amount,
            ours_cancelled=cancelled,
            iamport_amount=record.amount if record else None,
            iamport_cancelled=record.cancel_amount if record else None,
        )
