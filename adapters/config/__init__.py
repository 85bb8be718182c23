"""Configuration: DOLGO_* environment variables → AppConfig (validated once, at start)."""

from adapters.config.banner import demo_banner
from adapters.config.errors import ConfigError, ConfigErrors
from adapters.config.settings import AppConfig, RateLimit, RateLimits, load_config

__all__ = [
    "AppConfig",
    "ConfigError",
    "ConfigErrors",
    "RateLimit",
    "RateLimits",
    "demo_banner",
    "load_config",
]
