"""The bridge from the container to Litestar: every use-case provider becomes a `Provide`.

A handler names the use case it needs as a parameter (`register_card: RegisterCard`) and Litestar
calls the container's provider for each request; the container stays the one composition root.
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from dependency_injector import providers
from litestar.di import Provide

from adapters.container import Container


async def resolve(provider: providers.Provider) -> Any:
    """The provider's value; providers that depend on async Resources answer awaitables."""
    value = provider()
    return await value if inspect.isawaitable(value) else value


def _provide(provider: providers.Provider) -> Callable[[], Awaitable[Any]]:
    async def provide() -> Any:
        return await resolve(provider)

    return provide


PORTS = ("uow_factory", "gateway", "clock", "settings", "channels")


def container_dependencies(container: Container) -> dict[str, Provide]:
    """One Provide per use case (the container's Factory providers) and per shared port."""
    names = [
        name
        for name, provider in container.providers.items()
        if isinstance(provider, providers.Factory)
    ]
    return {name: Provide(_provide(container.providers[name])) for name in (*names, *PORTS)}
