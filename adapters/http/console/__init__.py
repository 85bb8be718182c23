"""The operator console (`/admin`): static files over the admin API."""

from .routes import create_console_router

__all__ = ["create_console_router"]
