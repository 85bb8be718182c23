"""Shared fixtures of the application tests: in-memory adapters and demo channels.

Kept small on purpose (parts A and B both use it): clock, ids, store, gateway, settings,
channels. Builders of orders and payments live beside each part's tests.
"""

from datetime import UTC, datetime

import pytest

from adapters.memory import FakeGateway, FixedClock, InMemoryStore, SequentialIds
from application.channels import Channel, ChannelDirectory, KeyIssuance
from application.settings import PaymentSettings

DEMO_CHANNELS = (
    Channel(
        name="nice",
        pg="nice",
        pg_provider="nice",
        methods=frozenset({"card"}),
        key_issuance=KeyIssuance.REST,
        priority=10,
        cancel_tax_fields=True,
    ),
    Channel(
        name="html5_inicis",
        pg="html5_inicis",
        pg_provider="html5_inicis",
        methods=frozenset({"card", "trans", "vbank", "phone"}),
        key_issuance=KeyIssuance.WINDOW,
        priority=20,
    ),
    Channel(
        name="kcp",
        pg="kcp",
        pg_provider="kcp",
        methods=frozenset({"trans", "vbank"}),
        priority=30,
        cancel_tax_fields=True,
    ),
    Channel(
        name="danal",
        pg="danal",
        pg_provider="danal",
        methods=frozenset({"phone"}),
        priority=40,
    ),
    Channel(
        name="test",
        pg="nice.test",
        pg_provider="nice",
        pg_ids=frozenset({"test"}),
        methods=frozenset({"card"}),
        priority=1000,
        test=True,
    ),
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 10:00 in Seoul


@pytest.fixture
def ids() -> SequentialIds:
    return SequentialIds()


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def gateway(clock: FixedClock) -> FakeGateway:
    return FakeGateway(clock=clock.now)


@pytest.fixture
def settings() -> PaymentSettings:
    return PaymentSettings(public_base_url="https://pay.dolgo.example")


@pytest.fixture
def channels() -> ChannelDirectory:
    return ChannelDirectory.of(DEMO_CHANNELS)
