"""GET /health (the process is up) and GET /ready (database; iamport reported, not fatal).

/ready is 200 while iamport is unreachable, on purpose: an iamport outage must not take every
instance out of the load balancer, which would stop webhooks, history, refunds bookkeeping and
the console with it; payments meanwhile answer 503 `gateway_unavailable`. The probe's result is
the gauge `dolgo_pay_iamport_reachable`, to alert on.
"""

import asyncio
from typing import Any, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec

from adapters.http.auth import NO_TOKEN, PUBLIC
from adapters.metrics import iamport_probed
from application.gateway import (
    GatewayConfigurationError,
    IamportGateway,
    NotAttempted,
    Unknown,
)
from application.ports import Page, UnitOfWorkFactory

PROBE_TIMEOUT = 3.0
PROBE_MERCHANT_UID = "dolgo_ready_probe"


class Health(msgspec.Struct):
    status: Literal["ok"]


class Readiness(msgspec.Struct):
    status: Literal["ready", "not_ready"]
    database: Literal["ok", "unavailable"]
    iamport: Literal["ok", "unreachable", "misconfigured"]


async def _database(uow: UnitOfWorkFactory) -> bool:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            async with uow() as u:
                await u.webhooks.search(None, Page(limit=1))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False


async def _iamport(gateway: IamportGateway) -> Literal["ok", "unreachable", "misconfigured"]:
    """An authenticated, read-only call: NotFound / Rejected prove iamport answered."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            outcome = await gateway.get_prepared(PROBE_MERCHANT_UID)
    except GatewayConfigurationError:
        return "misconfigured"
    except Exception:  # noqa: BLE001
        return "unreachable"
    return "unreachable" if isinstance(outcome, NotAttempted | Unknown) else "ok"


class HealthController(Controller):
    path = "/"
    tags = ["operations"]
    opt = PUBLIC
    security = NO_TOKEN
    include_in_schema = True

    @get("/health", operation_id="health", summary="Liveness: the process answers")
    async def health(self) -> Health:
        return Health("ok")

    @get(
        "/ready",
        operation_id="ready",
        summary="Readiness: 200 when the database answers (iamport is reported, not fatal)",
        responses={503: ResponseSpec(Readiness, description="the database does not answer")},
    )
    async def ready(
        self,
        uow_factory: NamedDependency[Any],
        gateway: NamedDependency[Any],
    ) -> Response[Readiness]:
        database, iamport = await asyncio.gather(_database(uow_factory), _iamport(gateway))
        iamport_probed(iamport == "ok")
        body = Readiness(
            status="ready" if database else "not_ready",
            database="ok" if database else "unavailable",
            iamport=iamport,
        )
        return Response(body, status_code=200 if database else 503)
