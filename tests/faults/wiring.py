"""What the fault tests share: a clock they move, and the composed container on a served
sandbox with the real client and a real database."""

from datetime import UTC, datetime, timedelta

from dependency_injector import providers

from adapters.config import load_config
from adapters.container import Container, build_container, use_in_memory
from adapters.iamport.client import IamportClient
from application.ports import UnitOfWorkFactory


class MovableClock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def container_on(
    base_url: str,
    store: UnitOfWorkFactory,
    client: IamportClient,
    clock: MovableClock,
    read_timeout: float,
    **env: str,
) -> Container:
    """The production composition (demo channels, scheduler off) against the sandbox at
    `base_url`, with the gateway timeouts of `client`; `env` adds DOLGO_* settings."""
    config = load_config(
        {
            "DOLGO_SANDBOX": "off",
            "DOLGO_SCHEDULER": "off",
            "DOLGO_IAMPORT_URL": base_url,
            "DOLGO_IAMPORT_CONNECT_TIMEOUT": str(read_timeout),
            "DOLGO_IAMPORT_READ_TIMEOUT": str(read_timeout),
            "DOLGO_PUBLIC_BASE_URL": "https://pay.dolgo.example",
            "DOLGO_JWT_SECRET": "fault-tests-jwt-secret-0123456789abcdef01",
            "DOLGO_SECRET": "fault-tests-service-secret-0123456789abcd",
            **env,
        }
    )
    container = build_container(config)
    use_in_memory(container, store=store, gateway=client)
    container.clock.override(providers.Object(clock))
    return container
