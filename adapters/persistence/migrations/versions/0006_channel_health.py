"""channel_health: one circuit breaker per PG channel, shared by every instance;
payment.route_reason: why the payment went to its channel

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here, as in 0001: naive UTC DATETIME(6) on MySQL/MariaDB; ISO text on SQLite.
DATETIME6 = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_health",
        sa.Column("channel", sa.String(50), nullable=False, comment="PG 채널 (설정 이름)"),
        sa.Column(
            "breaker_state",
            sa.String(20),
            nullable=False,
            comment="차단기 (closed, open, half_open)",
        ),
        sa.Column(
            "failures",
            sa.Integer(),
            nullable=False,
            server_default=sa.text("0"),
            comment="연속 PG 장애 수",
        ),
        sa.Column("opened_at", DATETIME6, nullable=True, comment="차단 시작 (UTC)"),
        sa.Column("probe_until", DATETIME6, nullable=True, comment="시험 요청 슬롯 만료 (UTC)"),
        sa.Column(
            "forced", sa.String(20), nullable=True, comment="운영자 강제 상태 (open, closed)"
        ),
        sa.Column("forced_by", sa.String(100), nullable=True, comment="강제한 운영자"),
        sa.Column("forced_reason", sa.String(500), nullable=True, comment="강제 사유"),
        sa.Column("last_failure", sa.String(500), nullable=True, comment="마지막 PG 장애"),
        sa.Column("last_failure_at", DATETIME6, nullable=True, comment="마지막 PG 장애 시각 (UTC)"),
        sa.Column("last_success_at", DATETIME6, nullable=True, comment="마지막 성공 시각 (UTC)"),
        sa.Column("updated_at", DATETIME6, nullable=True, comment="수정일시 (UTC)"),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_channel_health")),
        comment="PG 채널 상태 (회로 차단기; 모든 인스턴스가 공유)",
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
    )
    with op.batch_alter_table("payment") as batch:
        batch.add_column(
            sa.Column(
                "route_reason",
                sa.String(300),
                nullable=True,
                comment="이 채널을 고른 이유 (우선순위, 차단기 상태, 장애 전환)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("payment") as batch:
        batch.drop_column("route_reason")
    op.drop_table("channel_health")
