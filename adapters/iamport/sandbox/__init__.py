"""An iamport (PortOne V1) compatible sandbox: REST API, PG window, webhooks, fault switches.

`create_sandbox_app(config)` builds the ASGI app; its state is `app.state.sandbox`.
"""

from .app import create_sandbox_app
from .config import ChannelSpec, SandboxConfig, WebhookOptions

__all__ = ["ChannelSpec", "SandboxConfig", "WebhookOptions", "create_sandbox_app"]
