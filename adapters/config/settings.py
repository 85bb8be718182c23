"""`AppConfig`: every DOLGO_* environment variable, parsed and validated once at start.

`load_config(env)` collects every problem and raises ConfigErrors naming each variable, so an
operator fixes the whole environment in one go. Production refuses demo conveniences.
"""

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from adapters.config.channels import demo_channels, load_channels
from adapters.config.demo_rules import demo_errors
from adapters.config.errors import ConfigError, ConfigErrors
from adapters.config.events import EventConfig, parse_event_config
from adapters.config.workers import workers
from adapters.logs import LOG_FORMATS, LogFormat
from application.channels import ChannelDirectory
from application.settings import PaymentSettings
from domain.channel_health import BreakerPolicy
from domain.refund_policy import RefundPolicy
from domain.subscription import DunningPolicy

T = TypeVar("T")
Mode = Literal["demo", "production"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
RateUnit = Literal["second", "minute", "hour", "day"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/dolgo-pay.db"
# The SQLAlchemy URL schemes dolgo-pay runs on: async drivers only (docs/adr/0027)
DATABASE_SCHEMES = (
    "mysql+aiomysql",
    "mysql+asyncmy",
    "mariadb+aiomysql",
    "mariadb+asyncmy",
    "sqlite+aiosqlite",
)
SANDBOX_PATH = "/sandbox"
SANDBOX_KEY = "sandbox_key"
SANDBOX_SECRET = "sandbox_secret"
SANDBOX_MERCHANT_CODE = "imp00000000"
MIN_SECRET_LENGTH = 32
DEFAULT_IDEMPOTENCY_LEASE = timedelta(minutes=5)
DEFAULT_WORK_LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """`count` requests per `unit`; "off" disables the limit."""

    count: int
    unit: RateUnit

    def __str__(self) -> str:
        return f"{self.count}/{self.unit}"


@dataclass(frozen=True, slots=True)
class RateLimits:
    card_per_user: RateLimit | None = RateLimit(10, "hour")
    card_per_ip: RateLimit | None = RateLimit(30, "hour")
    payment_per_user: RateLimit | None = RateLimit(30, "minute")
    payment_per_ip: RateLimit | None = RateLimit(120, "minute")
    webhook_per_ip: RateLimit | None = RateLimit(600, "minute")  # each one is a gateway lookup


@dataclass(frozen=True)
class AppConfig:
    mode: Mode = "demo"
    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = 10
    db_max_overflow: int = 10
    iamport_url: str | None = None  # None: the in-process sandbox (demo only)
    iamport_key: str = SANDBOX_KEY
    iamport_secret: str = field(default=SANDBOX_SECRET, repr=False)
    iamport_merchant_code: str = SANDBOX_MERCHANT_CODE
    iamport_connect_timeout: float = 10.0
    iamport_read_timeout: float = 30.0
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    public_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    channels: ChannelDirectory = field(default_factory=demo_channels)
    channels_file: str | None = None
    webhook_allowed_ips: tuple[Network, ...] = ()  # empty: off
    trusted_proxies: tuple[Network, ...] = ()
    rate_limits: RateLimits = field(default_factory=RateLimits)
    refund_window_days: int = 7
    dunning_days: tuple[int, ...] = (1, 3, 7)
    charge_hour: int = 10
    breaker_failures: int = 5  # PG failures in a row that open a channel's breaker
    breaker_open_seconds: int = 60  # an open breaker lets a probe through after this
    scheduler: bool = True
    demo_tokens: bool = True
    # An Idempotency-Key IN_PROGRESS longer than this was left by a process that died: longer
    # than any request, iamport timeouts included.
    idempotency_lease: timedelta = DEFAULT_IDEMPOTENCY_LEASE
    # A job's claim on a row (database time): longer than one gateway call can take.
    work_lease: timedelta = DEFAULT_WORK_LEASE
    billing_concurrency: int = 50
    events: EventConfig = field(default_factory=EventConfig)  # outgoing events (adapters/events)
    # Shared state of N instances (rate-limit counters): Redis when set, else per instance.
    redis_url: str | None = field(default=None, repr=False)
    redis_prefix: str = "dolgo-pay"
    log_format: LogFormat = "text"
    workers: int = 1  # `serve`'s processes (DOLGO_WORKERS)

    @property
    def production(self) -> bool:
        return self.mode == "production"

    @property
    def sandbox(self) -> bool:
        """The iamport sandbox is mounted in-process at /sandbox and used as iamport."""
        return self.iamport_url is None

    @property
    def gateway_url(self) -> str:
        if self.iamport_url is not None:
            return self.iamport_url
        return self.public_base_url.rstrip("/") + SANDBOX_PATH

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def payment_settings(self) -> PaymentSettings:
        return PaymentSettings(
            public_base_url=self.public_base_url,
            production=self.production,
            refund_policy=RefundPolicy(business_window_days=self.refund_window_days),
            dunning=DunningPolicy(retry_after_days=self.dunning_days),
            charge_hour=self.charge_hour,
            gateway_call_deadline=self.gateway_call_deadline,
            work_lease=self.work_lease,
            billing_concurrency=self.billing_concurrency,
            breaker=BreakerPolicy(
                failure_threshold=self.breaker_failures,
                open_for=timedelta(seconds=self.breaker_open_seconds),
                probe_for=self.gateway_call_deadline,
            ),
        )

    @property
    def gateway_call_deadline(self) -> timedelta:
        return gateway_call_deadline(self.iamport_connect_timeout, self.iamport_read_timeout)


def gateway_call_deadline(connect_timeout: float, read_timeout: float) -> timedelta:
    """The longest one gateway call can be under way: token fetch + call, twice (one 401
    refresh and retry), plus a margin for iamport's own processing after we gave up reading."""
    return timedelta(seconds=4 * (connect_timeout + read_timeout) + 60)


# -- parsing ---------------------------------------------------------------------------------
class _Reader:
    """Reads variables, collecting errors instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.errors: list[ConfigError] = []

    def raw(self, name: str) -> str | None:
        value = self.env.get(name)
        return value.strip() if value is not None and value.strip() != "" else None

    def get(self, name: str, default: T, parse: Callable[[str], T]) -> T:
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            self.errors.append(ConfigError(name, f"{exc} (got {raw!r})"))
            return default

    def fail(self, name: str, message: str) -> None:
        self.errors.append(ConfigError(name, message))


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return parse


def _positive_float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("must be a number of seconds") from None
    if not 0 < value <= 600:
        raise ValueError("must be between 0 and 600 seconds")
    return value


def _lease(raw: str) -> timedelta:
    try:
        seconds = int(raw)
    except ValueError:
        raise ValueError("must be a whole number of seconds") from None
    if not 1 <= seconds <= 86400:
        raise ValueError("must be between 1 and 86400 seconds")
    return timedelta(seconds=seconds)


def _redis_url(raw: str) -> str:
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must be a redis://, rediss:// or unix:// URL")
    return raw


def _database_url_problem(url: str) -> str | None:
    """Why `url` is not one dolgo-pay runs on; the message shows its scheme only (a URL may
    hold a password)."""
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme in DATABASE_SCHEMES:
        return None
    return (
        f"must be a {', '.join(f'{s}://' for s in DATABASE_SCHEMES)} URL"
        f" (got {f'{scheme}://…' if scheme else 'no scheme'})"
    )


def _redis_prefix(raw: str) -> str:
    if not raw.replace("-", "").replace("_", "").replace(":", "").isalnum():
        raise ValueError("may hold only letters, digits, '-', '_' and ':'")
    return raw


def _switch(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("on", "true", "1", "yes"):
        return True
    if lowered in ("off", "false", "0", "no"):
        return False
    raise ValueError("must be on or off")


def _log_format(raw: str) -> LogFormat:
    if raw not in LOG_FORMATS:
        raise ValueError("must be text or json")
    return raw  # type: ignore[return-value]


def _mode(raw: str) -> Mode:
    if raw not in ("demo", "production"):
        raise ValueError("must be demo or production")
    return raw  # type: ignore[return-value]


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return raw.rstrip("/")


def _networks(raw: str) -> tuple[Network, ...]:
    if raw.lower() == "off":
        return ()
    out = []
    for item in (s.strip() for s in raw.split(",")):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or CIDR network") from None
    return tuple(out)


def _days(raw: str) -> tuple[int, ...]:
    try:
        days = tuple(int(s) for s in raw.split(",") if s.strip())
    except ValueError:
        raise ValueError("must be comma-separated whole days, e.g. 1,3,7") from None
    if not days or any(d <= 0 for d in days) or list(days) != sorted(set(days)):
        raise ValueError("must be increasing positive days, e.g. 1,3,7")
    return days


def _rate(raw: str) -> RateLimit | None:
    if raw.lower() == "off":
        return None
    count, _, unit = raw.partition("/")
    unit = unit.strip().lower().rstrip("s")
    if unit not in ("second", "minute", "hour", "day") or not count.strip().isdigit():
        raise ValueError("must be N/unit (unit: second, minute, hour, day) or off, e.g. 10/hour")
    if int(count) <= 0:
        raise ValueError("must allow at least one request; use off to disable")
    return RateLimit(int(count), unit)  # type: ignore[arg-type]


def _rate_limits(r: _Reader) -> RateLimits:
    d = RateLimits()
    return RateLimits(
        card_per_user=r.get("DOLGO_RATE_LIMIT_CARD_PER_USER", d.card_per_user, _rate),
        card_per_ip=r.get("DOLGO_RATE_LIMIT_CARD_PER_IP", d.card_per_ip, _rate),
        payment_per_user=r.get("DOLGO_RATE_LIMIT_PAYMENT_PER_USER", d.payment_per_user, _rate),
        payment_per_ip=r.get("DOLGO_RATE_LIMIT_PAYMENT_PER_IP", d.payment_per_ip, _rate),
        webhook_per_ip=r.get("DOLGO_RATE_LIMIT_WEBHOOK_PER_IP", d.webhook_per_ip, _rate),
    )


def load_config(env: Mapping[str, str] | None = None) -> AppConfig:
    """The configuration from `env` (default: os.environ); raises ConfigErrors."""
    r = _Reader(os.environ if env is None else env)
    mode = r.get("DOLGO_MODE", "demo", _mode)
    production = mode == "production"
    host = r.get("DOLGO_HOST", "127.0.0.1", str)
    port = r.get("DOLGO_PORT", 8000, _int_in(1, 65535))
    public = r.get("DOLGO_PUBLIC_BASE_URL", None, _url)
    iamport_url = r.get("DOLGO_IAMPORT_URL", None, _url)
    sandbox = r.get("DOLGO_SANDBOX", iamport_url is None and not production, _switch)
    # Demo tokens by default only where no real JWT secret could sign them.
    demo_tokens = r.get(
        "DOLGO_DEMO_TOKENS", not production and r.raw("DOLGO_JWT_SECRET") is None, _switch
    )
    channels_file = r.raw("DOLGO_CHANNELS_FILE")
    channels = demo_channels()
    if channels_file is not None:
        try:
            channels = load_channels(channels_file)
        except ConfigError as exc:
            r.errors.append(exc)

    connect_timeout = r.get("DOLGO_IAMPORT_CONNECT_TIMEOUT", 10.0, _positive_float)
    read_timeout = r.get("DOLGO_IAMPORT_READ_TIMEOUT", 30.0, _positive_float)
    lease = r.get("DOLGO_IDEMPOTENCY_LEASE_SECONDS", DEFAULT_IDEMPOTENCY_LEASE, _lease)
    deadline = gateway_call_deadline(connect_timeout, read_timeout)
    if lease <= deadline:
        r.fail(
            "DOLGO_IDEMPOTENCY_LEASE_SECONDS",
            f"must be longer than one call to iamport can take ({deadline.seconds} s with connect"
            f" {connect_timeout:g} s and read {read_timeout:g} s, a token fetch and one retry);"
            f" the default is {DEFAULT_IDEMPOTENCY_LEASE.seconds} s",
        )

    # Unset, the lease follows the timeouts; set, it must exceed what they allow.
    default_work_lease = max(DEFAULT_WORK_LEASE, deadline + timedelta(minutes=1))
    work_lease = r.get("DOLGO_WORK_LEASE_SECONDS", default_work_lease, _lease)
    if work_lease <= deadline:
        r.fail(
            "DOLGO_WORK_LEASE_SECONDS",
            f"must be longer than one call to iamport can take ({deadline.seconds} s with connect"
            f" {connect_timeout:g} s and read {read_timeout:g} s); the default is"
            f" {DEFAULT_WORK_LEASE.seconds} s",
        )
    events, event_errors = parse_event_config(
        r.raw("DOLGO_EVENT_ENDPOINTS"), r.raw("DOLGO_EVENT_SECRETS"), production=production
    )
    r.errors.extend(event_errors)

    values = dict(
        mode=mode,
        database_url=r.raw("DOLGO_DATABASE_URL") or DEFAULT_DATABASE_URL,
        db_pool_size=r.get("DOLGO_DB_POOL_SIZE", 10, _int_in(1, 1000)),
        db_max_overflow=r.get("DOLGO_DB_MAX_OVERFLOW", 10, _int_in(0, 1000)),
        iamport_url=None if sandbox else iamport_url,
        iamport_key=r.raw("DOLGO_IAMPORT_KEY") or ("" if production else SANDBOX_KEY),
        iamport_secret=r.raw("DOLGO_IAMPORT_SECRET") or ("" if production else SANDBOX_SECRET),
        iamport_merchant_code=r.raw("DOLGO_IAMPORT_MERCHANT_CODE")
        or ("" if production else SANDBOX_MERCHANT_CODE),
        iamport_connect_timeout=connect_timeout,
        iamport_read_timeout=read_timeout,
        public_base_url=public or f"http://{host}:{port}",
        host=host,
        port=port,
        channels=channels,
        channels_file=channels_file,
        webhook_allowed_ips=r.get("DOLGO_WEBHOOK_ALLOWED_IPS", (), _networks),
        trusted_proxies=r.get("DOLGO_TRUSTED_PROXIES", (), _networks),
        rate_limits=_rate_limits(r),
        refund_window_days=r.get("DOLGO_REFUND_WINDOW_DAYS", 7, _int_in(0, 3650)),
        dunning_days=r.get("DOLGO_DUNNING_DAYS", (1, 3, 7), _days),
        charge_hour=r.get("DOLGO_CHARGE_HOUR", 10, _int_in(0, 23)),
        breaker_failures=r.get("DOLGO_BREAKER_FAILURES", 5, _int_in(1, 1000)),
        breaker_open_seconds=r.get("DOLGO_BREAKER_OPEN_SECONDS", 60, _int_in(1, 86400)),
        scheduler=r.get("DOLGO_SCHEDULER", True, _switch),
        demo_tokens=demo_tokens,
        idempotency_lease=lease,
        work_lease=work_lease,
        billing_concurrency=r.get("DOLGO_BILLING_CONCURRENCY", 50, _int_in(1, 500)),
        events=events,
        redis_url=r.get("DOLGO_REDIS_URL", None, _redis_url),
        redis_prefix=r.get("DOLGO_REDIS_PREFIX", "dolgo-pay", _redis_prefix),
        log_format=r.get("DOLGO_LOG_FORMAT", "text", _log_format),
    )
    database_problem = _database_url_problem(str(values["database_url"]))
    if database_problem:
        r.fail("DOLGO_DATABASE_URL", database_problem)
    values["workers"] = workers(
        r.raw("DOLGO_WORKERS"),
        sandbox=sandbox,
        sqlite=str(values["database_url"]).startswith("sqlite"),
        fail=r.fail,
    )
    for name, key in (("DOLGO_JWT_SECRET", "jwt_secret"), ("DOLGO_SECRET", "secret")):
        value = r.raw(name)
        if value is not None:
            if len(value) < MIN_SECRET_LENGTH:
                r.fail(name, f"must be at least {MIN_SECRET_LENGTH} characters")
            values[key] = value
        elif production:
            r.fail(name, "is required in production")
    if production:
        _production_rules(r, sandbox, demo_tokens, iamport_url, public, values)
    else:
        if sandbox and iamport_url is not None:
            r.fail("DOLGO_SANDBOX", "is on, so DOLGO_IAMPORT_URL must be empty")
        r.errors.extend(
            demo_errors(
                r.raw,
                iamport_url=iamport_url,
                database_url=str(values["database_url"]),
                host=host,
                exposed=r.get("DOLGO_DEMO_EXPOSED", False, _switch),
                demo_tokens=demo_tokens,
            )
        )
    if r.errors:
        raise ConfigErrors(r.errors)
    return AppConfig(**values)  # type: ignore[arg-type]


def _production_rules(
    r: _Reader,
    sandbox: bool,
    demo_tokens: bool,
    iamport_url: str | None,
    public: str | None,
    values: dict[str, object],
) -> None:
    if sandbox:
        r.fail("DOLGO_SANDBOX", "the sandbox cannot be enabled in production")
    if demo_tokens:
        r.fail("DOLGO_DEMO_TOKENS", "demo tokens cannot be enabled in production")
    if iamport_url is None:
        r.fail("DOLGO_IAMPORT_URL", "is required in production (e.g. https://api.iamport.kr)")
    elif not iamport_url.startswith("https://"):
        r.fail("DOLGO_IAMPORT_URL", "must be https:// in production")
    for name, key, sandbox_value in (
        ("DOLGO_IAMPORT_KEY", "iamport_key", SANDBOX_KEY),
        ("DOLGO_IAMPORT_SECRET", "iamport_secret", SANDBOX_SECRET),
        ("DOLGO_IAMPORT_MERCHANT_CODE", "iamport_merchant_code", SANDBOX_MERCHANT_CODE),
    ):
        if not values[key]:
            r.fail(name, "is required in production")
        elif values[key] == sandbox_value:
            r.fail(name, "is the sandbox's value; production needs real iamport credentials")
    if values["channels_file"] is None:
        r.fail(
            "DOLGO_CHANNELS_FILE", "is required in production (the demo channels are the sandbox's)"
        )
    url = str(values["database_url"])
    if not url.startswith(("mysql", "mariadb")):
        r.fail(
            "DOLGO_DATABASE_URL",
            "production needs MySQL/MariaDB (mysql+aiomysql://user:pass@host/db, or"
            " mysql+asyncmy://)",
        )
    if public is None:
        r.fail("DOLGO_PUBLIC_BASE_URL", "is required in production (iamport calls it back)")
    elif not public.startswith("https://"):
        r.fail("DOLGO_PUBLIC_BASE_URL", "must be https:// in production")
