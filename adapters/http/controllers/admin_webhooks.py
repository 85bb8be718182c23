"""GET /api/admin/webhooks: the inbox (role admin)."""

from typing import Annotated, Literal

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from adapters.http.auth import admin_guard
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.admin import InboxList, inbox_view
from adapters.http.wire.common import Limit, Offset
from application.ports import Page
from application.use_cases.queries import ListInbox, ListInboxQuery


class AdminWebhookController(Controller):
    path = "/api/admin/webhooks"
    guards = [admin_guard]
    tags = ["admin"]

    @get(
        "/",
        operation_id="adminListWebhooks",
        summary="The webhook inbox",
        responses=problems(*ADMIN),
    )
    async def inbox(
        self,
        list_inbox: NamedDependency[ListInbox],
        inbox_state: Annotated[
            Literal["received", "processed", "failed", "unmatched"] | None,
            QueryParameter(name="state"),
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> InboxList:
        found = await list_inbox.execute(
            ListInboxQuery(inbox_state, Page(limit=limit, offset=offset))
        )
        return InboxList([inbox_view(m) for m in found], limit, offset)
