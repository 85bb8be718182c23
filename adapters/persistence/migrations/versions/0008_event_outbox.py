"""event_outbox, event_delivery, event_delivery_attempt: outgoing events and their delivery log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here, as in 0001.
DATETIME6 = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
AUTO_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
LONG_TEXT = (
    sa.Text().with_variant(mysql.MEDIUMTEXT(), "mariadb").with_variant(mysql.MEDIUMTEXT(), "mysql")
)
MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_outbox",
        sa.Column("seq", AUTO_SEQ, autoincrement=True, nullable=False, comment="키 (기록 순서)"),
        sa.Column("event_id", sa.String(40), nullable=False, comment="이벤트 id (webhook-id 헤더)"),
        sa.Column(
            "event_type", sa.String(50), nullable=False, comment="이벤트 종류 (payment.paid 등)"
        ),
        sa.Column("version", sa.SmallInteger(), nullable=False, comment="이벤트 스키마 버전"),
        sa.Column(
            "entity", sa.String(20), nullable=False, comment="바뀐 대상 (order, payment, card)"
        ),
        sa.Column("entity_id", sa.BigInteger(), nullable=False, comment="바뀐 대상 키"),
        sa.Column("occurred_at", DATETIME6, nullable=False, comment="발생일시 (UTC)"),
        sa.Column(
            "payload", LONG_TEXT, nullable=False, comment="보내는 본문 (JSON, 서명 대상 그대로)"
        ),
        sa.Column(
            "dispatched",
            sa.Boolean(),
            server_default=sa.text("0"),
            nullable=False,
            comment="수신처별 전달(event_delivery)을 만들었는지",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_event_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_event_outbox_event_id")),
        comment="보낼 이벤트 (상태 변경과 같은 트랜잭션에서 기록)",
        **MYSQL,
    )
    for columns in (["dispatched", "seq"], ["event_type", "seq"], ["entity", "entity_id"]):
        op.create_index(
            op.f(f"ix_event_outbox_{'_'.join(columns)}"), "event_outbox", columns, unique=False
        )

    op.create_table(
        "event_delivery",
        sa.Column(
            "seq",
            sa.BigInteger(),
            autoincrement=False,
            nullable=False,
            comment="키 (IdGenerator 발급)",
        ),
        sa.Column("event_id", sa.String(40), nullable=False, comment="이벤트 id"),
        sa.Column("endpoint", sa.String(100), nullable=False, comment="수신처 이름 (설정)"),
        sa.Column(
            "delivery_state",
            sa.String(20),
            nullable=False,
            comment="상태 (pending, delivered, dead)",
        ),
        sa.Column(
            "attempts", sa.Integer(), server_default=sa.text("0"), nullable=False, comment="시도 수"
        ),
        sa.Column("next_attempt_at", DATETIME6, nullable=True, comment="다음 시도 시각 (UTC)"),
        sa.Column("created_at", DATETIME6, nullable=False, comment="생성일시 (UTC)"),
        sa.Column("last_attempt_at", DATETIME6, nullable=True, comment="마지막 시도 시각 (UTC)"),
        sa.Column(
            "last_status", sa.Integer(), nullable=True, comment="마지막 HTTP 상태 (NULL: 응답 없음)"
        ),
        sa.Column("last_error", sa.Text(), nullable=True, comment="마지막 오류"),
        sa.Column("delivered_at", DATETIME6, nullable=True, comment="전달 완료 시각 (UTC)"),
        sa.Column(
            "resent_by", sa.String(100), nullable=True, comment="다시 보내기를 요청한 운영자"
        ),
        sa.Column("resent_at", DATETIME6, nullable=True, comment="다시 보내기 요청 시각 (UTC)"),
        sa.Column(
            "lease_owner", sa.String(100), nullable=True, comment="작업 임대 소유자 (인스턴스)"
        ),
        sa.Column("lease_until", DATETIME6, nullable=True, comment="작업 임대 만료 (DB 시각, UTC)"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event_outbox.event_id"],
            name=op.f("fk_event_delivery_event_id_event_outbox"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_event_delivery")),
        sa.UniqueConstraint(
            "event_id", "endpoint", name=op.f("uq_event_delivery_event_id_endpoint")
        ),
        comment="이벤트 전달 (수신처별)",
        **MYSQL,
    )
    op.create_index(
        op.f("ix_event_delivery_delivery_state_next_attempt_at"),
        "event_delivery",
        ["delivery_state", "next_attempt_at"],
        unique=False,
    )

    op.create_table(
        "event_delivery_attempt",
        sa.Column("seq", AUTO_SEQ, autoincrement=True, nullable=False, comment="키 (기록 순서)"),
        sa.Column("delivery_seq", sa.BigInteger(), nullable=False, comment="전달키"),
        sa.Column(
            "attempt", sa.Integer(), nullable=False, comment="몇 번째 시도 (다시 보내면 1부터)"
        ),
        sa.Column("attempted_at", DATETIME6, nullable=False, comment="시도 시각 (UTC)"),
        sa.Column(
            "status_code", sa.Integer(), nullable=True, comment="HTTP 상태 (NULL: 응답 없음)"
        ),
        sa.Column("error", sa.Text(), nullable=True, comment="오류"),
        sa.Column("duration_ms", sa.Integer(), nullable=False, comment="걸린 시간 (ms)"),
        sa.ForeignKeyConstraint(
            ["delivery_seq"],
            ["event_delivery.seq"],
            name=op.f("fk_event_delivery_attempt_delivery_seq_event_delivery"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_event_delivery_attempt")),
        comment="이벤트 전달 기록",
        **MYSQL,
    )
    op.create_index(
        op.f("ix_event_delivery_attempt_delivery_seq_seq"),
        "event_delivery_attempt",
        ["delivery_seq", "seq"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("event_delivery_attempt")
    op.drop_table("event_delivery")
    op.drop_table("event_outbox")
