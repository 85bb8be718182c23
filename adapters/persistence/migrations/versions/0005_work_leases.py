"""lease_owner / lease_until on the rows jobs claim (payment_order, payment, payment_cancel,
webhook_inbox): N instances take disjoint work (FOR UPDATE SKIP LOCKED)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here, not imported from the app (naive UTC DATETIME(6) on MySQL/MariaDB).
DATETIME6 = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("payment_order", "payment", "payment_cancel", "webhook_inbox")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "lease_owner",
                    sa.String(100),
                    nullable=True,
                    comment="작업 임대 소유자 (인스턴스)",
                )
            )
            batch.add_column(
                sa.Column(
                    "lease_until",
                    DATETIME6,
                    nullable=True,
                    comment="작업 임대 만료 (DB 시각, UTC)",
                )
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("lease_until")
            batch.drop_column("lease_owner")
