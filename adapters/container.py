"""The composition root: one declarative container (dependency-injector).

Configuration picks SQLite or MySQL (by DOLGO_DATABASE_URL) and the sandbox or real iamport (by
DOLGO_IAMPORT_URL). The engine and the iamport client (its httpx.AsyncClient) are Resources:
made by `await container.init_resources()` in the app's lifespan (or a CLI job) and closed by
`await container.shutdown_resources()`; nothing is made at import time. Tests override
`uow_factory`, `gateway` and `clock` with the in-memory store, FakeGateway and FixedClock.

Litestar reaches the use cases through its own `Provide` (adapters/http/deps.py), which calls
these providers; no `@inject` wiring in handlers.
"""

import os
import secrets
import socket
from collections.abc import AsyncIterator
from typing import Any

from dependency_injector import containers, providers

from adapters.config import AppConfig
from adapters.memory.clock import SystemClock
from adapters.memory.ids import TimeOrderedIds
from adapters.metrics import counting, observe_channel, observe_gateway
from application.billing import BillingCharges
from application.channel_health import ChannelHealthBook
from application.channels import ChannelDirectory
from application.payment_sync import PaymentSync
from application.ports import UnitOfWorkFactory
from application.settings import PaymentSettings
from application.settlement import Settlement
from application.use_cases.attention import AcknowledgeAttention
from application.use_cases.cards import DeleteCard, ListCards
from application.use_cases.cash_receipts import (
    CashReceiptJanitor,
    ListCashReceipts,
    RequestCashReceipt,
)
from application.use_cases.channel_admin import ForceChannel, ListChannels
from application.use_cases.charge_cycle import ChargeCycle, ChargeDueSubscriptions
from application.use_cases.complete_payment import CompletePayment
from application.use_cases.create_checkout import CreateCheckout, RetryCheckout
from application.use_cases.deliver_events import DeliverEvents
from application.use_cases.event_log import (
    GetEvent,
    ListDeliveries,
    ListEvents,
    ResendEvent,
)
from application.use_cases.expire_unpaid import ExpireAbandonedOrders, ExpireVbanks
from application.use_cases.handle_webhook import ProcessDueWebhooks, ProcessWebhook, ReceiveWebhook
from application.use_cases.key_in import KeyInPayment
from application.use_cases.one_click import NewCardCharge, PayWithCard
from application.use_cases.payment_story import GetPaymentStory
from application.use_cases.purge_events import PurgeDeliveredEvents
from application.use_cases.purge_idempotency import PurgeIdempotencyKeys
from application.use_cases.queries import (
    GetOrder,
    GetPayment,
    ListInbox,
    ListOrders,
    SearchPayments,
)
from application.use_cases.reconcile import LastReconcileReports, Reconcile
from application.use_cases.refund import RecordManualRefund, RequestRefund
from application.use_cases.refund_check import CheckRefund
from application.use_cases.register_card import RegisterCard, ResolveCardIssuance
from application.use_cases.reprocess_webhook import ReprocessWebhook
from application.use_cases.resolve_unknown import (
    ListUnknownOutcomes,
    ResolveUnknownCancellations,
    ResolveUnknownPayments,
)
from application.use_cases.settle_cancellation import SettleUnknownCancellation
from application.use_cases.settle_unknown import SettleUnknownPayment
from application.use_cases.settlement_report import BuildSettlementReport
from application.use_cases.stuck_cards import ResolveStuckCardIssuances
from application.use_cases.stuck_work import ListStuckWork
from application.use_cases.subscriptions import (
    CancelSubscription,
    ChangeSubscription,
    ListSubscriptions,
    StartSubscription,
)
from application.use_cases.window_card import (
    CompleteWindowCardRegistration,
    StartBackupCardRegistration,
    StartWindowCardRegistration,
)


async def database_engine(config: AppConfig) -> AsyncIterator[Any]:
    """The async engine, for the life of the app."""
    from adapters.persistence import create_engine

    engine = create_engine(
        config.database_url, pool_size=config.db_pool_size, max_overflow=config.db_max_overflow
    )
    try:
        yield engine
    finally:
        await engine.dispose()


def sql_unit_of_work(engine: Any) -> UnitOfWorkFactory:
    from adapters.persistence import SqlUnitOfWorkFactory

    return SqlUnitOfWorkFactory(engine)  # type: ignore[no-any-return]


async def iamport_client(config: AppConfig) -> AsyncIterator[Any]:
    """The iamport client (one httpx.AsyncClient, cached token), for the life of the app."""
    from adapters.iamport.client import IamportClient

    client = IamportClient(
        config.gateway_url,
        config.iamport_key,
        config.iamport_secret,
        connect_timeout=config.iamport_connect_timeout,
        read_timeout=config.iamport_read_timeout,
        observer=observe_gateway,
    )
    try:
        yield client
    finally:
        await client.aclose()


async def event_sender(config: AppConfig, clock: Any) -> AsyncIterator[Any]:
    """The signed HTTP sender of outgoing events (one httpx.AsyncClient), for the life of the app."""
    from adapters.events.sender import HttpEventSender

    sender = HttpEventSender(config.events.endpoints, config.events.secrets, clock)
    try:
        yield sender
    finally:
        await sender.aclose()


def _event_endpoints(config: AppConfig) -> list[str]:
    return list(config.events.endpoints)


def _instance_name() -> str:
    """Who holds a lease: host, process and a random tag (a restarted process is another)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _settings(config: AppConfig) -> PaymentSettings:
    return config.payment_settings()


def _channels(config: AppConfig) -> ChannelDirectory:
    return config.channels


def vbank_closing_channels(channels: ChannelDirectory) -> list[str]:
    return [c.name for c in channels.channels if c.closes_vbanks]


class Container(containers.DeclarativeContainer):
    config = providers.Dependency(instance_of=AppConfig)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(TimeOrderedIds)
    settings = providers.Singleton(_settings, config)
    channels = providers.Singleton(_channels, config)

    engine = providers.Resource(database_engine, config)
    store = providers.Singleton(sql_unit_of_work, engine)
    uow_factory = providers.Singleton(counting, store)
    gateway = providers.Resource(iamport_client, config)

    settlement = providers.Singleton(Settlement, settings=settings, channels=channels)
    channel_health = providers.Singleton(
        ChannelHealthBook,
        uow=uow_factory,
        clock=clock,
        policy=providers.Callable(lambda s: s.breaker, settings),
        observer=observe_channel,
        fresh_for=1.0,  # unlocked reads: another instance's breaker change is seen within 1 s
    )
    list_channels = providers.Factory(ListChannels, channels=channels, health=channel_health)
    force_channel = providers.Factory(ForceChannel, channels=channels, health=channel_health)
    payment_sync = providers.Factory(
        PaymentSync, uow=uow_factory, gateway=gateway, settlement=settlement, clock=clock, ids=ids
    )

    # -- one-time payments through the PG window ---------------------------------------------
    create_checkout = providers.Factory(
        CreateCheckout,
        uow=uow_factory,
        gateway=gateway,
        clock=clock,
        ids=ids,
        settings=settings,
        channels=channels,
        settlement=settlement,
        health=channel_health,
    )
    retry_checkout = providers.Factory(
        RetryCheckout,
        uow=uow_factory,
        gateway=gateway,
        clock=clock,
        ids=ids,
        settings=settings,
        channels=channels,
        settlement=settlement,
        health=channel_health,
        sync=payment_sync,
    )
    complete_payment = providers.Factory(
        CompletePayment, uow=uow_factory, gateway=gateway, sync=payment_sync, clock=clock
    )

    # -- billing keys whose issuance is unsettled (window webhooks, the janitor) ------------------
    resolve_card_issuance = providers.Factory(
        ResolveCardIssuance,
        uow=uow_factory,
        gateway=gateway,
        clock=clock,
        channels=channels,
        settings=settings,
    )
    resolve_stuck_cards = providers.Factory(
        ResolveStuckCardIssuances,
        uow=uow_factory,
        resolve=resolve_card_issuance,
        clock=clock,
        settings=settings,
    )

    purge_idempotency_keys = providers.Factory(PurgeIdempotencyKeys, uow=uow_factory, clock=clock)
    purge_delivered_events = providers.Factory(PurgeDeliveredEvents, uow=uow_factory, clock=clock)

    # -- webhooks ------------------------------------------------------------------------------
    receive_webhook = providers.Factory(ReceiveWebhook, uow=uow_factory, clock=clock, ids=ids)
    process_webhook = providers.Factory(
        ProcessWebhook,
        uow=uow_factory,
        gateway=gateway,
        sync=payment_sync,
        clock=clock,
        settings=settings,
        cards=resolve_card_issuance,
    )
    process_due_webhooks = providers.Factory(
        ProcessDueWebhooks, uow=uow_factory, process=process_webhook, clock=clock
    )

    # -- refunds ---------------------------------------------------------------------------------
    request_refund = providers.Factory(
        RequestRefund,
        uow=uow_factory,
        gateway=gateway,
        clock=clock,
        ids=ids,
        settings=settings,
        settlement=settlement,
        channels=channels,
    )
    record_manual_refund = providers.Factory(
        RecordManualRefund, uow=uow_factory, clock=clock, ids=ids, settings=settings
    )

    # -- the janitor, reconciliation, expiry -----------------------------------------------------
    resolve_unknown_payments = providers.Factory(
        ResolveUnknownPayments,
        uow=uow_factory,
        gateway=gateway,
        sync=payment_sync,
        clock=clock,
        settings=settings,
    )
    resolve_unknown_cancellations = providers.Factory(
        ResolveUnknownCancellations,
        uow=uow_factory,
        gateway=gateway,
        settlement=settlement,
        clock=clock,
        settings=settings,
    )
    list_unknown_outcomes = providers.Factory(ListUnknownOutcomes, uow=uow_factory, clock=clock)

    # -- cash receipts (현금영수증) --------------------------------------------------------------------
    request_cash_receipt = providers.Factory(
        RequestCashReceipt,
        uow=uow_factory,
        gateway=gateway,
        clock=clock,
        ids=ids,
        settings=settings,
    )
    list_cash_receipts = providers.Factory(ListCashReceipts, uow=uow_factory)
    cash_receipt_janitor = providers.Factory(
        CashReceiptJanitor, uow=uow_factory, gateway=gateway, clock=clock, settings=settings
    )
    reconcile = providers.Factory(
        Reconcile, uow=uow_factory, gateway=gateway, sync=payment_sync, clock=clock
    )
    last_reconcile_reports = providers.Factory(LastReconcileReports, uow=uow_factory)
    expire_vbanks = providers.Factory(
        ExpireVbanks,
        uow=uow_factory,
        gateway=gateway,
        sync=payment_sync,
        clock=clock,
        closing_channels=providers.Callable(vbank_closing_channels, channels),
    )
    expire_orders = providers.Factory(
        ExpireAbandonedOrders,
        uow=uow_factory,
        sync=payment_sync,
        clock=clock,
        settings=settings,
    )

    # -- billing keys: one-click and monthly -------------------------------------------------
    billing_charges = providers.Factory(
        BillingCharges,
        uow=uow_factory,
        gateway=gateway,
        clock=clock,
        settings=settings,
        settlement=settlement,
        ids=ids,
        channels=channels,
        health=channel_health,
    )
    new_card_charge = providers.Factory(
        NewCardCharge,
        uow=uow_factory,
        clock=clock,
        ids=ids,
        settings=settings,
        charges=billing_charges,
    )
    pay_with_card = providers.Factory(PayWithCard, new_charge=new_card_charge)
    key_in_payment = providers.Factory(
        KeyInPayment,
        uow=uow_factory,
        gateway=gateway,
        clock=clock,
        ids=ids,
        channels=channels,
        settings=settings,
        charges=billing_charges,
        health=channel_health,
    )
    start_subscription = providers.Factory(
        StartSubscription, settings=settings, new_charge=new_card_charge
    )
    list_subscriptions = providers.Factory(ListSubscriptions, uow=uow_factory)
    change_subscription = providers.Factory(ChangeSubscription, uow=uow_factory, clock=clock)
    cancel_subscription = providers.Factory(CancelSubscription, uow=uow_factory, clock=clock)
    charge_cycle = providers.Factory(
        ChargeCycle,
        uow=uow_factory,
        clock=clock,
        ids=ids,
        settings=settings,
        charges=billing_charges,
        unknown=resolve_unknown_payments,
    )
    charge_due_subscriptions = providers.Factory(
        ChargeDueSubscriptions, uow=uow_factory, clock=clock, charge_cycle=charge_cycle
    )
    settle_unknown_payment = providers.Factory(
        SettleUnknownPayment,
        uow=uow_factory,
        clock=clock,
        channels=channels,
        settlement=settlement,
    )

    acknowledge_attention = providers.Factory(AcknowledgeAttention, uow=uow_factory, clock=clock)
    settle_unknown_cancellation = providers.Factory(
        SettleUnknownCancellation, uow=uow_factory, clock=clock
    )
    build_settlement_report = providers.Factory(
        BuildSettlementReport, uow=uow_factory, gateway=gateway, clock=clock
    )
    reprocess_webhook = providers.Factory(
        ReprocessWebhook, uow=uow_factory, process=process_webhook, clock=clock
    )

    # -- outgoing events ---------------------------------------------------------------------
    instance = providers.Singleton(_instance_name)
    event_sender = providers.Resource(event_sender, config, clock)
    deliver_events = providers.Factory(
        DeliverEvents,
        uow=uow_factory,
        sender=event_sender,
        clock=clock,
        ids=ids,
        endpoints=providers.Callable(_event_endpoints, config),
        owner=instance,
    )
    list_events = providers.Factory(ListEvents, uow=uow_factory)
    get_event = providers.Factory(GetEvent, uow=uow_factory)
    list_event_deliveries = providers.Factory(ListDeliveries, uow=uow_factory)
    resend_event = providers.Factory(ResendEvent, uow=uow_factory, clock=clock)

    # -- queries ---------------------------------------------------------------------------------
    list_orders = providers.Factory(ListOrders, uow=uow_factory)
    get_order = providers.Factory(GetOrder, uow=uow_factory)
    get_payment = providers.Factory(GetPayment, uow=uow_factory)
    search_payments = providers.Factory(SearchPayments, uow=uow_factory)
    list_inbox = providers.Factory(ListInbox, uow=uow_factory)
    get_payment_story = providers.Factory(GetPaymentStory, uow=uow_factory)
    list_stuck_work = providers.Factory(ListStuckWork, uow=uow_factory, clock=clock)
    check_refund = providers.Factory(
        CheckRefund, uow=uow_factory, clock=clock, settings=settings, channels=channels
    )

    # -- cards (part B) ---------------------------------------------------------------------
    register_card = providers.Factory(
        RegisterCard,
        uow=uow_factory,
        gateway=gateway,
        clock=clock,
        ids=ids,
        channels=channels,
        settings=settings,
    )
    start_window_card = providers.Factory(
        StartWindowCardRegistration,
        uow=uow_factory,
        clock=clock,
        ids=ids,
        channels=channels,
        settings=settings,
    )
    start_backup_card = providers.Factory(
        StartBackupCardRegistration, uow=uow_factory, channels=channels, settings=settings
    )
    complete_window_card = providers.Factory(
        CompleteWindowCardRegistration,
        uow=uow_factory,
        gateway=gateway,
        clock=clock,
        channels=channels,
        settings=settings,
    )
    list_cards = providers.Factory(ListCards, uow=uow_factory)
    delete_card = providers.Factory(DeleteCard, uow=uow_factory, gateway=gateway, clock=clock)


def build_container(config: AppConfig) -> Container:
    return Container(config=config)


def use_in_memory(
    container: Container, *, store: Any, gateway: Any, clock: Any = None, ids: Any = None
) -> None:
    """Swap the real adapters for fakes (tests, and anyone trying the API without a DB)."""
    container.engine.override(providers.Object(None))
    container.store.override(providers.Object(store))
    container.gateway.override(providers.Object(gateway))
    if clock is not None:
        container.clock.override(providers.Object(clock))
    if ids is not None:
        container.ids.override(providers.Object(ids))
