"""The operators' view of the webhook inbox (a read model; no use case of its own yet)."""

from dataclasses import dataclass

from application.ports import Page, UnitOfWorkFactory
from application.records import InboxMessage


@dataclass(frozen=True, slots=True)
class ListInboxQuery:
    state: str | None = None
    page: Page = Page()


class ListInbox:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, query: ListInboxQuery) -> list[InboxMessage]:
        async with self._uow() as uow:
            return await uow.webhooks.search(query.state, query.page)
