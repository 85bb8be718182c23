"""Payment lookups: GET /payments/{imp_uid}, /payments, /payments/find, /findAll, /status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import msgspec
from litestar import Request, Response, get
from litestar.params import FromPath

from . import wire
from .state import SandboxDep, SandboxState
from .store import Payment

STATUSES = ("ready", "paid", "cancelled", "failed")
SORTINGS: dict[str, Callable[[Payment], tuple[int, int]]] = {
    "started": lambda p: (p.started_at, p.seq),
    "paid": lambda p: (p.paid_at, p.seq),
    "updated": lambda p: (p.updated_at, p.seq),
}
MAX_MULTI = 100
MAX_LIMIT = 1000
MAX_WINDOW = timedelta(days=90)


class Paging(msgspec.Struct):
    page: int = 1
    limit: int = 20
    sorting: str = "-started"


class StatusPaging(Paging):
    from_: int | None = msgspec.field(default=None, name="from")
    to: int | None = None


def _sort(payments: list[Payment], sorting: str, strict: bool = True) -> list[Payment]:
    key = SORTINGS.get(sorting.lstrip("-"))
    if key is None and not strict:
        sorting, key = "-started", SORTINGS["started"]
    if key is None:
        raise wire.BadRequest(f"sorting 값이 올바르지 않습니다: {sorting}", 400)
    return sorted(payments, key=key, reverse=sorting.startswith("-"))


def _check_paging(paging: Paging) -> None:
    if paging.page < 1 or not 1 <= paging.limit <= MAX_LIMIT:
        raise wire.BadRequest("page / limit 값이 올바르지 않습니다.", 400)


def _check_status(payment_status: str | None) -> None:
    if payment_status is not None and payment_status not in STATUSES:
        raise wire.BadRequest(f"payment_status 값이 올바르지 않습니다: {payment_status}", 400)


def _bodies(payments: list[Payment]) -> list[dict]:
    return [wire.payment_body(p) for p in payments]


@get("/payments/{imp_uid:str}", operation_id="getPaymentByImpUid")
async def get_payment(imp_uid: FromPath[str], request: Request, sandbox: SandboxDep) -> Response:
    include_sandbox = wire.query_of(request).get("include_sandbox", "false").lower() == "true"
    payment = sandbox.store.payments.get(imp_uid)
    if payment is None or (payment.sandbox and not include_sandbox):
        return wire.not_found()
    return wire.ok(wire.payment_body(payment))


@get("/payments", operation_id="getPaymentListByImpUid")
async def get_payments(request: Request, sandbox: SandboxDep) -> Response:
    query = wire.query_of(request)
    imp_uids = _as_list(query.get("imp_uid"))
    merchant_uids = _as_list(query.get("merchant_uid"))
    if not imp_uids and not merchant_uids:
        raise wire.BadRequest("imp_uid[] 또는 merchant_uid[] 파라메터가 필요합니다.")
    if len(imp_uids) + len(merchant_uids) > MAX_MULTI:
        raise wire.BadRequest(f"한 번에 최대 {MAX_MULTI}건까지 조회할 수 있습니다.")
    store = sandbox.store
    found: list[Payment] = []
    missing = 0
    for imp_uid in imp_uids:
        payment = store.payments.get(imp_uid)
        if payment is None:
            missing += 1
        else:
            found.append(payment)
    for merchant_uid in merchant_uids:
        payments = _sort(store.by_merchant_uid(merchant_uid), "-started")
        if payments:
            found.append(payments[0])  # like find: the latest attempt
        else:
            missing += 1
    if not found:
        return wire.fail(-1, "해당되는 결제건을 찾지 못하였습니다.", 404)
    return wire.ok(_bodies(found), status_code=207 if missing else 200)


def _find(sandbox: SandboxState, request: Request, merchant_uid: str, status: str | None):
    # swagger documents no 400 here: an unknown status finds nothing, a bad sorting is ignored
    sorting = str(wire.query_of(request).get("sorting", "-started"))
    payments = sandbox.store.by_merchant_uid(merchant_uid)
    if status is not None:
        payments = [p for p in payments if p.status == status]
    payments = _sort(payments, sorting, strict=False)
    return wire.ok(wire.payment_body(payments[0])) if payments else wire.not_found()


@get("/payments/find/{merchant_uid:str}", operation_id="getPaymentByMerchantUid")
async def find(merchant_uid: FromPath[str], request: Request, sandbox: SandboxDep) -> Response:
    return _find(sandbox, request, merchant_uid, None)


@get("/payments/find/{merchant_uid:str}/{payment_status:str}", operation_id="findByStatus")
async def find_by_status(
    merchant_uid: FromPath[str],
    payment_status: FromPath[str],
    request: Request,
    sandbox: SandboxDep,
) -> Response:
    return _find(sandbox, request, merchant_uid, payment_status)


def _find_all(
    sandbox: SandboxDep, request: Request, merchant_uid: FromPath[str], status: str | None
):
    _check_status(status)
    paging = _paging(request, Paging)
    _check_paging(paging)
    payments = sandbox.store.by_merchant_uid(merchant_uid)
    if status is not None:
        payments = [p for p in payments if p.status == status]
    if not payments:
        return wire.not_found()
    return wire.ok(wire.paged(_bodies(_sort(payments, paging.sorting)), paging.page, paging.limit))


@get("/payments/findAll/{merchant_uid:str}", operation_id="getAllPaymentsByMerchantUid")
async def find_all(merchant_uid: FromPath[str], request: Request, sandbox: SandboxDep) -> Response:
    return _find_all(sandbox, request, merchant_uid, None)


@get("/payments/findAll/{merchant_uid:str}/{payment_status:str}", operation_id="findAllByStatus")
async def find_all_by_status(
    merchant_uid: FromPath[str],
    payment_status: FromPath[str],
    request: Request,
    sandbox: SandboxDep,
) -> Response:
    return _find_all(sandbox, request, merchant_uid, payment_status)


_TIME_FIELD = {
    "all": lambda p: p.started_at,
    "ready": lambda p: p.started_at,
    "paid": lambda p: p.paid_at,
    "cancelled": lambda p: p.cancelled_at,
    "failed": lambda p: p.failed_at,
}


@get("/payments/status/{payment_status:str}", operation_id="getPaymentsByStatus")
async def by_status(
    payment_status: FromPath[str], request: Request, sandbox: SandboxDep
) -> Response:
    if payment_status not in _TIME_FIELD:
        raise wire.BadRequest(f"payment_status 값이 올바르지 않습니다: {payment_status}", 400)
    paging = _paging(request, StatusPaging)
    _check_paging(paging)
    now = sandbox.store.clock.timestamp()
    to = paging.to if paging.to is not None else now
    since = paging.from_ if paging.from_ is not None else to - int(MAX_WINDOW.total_seconds())
    if since > to or to - since > MAX_WINDOW.total_seconds():
        raise wire.BadRequest("조회 기간(from ~ to)은 최대 90일입니다.", 400)
    when = _TIME_FIELD[payment_status]
    payments = [
        p
        for p in sandbox.store.payments.values()
        if (payment_status == "all" or p.status == payment_status) and since <= when(p) <= to
    ]
    page = wire.paged(_bodies(_sort(payments, paging.sorting)), paging.page, paging.limit)
    if paging.page > 1 and not page["list"]:
        raise wire.BadRequest("page 값이 조회 가능한 범위를 벗어났습니다.", 400)
    return wire.ok(page)


def _paging(request: Request, kind):
    try:
        return wire.convert(wire.query_of(request), kind)
    except wire.BadRequest as exc:
        raise wire.BadRequest(str(exc), 400) from None


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


ROUTES = [get_payment, get_payments, find, find_by_status, find_all, find_all_by_status, by_status]
