"""DOLGO_EVENT_ENDPOINTS / DOLGO_EVENT_SECRETS: where outgoing events go, and their keys."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from adapters.config.errors import ConfigError
from adapters.events.signing import check_secret

ENDPOINTS = "DOLGO_EVENT_ENDPOINTS"
SECRETS = "DOLGO_EVENT_SECRETS"


@dataclass(frozen=True)
class EventConfig:
    endpoints: dict[str, str] = field(default_factory=dict)  # name -> URL
    secrets: tuple[str, ...] = field(default=(), repr=False)  # signing: new first, then old


def parse_event_config(
    endpoints: str | None, secrets: str | None, *, production: bool
) -> tuple[EventConfig, list[ConfigError]]:
    """`name=url,name=url` and `whsec_new whsec_old`; every problem named by its variable."""
    errors: list[ConfigError] = []
    parsed: dict[str, str] = {}
    for item in (s.strip() for s in (endpoints or "").split(",")):
        if not item:
            continue
        name, sep, url = (p.strip() for p in item.partition("="))
        parts = urlsplit(url)
        if not sep or not name or parts.scheme not in ("http", "https") or not parts.netloc:
            errors.append(ConfigError(ENDPOINTS, f"{item!r} is not name=http(s)://host/path"))
        elif production and parts.scheme != "https":
            errors.append(ConfigError(ENDPOINTS, f"{name}: must be https:// in production"))
        elif name in parsed:
            errors.append(ConfigError(ENDPOINTS, f"{name}: named twice"))
        else:
            parsed[name] = url
    keys = tuple((secrets or "").replace(",", " ").split())
    for position, key in enumerate(keys, 1):
        try:
            check_secret(key)
        except ValueError as exc:
            errors.append(ConfigError(SECRETS, f"secret {position} {exc}"))
    if parsed and not keys:
        errors.append(ConfigError(SECRETS, f"is required when {ENDPOINTS} is set"))
    if len(keys) > 2:
        errors.append(ConfigError(SECRETS, "takes at most two secrets (the new and the old)"))
    return EventConfig(parsed, keys), errors
