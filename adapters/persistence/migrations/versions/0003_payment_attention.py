"""payment.attention, attention_at: what Settlement reported to operators, until acknowledged

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here, as in 0001: naive UTC DATETIME(6) on MySQL/MariaDB; ISO text on SQLite.
DATETIME6 = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment") as batch:
        batch.add_column(
            sa.Column(
                "attention",
                sa.Text(),
                nullable=True,
                comment="운영자가 확인할 내용 (정산이 보고한 것); NULL이면 없음",
            )
        )
        batch.add_column(
            sa.Column("attention_at", DATETIME6, nullable=True, comment="확인 요청 시각 (UTC)")
        )
    op.create_index(op.f("ix_payment_attention_at"), "payment", ["attention_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_attention_at"), table_name="payment")
    with op.batch_alter_table("payment") as batch:
        batch.drop_column("attention_at")
        batch.drop_column("attention")
