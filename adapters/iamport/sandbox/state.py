"""The state object of one sandbox instance (`app.state.sandbox`)."""

from __future__ import annotations

from urllib.parse import unquote

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
        return str(request.base_url).rstrip("/") + mount_prefix(request.scope)


# how route handlers receive the state (Litestar named dependency "sandbox")
SandboxDep = NamedDependency[SandboxState]


def mount_prefix(scope) -> str:
    """The path prefix a host app mounted us under: raw_path minus the path we routed on."""
    raw = unquote(scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0])
    path = scope.get("path", "")
    root = scope.get("root_path", "")
    if root and raw.startswith(root):
        raw = raw[len(root) :]
    if path and path != "/" and raw.endswith(path):
        return raw[: -len(path)].rstrip("/")
    return ""
