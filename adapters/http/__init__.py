"""The HTTP adapter: `create_app(container)` builds the Litestar app (adapters/http/app.py)."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Litestar


def create_app(container: Any, **kwargs: Any) -> "Litestar":
    from adapters.http.app import create_app as _create_app

    return _create_app(container, **kwargs)


__all__ = ["create_app"]
