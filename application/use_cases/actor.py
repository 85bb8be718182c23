"""Who asks: a sponsor (their own things only) or an operator (admin routes)."""

from dataclasses import dataclass

from application.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class Actor:
    """`operator` is set by the HTTP adapter only on admin routes (JWT role admin)."""

    user_seq: int
    operator: bool = False

    @property
    def cause(self) -> str:
        """How the actor is named in history entries and cancellations."""
        return f"operator:{self.user_seq}" if self.operator else f"user:{self.user_seq}"

    def may_see(self, owner_seq: int) -> bool:
        return self.operator or owner_seq == self.user_seq


def require_owner(actor: Actor, owner_seq: int | None, what: str) -> None:
    """A user never learns that another user's thing exists: the same 404 as a missing one."""
    if owner_seq is None or not actor.may_see(owner_seq):
        raise NotFoundError(f"{what} not found")


def user_cause(user_seq: int) -> str:
    return f"user:{user_seq}"
