"""Demo mode fails closed: it refuses every setting that belongs to a real deployment.

Demo mode is the default, so forgetting DOLGO_MODE next to real settings must not start a
service that issues tokens (docs/adr/0016). In demo mode iamport is the sandbox (in-process,
on loopback, or a reserved test name that never resolves), with the sandbox's credentials; the
database is SQLite or on loopback; the service listens on loopback unless the operator says the
demo is exposed (a container); demo tokens are never signed with a configured JWT secret.
"""

import ipaddress
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from adapters.config.errors import ConfigError

SANDBOX_CREDENTIALS = {
    "DOLGO_IAMPORT_KEY": "sandbox_key",
    "DOLGO_IAMPORT_SECRET": "sandbox_secret",
    "DOLGO_IAMPORT_MERCHANT_CODE": "imp00000000",
}
# RFC 6761 / 2606 names that never reach a real host.
_RESERVED_SUFFIXES = (".test", ".invalid", ".example", ".localhost")
_HINT = "; set DOLGO_MODE=production for a real deployment"


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_test_host(host: str | None) -> bool:
    if host is None:
        return False
    host = host.lower().rstrip(".")
    return is_loopback(host) or any(host == s[1:] or host.endswith(s) for s in _RESERVED_SUFFIXES)


def demo_errors(
    raw: Callable[[str], str | None],
    *,
    iamport_url: str | None,
    database_url: str,
    host: str,
    exposed: bool,
    demo_tokens: bool,
) -> list[ConfigError]:
    """What keeps this environment from being a demo; `raw(name)` reads a variable."""
    errors: list[ConfigError] = []
    if iamport_url is not None and not _is_test_host(urlsplit(iamport_url).hostname):
        errors.append(
            ConfigError(
                "DOLGO_IAMPORT_URL",
                "demo mode talks to the sandbox only (empty, loopback or a .test host)" + _HINT,
            )
        )
    for name, sandbox_value in SANDBOX_CREDENTIALS.items():
        value = raw(name)
        if value is not None and value != sandbox_value:
            errors.append(
                ConfigError(name, f"demo mode uses the sandbox's value {sandbox_value!r}" + _HINT)
            )
    if not database_url.startswith("sqlite") and not _database_is_local(database_url):
        errors.append(
            ConfigError(
                "DOLGO_DATABASE_URL", "demo mode uses SQLite or a database on loopback" + _HINT
            )
        )
    if not exposed and not is_loopback(host):
        errors.append(
            ConfigError(
                "DOLGO_HOST",
                "demo mode listens on loopback only; set DOLGO_DEMO_EXPOSED=on to expose the "
                "demo (e.g. in a container)" + _HINT,
            )
        )
    if demo_tokens and raw("DOLGO_JWT_SECRET") is not None:
        errors.append(
            ConfigError(
                "DOLGO_DEMO_TOKENS",
                "demo tokens are never signed with a configured DOLGO_JWT_SECRET" + _HINT,
            )
        )
    return errors


def _database_is_local(url: str) -> bool:
    host = urlsplit(url).hostname
    return host is None or is_loopback(host)  # no host: a unix socket


def refuse_production(env: Mapping[str, str]) -> list[ConfigError]:
    """The standalone sandbox is never started where DOLGO_MODE says production."""
    if (env.get("DOLGO_MODE") or "").strip() == "production":
        return [ConfigError("DOLGO_MODE", "is production: the iamport sandbox never runs there")]
    return []
