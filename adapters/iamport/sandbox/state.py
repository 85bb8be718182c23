"""The state object of one sandbox instance (`app.state.sandbox`)."""

from __future__ import annotations

from litestar.di import NamedDependency

from .config import SandboxConfig
from .faults import FaultInjector
from .store import Store
from .webhooks import WebhookSender


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = Store(config)
        self.webhooks = WebhookSender(
            config.webhooks, config.webhook_url, self.store.clock, config.webhook_transport
        )
        self.faults = FaultInjector(config.hold_seconds)
        self.windows: dict = {}

    def reset(self) -> None:
        self.store.reset()
        self.webhooks.reset()
        self.webhooks.options = self.config.webhooks
        self.webhooks.console_url = self.config.webhook_url
        self.faults.reset()
        self.windows.clear()

    def base_url(self, request) -> str:
        """Where this sandbox is reachable: config.public_url, else derived from the request."""
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        return str(request.base_url).rstrip("/")


# how route handlers receive the state (Litestar named dependency "sandbox")
SandboxDep = NamedDependency[SandboxState]
