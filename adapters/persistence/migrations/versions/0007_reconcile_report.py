"""reconcile_report: every reconcile run's report, for the operators' console

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here, not imported from the app (naive UTC DATETIME(6) on MySQL/MariaDB).
DATETIME6 = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconcile_report",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
            comment="키 (실행 순서)",
        ),
        sa.Column("ran_at", DATETIME6, nullable=False, comment="마친 시각 (UTC)"),
        sa.Column("since_at", DATETIME6, nullable=False, comment="비교 기간 시작 (UTC)"),
        sa.Column("until_at", DATETIME6, nullable=False, comment="비교 기간 끝 (UTC)"),
        sa.Column(
            "cause",
            sa.String(length=100),
            nullable=False,
            comment="실행 주체 (reconcile, reconcile:operator:<seq>)",
        ),
        sa.Column("checked", sa.Integer(), nullable=False, comment="확인한 아임포트 결제 수"),
        sa.Column("clean", sa.Boolean(), nullable=False, comment="보고할 것이 없었는지"),
        sa.Column(
            "items",
            sa.JSON(),
            nullable=False,
            comment="바로잡은 것, 아임포트에만/우리에만 있는 것, 어긋난 것, 오류",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_reconcile_report")),
        comment="대사 실행 결과",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )


def downgrade() -> None:
    op.drop_table("reconcile_report")
