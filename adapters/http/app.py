"""`create_app(container)`: the one Litestar app of dolgo-pay.

Its lifespan initialises the container's Resources (engine, iamport client) and closes them at
shutdown; in demo mode it also runs the mounted sandbox's lifespan. Everything the handlers
need arrives through Litestar's `Provide` from the container (deps.py).
"""

import asyncio
import contextlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from litestar import Litestar, Request, Response, Router, asgi, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.plugins.prometheus import PrometheusController
from litestar.types import ASGIApp, Receive, Scope, Send

from adapters.config import AppConfig
from adapters.container import Container
from adapters.http.answer_problems import AnswerProblems
from adapters.http.auth import NO_TOKEN, PUBLIC, Principal, jwt_auth, principal
from adapters.http.bodies import StrictRequest
from adapters.http.console import create_console_router
from adapters.http.controllers.admin_channels import AdminChannelController
from adapters.http.controllers.admin_events import (
    AdminEventController,
    AdminEventDeliveryController,
)
from adapters.http.controllers.admin_key_in import AdminKeyInController
from adapters.http.controllers.admin_me import AdminMeController
from adapters.http.controllers.admin_orders import AdminOrderController
from adapters.http.controllers.admin_payments import AdminPaymentController
from adapters.http.controllers.admin_reconcile import AdminReconcileController
from adapters.http.controllers.admin_repairs import AdminRepairController
from adapters.http.controllers.admin_settlements import AdminSettlementController
from adapters.http.controllers.admin_webhooks import AdminWebhookController
from adapters.http.controllers.billing import BillingController
from adapters.http.controllers.cards import CardController
from adapters.http.controllers.cash_receipts import (
    AdminCashReceiptController,
    CashReceiptController,
)
from adapters.http.controllers.demo import DemoTokenController
from adapters.http.controllers.health import HealthController
from adapters.http.controllers.orders import OrderController
from adapters.http.controllers.payments import PaymentController
from adapters.http.controllers.returns import PaymentReturnController
from adapters.http.controllers.subscriptions import SubscriptionController
from adapters.http.controllers.webhooks import WebhookController
from adapters.http.deps import container_dependencies, resolve
from adapters.http.errors import problem_details_plugin
from adapters.http.idempotency import IdempotencyDeps
from adapters.http.openapi import docs_assets, openapi_config
from adapters.http.rate_limit import rate_limit_middleware
from adapters.http.request_id import RequestId
from adapters.http.request_metrics import prometheus_config
from adapters.scheduler.lock import SchedulerLock
from adapters.scheduler.loop import run_scheduler

SANDBOX_PATH = "/sandbox"
MAX_BODY = 64 * 1024  # any request body: ours are a few hundred bytes


def _version() -> str:
    try:
        return version("dolgo-pay")
    except PackageNotFoundError:
        return "0.0.0"


class MetricsController(PrometheusController):
    path = "/metrics"
    opt = PUBLIC
    security = NO_TOKEN
    include_in_schema = True
    tags = ["operations"]

    # Litestar's handler declares no media type, so the document called it JSON.
    @get(
        operation_id="metrics",
        summary="Prometheus metrics (text exposition format)",
        media_type=MediaType.TEXT,
    )
    async def get(self) -> Response[bytes]:
        return await PrometheusController.get.fn(self)  # type: ignore[no-any-return]


def _me(request: Request[Any, Any, Any]) -> Principal:
    return principal(request)


def _sandbox_mount(sandbox: Litestar) -> Any:
    @asgi(SANDBOX_PATH, is_mount=True, copy_scope=True, opt=PUBLIC, include_in_schema=False)
    async def sandbox_mount(scope: Scope, receive: Receive, send: Send) -> None:
        await sandbox(scope, receive, send)

    return sandbox_mount


def _make_sandbox(config: AppConfig) -> Litestar:
    from adapters.iamport.sandbox.app import create_sandbox_app
    from adapters.iamport.sandbox.config import SandboxConfig

    return create_sandbox_app(SandboxConfig(public_url=config.gateway_url))


def _demo_page(config: AppConfig) -> list[Any]:
    """The demo page at `/` (demo mode), once adapters/http/demo/ exists (built separately)."""
    if config.production or importlib.util.find_spec("adapters.http.demo") is None:
        return []
    from adapters.http.demo import create_demo_router

    page = create_demo_router(
        iamport_js_url=f"{SANDBOX_PATH}/js/iamport.js"
        if config.sandbox
        else "https://cdn.iamport.kr/v1/iamport.js",
        merchant_code=config.iamport_merchant_code,
        sandbox_url=SANDBOX_PATH if config.sandbox else None,
    )
    return [Router(path="/", route_handlers=[page], opt=PUBLIC, include_in_schema=False)]


def create_app(
    container: Container, *, sandbox: ASGIApp | None = None, scheduler_lock: str | None = None
) -> Litestar:
    """The app for `container`. In sandbox mode the sandbox is mounted at /sandbox (pass
    `sandbox` to mount a prepared one, e.g. in tests). `scheduler_lock`: the file the workers
    of one `serve` share, so that one of them runs the scheduler."""
    config: AppConfig = container.config()
    auth = jwt_auth(config.jwt_secret)

    handlers: list[Any] = [
        HealthController,
        MetricsController,
        OrderController,
        PaymentController,
        PaymentReturnController,
        WebhookController,
        CardController,
        BillingController,
        SubscriptionController,
        AdminMeController,
        AdminOrderController,
        AdminPaymentController,
        AdminWebhookController,
        AdminReconcileController,
        AdminChannelController,
        docs_assets(**PUBLIC),
        AdminEventController,
        AdminEventDeliveryController,
        AdminRepairController,
        AdminSettlementController,
        AdminKeyInController,
        CashReceiptController,
        AdminCashReceiptController,
    ]
    sandbox_app = None
    if config.sandbox and not config.production:
        sandbox_app = sandbox if sandbox is not None else _make_sandbox(config)
        handlers.append(_sandbox_mount(sandbox_app))  # type: ignore[arg-type]
    if config.demo_tokens and not config.production:
        handlers.append(DemoTokenController)
    handlers.extend(_demo_page(config))
    handlers.append(create_console_router(demo_tokens=config.demo_tokens and not config.production))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            started = container.init_resources()
            if started is not None:
                await started
            stack.push_async_callback(_shutdown, container)
            engine = await resolve(container.engine)
            if engine is not None:
                from adapters.persistence import check_schema

                await check_schema(engine)
            for store in shared_stores.values():
                await stack.enter_async_context(store)
            if isinstance(sandbox_app, Litestar):
                await stack.enter_async_context(sandbox_app.lifespan())
            if config.scheduler:
                scheduler = run_scheduler(container, lock=SchedulerLock(scheduler_lock))
                task = asyncio.create_task(scheduler, name="dolgo-pay scheduler")
                stack.push_async_callback(_stop, task)
            app.state.idempotency = IdempotencyDeps(
                uow=await resolve(container.uow_factory),
                clock=await resolve(container.clock),
                secret=config.secret.encode(),
                lease=config.idempotency_lease,
            )
            yield

    dependencies = {
        **container_dependencies(container),
        "me": Provide(_me, sync_to_thread=False),
        "jwt_secret": Provide(lambda: config.jwt_secret, sync_to_thread=False),
        "config": Provide(lambda: config, sync_to_thread=False),
    }
    shared_stores = _shared_stores(config)
    app = Litestar(
        stores=shared_stores,
        route_handlers=handlers,
        dependencies=dependencies,
        middleware=[
            prometheus_config().middleware,
            AnswerProblems,  # inside Prometheus: it sees the status of a middleware's error
            *rate_limit_middleware(
                config.rate_limits, config.trusted_proxies, config.webhook_allowed_ips
            ),
        ],
        plugins=[problem_details_plugin()],
        request_class=StrictRequest,
        request_max_body_size=MAX_BODY,
        on_app_init=[auth.on_app_init],
        openapi_config=openapi_config(_version()),
        lifespan=[lifespan],
        state=State({"container": container, "config": config}),
        # Logging is `serve`'s (adapters/logs.py, ADR 0023): Litestar's default would put the
        # root logger at INFO (a line per iamport call) and disable the loggers made before it.
        logging_config=None,
    )
    # Around everything, as Litestar's own CORS and OpenTelemetry wrappers are: route
    # middleware never sees a 404 or the mounted sandbox's own answers.
    app.asgi_handler = RequestId(app.asgi_handler)
    return app


def _shared_stores(config: AppConfig) -> dict[str, Any]:
    """Litestar stores every instance must see: Redis when DOLGO_REDIS_URL is set (keys under
    DOLGO_REDIS_PREFIX); without it Litestar's default in-memory store, per instance."""
    if config.redis_url is None:
        return {}
    from litestar.stores.redis import RedisStore

    root = RedisStore.with_client(url=config.redis_url, namespace=config.redis_prefix)
    return {"rate_limit": root.with_namespace("rate_limit")}


async def _stop(task: "asyncio.Task[None]") -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _shutdown(container: Container) -> None:
    stopped = container.shutdown_resources()
    if stopped is not None:
        await stopped
