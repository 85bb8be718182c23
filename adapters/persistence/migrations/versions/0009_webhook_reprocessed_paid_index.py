"""webhook_inbox.reprocessed_by / reprocessed_at: the operator who re-ran a stored webhook;
an index on payment.payment_succ_dt for the settlement report

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here, as in 0001.
DATETIME6 = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_inbox") as batch:
        batch.add_column(
            sa.Column(
                "reprocessed_by",
                sa.String(100),
                nullable=True,
                comment="다시 처리를 요청한 운영자",
            )
        )
        batch.add_column(
            sa.Column(
                "reprocessed_at", DATETIME6, nullable=True, comment="다시 처리 요청 시각 (UTC)"
            )
        )

    op.create_index(
        op.f("ix_payment_payment_succ_dt"), "payment", ["payment_succ_dt"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_payment_succ_dt"), table_name="payment")
    with op.batch_alter_table("webhook_inbox") as batch:
        batch.drop_column("reprocessed_at")
        batch.drop_column("reprocessed_by")
