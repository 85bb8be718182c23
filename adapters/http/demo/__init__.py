"""Demo page (demo mode only): `demo_router` serves `/` and `/demo/static/...`."""

from .routes import create_demo_router, demo_router

__all__ = ["create_demo_router", "demo_router"]
