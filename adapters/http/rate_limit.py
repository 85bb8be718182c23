"""Abuse limits on card registration and payment creation, per user and per client IP, and on
webhooks per client IP (each one makes a gateway lookup; the allow-listed sources are exempt).

Litestar's RateLimitConfig does the counting; one config per (limit, key): each is an app-level
middleware that only throttles the routes whose `opt["rate_limit"]` names its group, keyed by
the authenticated user or by the client address (X-Forwarded-For only from trusted proxies).
Too many → 429 problem+json with Retry-After (see errors.py). The counters live in the app's
"rate_limit" store: per instance unless a shared store is configured (docs/adr/0009).
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Request
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig

from adapters.config import RateLimit, RateLimits
from adapters.http.network import Network, allowed, client_ip

CARD = "card"  # card registration
PAYMENT = "payment"  # payment creation: orders, one-click charges, subscriptions
WEBHOOK = "webhook"  # iamport's notifications


def limited(group: str) -> dict[str, str]:
    """The `opt` of a route handler that counts against `group`."""
    return {"rate_limit": group}


# The checks are async: every limit's middleware asks its check on every request, and Litestar
# runs a sync one in its thread pool (five hops per request).
Check = Callable[[Request[Any, Any, Any]], Awaitable[bool]]


def _in(group: str, request: Request[Any, Any, Any]) -> bool:
    return request.route_handler.opt.get("rate_limit") == group


def _in_group(group: str) -> Check:
    async def check(request: Request[Any, Any, Any]) -> bool:
        return _in(group, request)

    return check


def _user_in_group(group: str) -> Check:
    async def check(request: Request[Any, Any, Any]) -> bool:
        return _in(group, request) and request.scope.get("user") is not None

    return check


def _config(
    limit: RateLimit,
    check: Check,
    identify: Callable[[Request[Any, Any, Any]], str],
) -> DefineMiddleware:
    return RateLimitConfig(
        rate_limit=(limit.unit, limit.count),
        identifier_for_request=identify,
        check_throttle_handler=check,
    ).middleware


def rate_limit_middleware(
    limits: RateLimits, proxies: Sequence[Network], webhook_sources: Sequence[Network] = ()
) -> list[DefineMiddleware]:
    """`webhook_sources` (DOLGO_WEBHOOK_ALLOWED_IPS) are iamport's: a billing run's
    notifications from them are never throttled."""

    async def webhook_from_elsewhere(request: Request[Any, Any, Any]) -> bool:
        return _in(WEBHOOK, request) and not allowed(client_ip(request, proxies), webhook_sources)

    def by_user(group: str) -> Callable[[Request[Any, Any, Any]], str]:
        return lambda request: f"{group}:user:{request.scope['user'].user_seq}"

    def by_ip(group: str) -> Callable[[Request[Any, Any, Any]], str]:
        return lambda request: f"{group}:ip:{client_ip(request, proxies)}"

    plan = (
        (limits.card_per_user, _user_in_group(CARD), by_user(CARD)),
        (limits.card_per_ip, _in_group(CARD), by_ip(CARD)),
        (limits.payment_per_user, _user_in_group(PAYMENT), by_user(PAYMENT)),
        (limits.payment_per_ip, _in_group(PAYMENT), by_ip(PAYMENT)),
        (limits.webhook_per_ip, webhook_from_elsewhere, by_ip(WEBHOOK)),
    )
    return [_config(limit, check, ident) for limit, check, ident in plan if limit is not None]
