"""GET /api/admin/me: who the operator console is signed in as (role admin; 403 otherwise)."""

from litestar import Controller, get
from litestar.di import NamedDependency

from adapters.http.auth import Principal, admin_guard
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.admin import OperatorView


class AdminMeController(Controller):
    path = "/api/admin/me"
    guards = [admin_guard]
    tags = ["admin"]

    @get("/", operation_id="adminMe", summary="The signed-in operator", responses=problems(*ADMIN))
    async def me(self, me: NamedDependency[Principal]) -> OperatorView:
        return OperatorView(me.user_seq, me.admin)
