"""cash_receipt: 현금영수증 of trans / vbank payments

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here, as in 0001.
DATETIME6 = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cash_receipt",
        sa.Column(
            "seq",
            sa.BigInteger(),
            autoincrement=False,
            nullable=False,
            comment="키 (IdGenerator 발급)",
        ),
        sa.Column("payment_seq", sa.BigInteger(), nullable=False, comment="결제키"),
        sa.Column("imp_uid", sa.String(60), nullable=False, comment="iamport 거래고유번호"),
        sa.Column(
            "kind", sa.String(20), nullable=False, comment="personal: 소득공제, business: 지출증빙"
        ),
        sa.Column(
            "identifier_masked",
            sa.String(30),
            nullable=False,
            comment="휴대폰번호 / 사업자번호 (마스킹된 값만 저장)",
        ),
        sa.Column(
            "receipt_status",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="상태 (0 발급중, 1 발급, 2 취소중, -1 실패, -2 취소)",
        ),
        sa.Column(
            "requested_by",
            sa.String(50),
            nullable=False,
            comment="요청자 (user:<seq> | operator:<seq>)",
        ),
        sa.Column("requested_at", DATETIME6, nullable=False, comment="요청일시 (UTC)"),
        sa.Column("amount", sa.BigInteger(), nullable=True, comment="발급 금액 (원)"),
        sa.Column("vat", sa.BigInteger(), nullable=True, comment="발급 금액 중 부가세 (원)"),
        sa.Column("apply_num", sa.String(50), nullable=True, comment="국세청 발행번호"),
        sa.Column("receipt_url", sa.String(500), nullable=True, comment="현금영수증 URL"),
        sa.Column("issued_at", DATETIME6, nullable=True, comment="발급일시 (UTC)"),
        sa.Column("cancelled_at", DATETIME6, nullable=True, comment="취소일시 (UTC)"),
        sa.Column("failure_message", sa.String(500), nullable=True, comment="iamport 거절 메시지"),
        sa.Column(
            "next_check_at",
            DATETIME6,
            nullable=True,
            comment="결과를 모를 때 iamport에 다시 물어볼 시각 (UTC)",
        ),
        sa.Column(
            "checks",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="결과 확인 시도 수",
        ),
        sa.Column(
            "version",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="낙관적 잠금 버전 (저장할 때마다 +1)",
        ),
        sa.ForeignKeyConstraint(
            ["payment_seq"], ["payment.seq"], name=op.f("fk_cash_receipt_payment_seq_payment")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_cash_receipt")),
        comment="현금영수증 (계좌이체, 가상계좌)",
        **MYSQL,
    )
    for columns in (["payment_seq", "seq"], ["receipt_status", "next_check_at"]):
        op.create_index(
            op.f(f"ix_cash_receipt_{'_'.join(columns)}"), "cash_receipt", columns, unique=False
        )


def downgrade() -> None:
    op.drop_table("cash_receipt")
