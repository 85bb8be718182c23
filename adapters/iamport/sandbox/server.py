"""`dolgo-pay sandbox`: the sandbox alone, over HTTP with uvicorn."""

from __future__ import annotations

import uvicorn

from adapters.logs import log_config

from . import cards
from .app import create_sandbox_app
from .config import SandboxConfig


def banner(config: SandboxConfig, url: str) -> str:
    lines = [
        f"iamport sandbox on {url}  (REST API base: {url}/ ; iamport.js: {url}/js/iamport.js)",
        f"  imp_key={config.imp_key}  imp_secret={config.imp_secret}  IMP.init('{config.merchant_code}')",
        f"  operator controls: {url}/_sandbox  (webhook console URL: {config.webhook_url or 'none'})",
        "  channels: "
        + ", ".join(
            f"{c.pg_provider}.{c.pg_id}{' [test]' if c.test else ''}" for c in config.channels
        ),
        "  test cards:",
    ]
    for card in cards.TEST_CARDS:
        lines.append(f"    {card.label}")
    return "\n".join(lines)


def run(host: str = "127.0.0.1", port: int = 8090, config: SandboxConfig | None = None) -> None:
    url = f"http://{host}:{port}"
    if config is None:  # on a wildcard address links are derived from each request instead
        config = SandboxConfig(public_url=None if host in ("0.0.0.0", "::") else url)
    print(banner(config, config.public_url or url), flush=True)
    uvicorn.run(
        create_sandbox_app(config), host=host, port=port, log_level="info", log_config=log_config()
    )
