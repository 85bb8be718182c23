"""In-memory adapters of every port: for tests, and for anyone reading how the ports behave."""

from adapters.memory.clock import FixedClock, SystemClock
from adapters.memory.gateway import FakeGateway
from adapters.memory.ids import SequentialIds
from adapters.memory.store import InMemoryStore, InMemoryUnitOfWork

__all__ = [
    "FakeGateway",
    "FixedClock",
    "InMemoryStore",
    "InMemoryUnitOfWork",
    "SequentialIds",
    "SystemClock",
]
