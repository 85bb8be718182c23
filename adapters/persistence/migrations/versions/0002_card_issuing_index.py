"""index on payment_card (card_status, created_at): the janitor's list of stuck key issuances

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_payment_card_card_status_created_at"),
        "payment_card",
        ["card_status", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_card_card_status_created_at"), table_name="payment_card")
