"""payment_order.cycle_due_on: the Seoul date the current cycle fell due; the next follows it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL on existing rows: their next cycle is counted from its payment as before, and the
    # cycle after it from its own due date.
    with op.batch_alter_table("payment_order") as batch:
        batch.add_column(
            sa.Column(
                "cycle_due_on",
                sa.Date(),
                nullable=True,
                comment="현재 회차의 결제 예정일 (Asia/Seoul; 첫 회차는 시작일). 다음 회차는 이 날짜 기준",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_order") as batch:
        batch.drop_column("cycle_due_on")
