"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here, not imported from the app: a migration must not change when the code does.
# Naive UTC DATETIME(6) on MySQL/MariaDB; ISO text on SQLite.
DATETIME6 = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("scope", sa.String(length=200), nullable=False, comment="범위 (회원·경로)"),
        sa.Column(
            "idem_key", sa.String(length=255), nullable=False, comment="Idempotency-Key 헤더 값"
        ),
        sa.Column("fingerprint", sa.String(length=128), nullable=False, comment="요청 본문의 HMAC"),
        sa.Column(
            "idem_state", sa.String(length=20), nullable=False, comment="상태 (in_progress, done)"
        ),
        sa.Column("status_code", sa.Integer(), nullable=True, comment="첫 응답의 HTTP 상태"),
        sa.Column(
            "response_body",
            sa.LargeBinary()
            .with_variant(mysql.MEDIUMBLOB(), "mariadb")
            .with_variant(mysql.MEDIUMBLOB(), "mysql"),
            nullable=True,
            comment="첫 응답 본문",
        ),
        sa.Column(
            "content_type", sa.String(length=200), nullable=True, comment="첫 응답의 Content-Type"
        ),
        sa.Column("created_at", DATETIME6, nullable=False, comment="생성일시 (UTC)"),
        sa.PrimaryKeyConstraint("scope", "idem_key", name=op.f("pk_idempotency_key")),
        comment="Idempotency-Key 기록",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_index(
        op.f("ix_idempotency_key_created_at"), "idempotency_key", ["created_at"], unique=False
    )

    op.create_table(
        "payment_card",
        sa.Column(
            "seq",
            sa.BigInteger(),
            autoincrement=False,
            nullable=False,
            comment="키 (IdGenerator 발급)",
        ),
        sa.Column(
            "use_yn",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="사용yn 0:n, 1:y",
        ),
        sa.Column(
            "user_seq", sa.Integer(), server_default=sa.text("0"), nullable=False, comment="회원키"
        ),
        sa.Column(
            "card_type_code",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="카드구분 (0 신용, 1 체크)",
        ),
        sa.Column(
            "customer_uid",
            sa.String(length=500),
            nullable=True,
            comment="iamport customer_uid 빌링키 (첫 채널의 것; 채널별 키는 payment_card_key)",
        ),
        sa.Column(
            "card_disp", sa.String(length=50), nullable=True, comment="iamport 카드번호일부표시"
        ),
        sa.Column("card_corp", sa.String(length=50), nullable=True, comment="iamport 카드사표시"),
        sa.Column(
            "card_status",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="카드 상태 (0 발급중, 1 사용, -1 삭제, -2 발급실패)",
        ),
        sa.Column("created_at", DATETIME6, nullable=False, comment="생성일시 (UTC)"),
        sa.Column(
            "version",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="낙관적 잠금 버전 (저장할 때마다 +1)",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_payment_card")),
        comment="결제카드",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_index(
        op.f("ix_payment_card_user_seq_card_status"),
        "payment_card",
        ["user_seq", "card_status"],
        unique=False,
    )

    op.create_table(
        "payment_history",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
            comment="키 (기록 순서)",
        ),
        sa.Column(
            "entity",
            sa.String(length=20),
            nullable=False,
            comment="대상 (order, payment, cancellation, card)",
        ),
        sa.Column("entity_id", sa.BigInteger(), nullable=False, comment="대상 키"),
        sa.Column("event", sa.String(length=50), nullable=False, comment="사건"),
        sa.Column("from_status", sa.Integer(), nullable=False, comment="이전 상태"),
        sa.Column("to_status", sa.Integer(), nullable=False, comment="새 상태"),
        sa.Column("occurred_at", DATETIME6, nullable=False, comment="발생일시 (UTC)"),
        sa.Column(
            "cause",
            sa.String(length=100),
            nullable=False,
            comment="원인 (client, webhook, janitor, scheduler, operator:<seq>)",
        ),
        sa.Column("data", sa.JSON(), nullable=True, comment="본 iamport 데이터 (개인정보 마스킹)"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_payment_history")),
        comment="상태 전이 이력",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_index(
        op.f("ix_payment_history_entity_entity_id_seq"),
        "payment_history",
        ["entity", "entity_id", "seq"],
        unique=False,
    )

    op.create_table(
        "payment_order",
        sa.Column(
            "seq",
            sa.BigInteger(),
            autoincrement=False,
            nullable=False,
            comment="키 (IdGenerator 발급)",
        ),
        sa.Column(
            "type_code",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="구분 (1 일회 PG결제창, 2 등록카드 일회, 3 정기후원)",
        ),
        sa.Column(
            "user_seq", sa.Integer(), server_default=sa.text("0"), nullable=False, comment="회원키"
        ),
        sa.Column(
            "content_type_code",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="키구분",
        ),
        sa.Column(
            "content_seq", sa.Integer(), server_default=sa.text("0"), nullable=False, comment="키값"
        ),
        sa.Column(
            "payment_card_seq",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="결제 카드 키 (0: 없음)",
        ),
        sa.Column(
            "price",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="가격 (원)",
        ),
        sa.Column(
            "order_status",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="주문 상태 (1 주문완료, 2 결제완료, 3 정기결제 진행중, 4 정기결제 미납, -1 결제실패, -2 결제완료취소, -3 정기결제취소, -4 정기결제 종료)",
        ),
        sa.Column("name", sa.String(length=500), nullable=True, comment="iamport 상품명"),
        sa.Column(
            "tax_free",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="면세공급가액 (원)",
        ),
        sa.Column(
            "pay_method",
            sa.String(length=20),
            nullable=True,
            comment="iamport 결제수단 (card, trans, vbank, phone)",
        ),
        sa.Column("buyer_name", sa.String(length=100), nullable=True, comment="구매자 이름"),
        sa.Column(
            "buyer_tel",
            sa.String(length=50),
            nullable=True,
            comment="구매자 전화번호 (로그·이력에는 마스킹)",
        ),
        sa.Column(
            "buyer_email",
            sa.String(length=200),
            nullable=True,
            comment="구매자 이메일 (로그·이력에는 마스킹)",
        ),
        sa.Column(
            "attempts",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="시작한 결제 시도 수 (일회 주문)",
        ),
        sa.Column(
            "routine_card_seq", sa.BigInteger(), nullable=True, comment="정기후원 결제 카드 키"
        ),
        sa.Column(
            "billing_day",
            sa.SmallInteger(),
            nullable=True,
            comment="정기후원 결제일 (1-31, 29-31은 그 달 말일로)",
        ),
        sa.Column(
            "charge_hour",
            sa.SmallInteger(),
            nullable=True,
            comment="정기후원 결제 시각 (Asia/Seoul 시)",
        ),
        sa.Column(
            "cycle",
            sa.Integer(),
            nullable=True,
            comment="정기후원 회차 (결제 중이거나 마지막 결제된 회차)",
        ),
        sa.Column("attempt", sa.Integer(), nullable=True, comment="현재 회차의 결제 시도 수"),
        sa.Column("cycle_paid", sa.Boolean(), nullable=True, comment="현재 회차 결제 완료 여부"),
        sa.Column(
            "next_charge_at",
            DATETIME6,
            nullable=True,
            comment="다음 결제 예정 시각 (UTC; 결제 진행 중·종료 시 NULL)",
        ),
        sa.Column(
            "next_amount", sa.BigInteger(), nullable=True, comment="다음 회차부터 적용할 금액 (원)"
        ),
        sa.Column(
            "next_tax_free",
            sa.BigInteger(),
            nullable=True,
            comment="다음 회차부터 적용할 면세공급가액 (원)",
        ),
        sa.Column("created_at", DATETIME6, nullable=False, comment="생성일시 (UTC)"),
        sa.Column("updated_at", DATETIME6, nullable=True, comment="수정일시 (UTC)"),
        sa.Column(
            "version",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="낙관적 잠금 버전 (저장할 때마다 +1)",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_payment_order")),
        comment="주문-후원",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_index(
        op.f("ix_payment_order_order_status_created_at"),
        "payment_order",
        ["order_status", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_payment_order_order_status_next_charge_at"),
        "payment_order",
        ["order_status", "next_charge_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_payment_order_routine_card_seq_order_status"),
        "payment_order",
        ["routine_card_seq", "order_status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_payment_order_user_seq_seq"), "payment_order", ["user_seq", "seq"], unique=False
    )

    op.create_table(
        "webhook_inbox",
        sa.Column(
            "seq",
            sa.BigInteger(),
            autoincrement=False,
            nullable=False,
            comment="키 (IdGenerator 발급)",
        ),
        sa.Column("received_at", DATETIME6, nullable=False, comment="수신일시 (UTC)"),
        sa.Column(
            "body",
            sa.Text()
            .with_variant(mysql.MEDIUMTEXT(), "mariadb")
            .with_variant(mysql.MEDIUMTEXT(), "mysql"),
            nullable=False,
            comment="받은 본문 그대로 (JSON 또는 form)",
        ),
        sa.Column("content_type", sa.String(length=200), nullable=False, comment="Content-Type"),
        sa.Column("source_ip", sa.String(length=45), nullable=True, comment="보낸 곳 IP"),
        sa.Column("imp_uid", sa.String(length=50), nullable=True, comment="본문의 imp_uid (힌트)"),
        sa.Column(
            "merchant_uid",
            sa.String(length=50),
            nullable=True,
            comment="본문의 merchant_uid (힌트)",
        ),
        sa.Column("status", sa.String(length=20), nullable=True, comment="본문의 status (힌트)"),
        sa.Column(
            "cancellation_id",
            sa.String(length=100),
            nullable=True,
            comment="본문의 cancellation_id",
        ),
        sa.Column(
            "inbox_state",
            sa.String(length=20),
            nullable=False,
            comment="처리 상태 (received, processed, failed, unmatched)",
        ),
        sa.Column(
            "attempts",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="처리 시도 수",
        ),
        sa.Column("next_attempt_at", DATETIME6, nullable=True, comment="다음 처리 시각 (UTC)"),
        sa.Column("last_error", sa.Text(), nullable=True, comment="마지막 처리 오류"),
        sa.Column("processed_at", DATETIME6, nullable=True, comment="처리일시 (UTC)"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_webhook_inbox")),
        comment="iamport 웹훅 수신함",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_index(op.f("ix_webhook_inbox_imp_uid"), "webhook_inbox", ["imp_uid"], unique=False)
    op.create_index(
        op.f("ix_webhook_inbox_inbox_state_next_attempt_at"),
        "webhook_inbox",
        ["inbox_state", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_webhook_inbox_merchant_uid"), "webhook_inbox", ["merchant_uid"], unique=False
    )

    op.create_table(
        "payment",
        sa.Column(
            "seq",
            sa.BigInteger(),
            autoincrement=False,
            nullable=False,
            comment="키 (IdGenerator 발급)",
        ),
        sa.Column(
            "user_seq", sa.Integer(), server_default=sa.text("0"), nullable=False, comment="회원키"
        ),
        sa.Column(
            "type_code",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="구분 (주문의 type_code)",
        ),
        sa.Column("order_seq", sa.BigInteger(), nullable=False, comment="주문키"),
        sa.Column(
            "payment_card_seq",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="결제 카드 키 (0: 없음)",
        ),
        sa.Column(
            "price",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="가격 (원)",
        ),
        sa.Column(
            "payment_status",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="결제 상태 (0 요청, 1 가상계좌 발급, 2 결제완료, 3 정기결제완료, -1 결제실패, -2 결제완료취소, -4 가상계좌 기한만료)",
        ),
        sa.Column("payment_dt", DATETIME6, nullable=False, comment="결제일시 (요청, UTC)"),
        sa.Column("payment_succ_dt", DATETIME6, nullable=True, comment="결제완료일시 (UTC)"),
        sa.Column("payment_cancel_dt", DATETIME6, nullable=True, comment="결제취소일시 (UTC)"),
        sa.Column("payment_fail_dt", DATETIME6, nullable=True, comment="결제실패일시 (UTC)"),
        sa.Column(
            "payment_cancel_message", sa.String(length=500), nullable=True, comment="결제취소메시지"
        ),
        sa.Column(
            "payment_fail_message", sa.String(length=500), nullable=True, comment="결제실패메시지"
        ),
        sa.Column(
            "imp_uid", sa.String(length=50), nullable=True, comment="iamport uid (결제를 확정한 건)"
        ),
        sa.Column(
            "pg", sa.String(length=50), nullable=True, comment="iamport pg(inicis) - pg_provider"
        ),
        sa.Column(
            "pay_method", sa.String(length=50), nullable=True, comment="iamport 결제 구분(card)"
        ),
        sa.Column(
            "merchant_uid",
            sa.String(length=50),
            nullable=False,
            comment="iamport 상품 uid (시도마다 하나)",
        ),
        sa.Column("name", sa.String(length=500), nullable=True, comment="iamport 상품명"),
        sa.Column(
            "bank_name",
            sa.String(length=50),
            nullable=True,
            comment="iamport 은행 명칭 - (실시간계좌이체 결제 건의 경우)",
        ),
        sa.Column(
            "receipt_url",
            sa.String(length=500),
            nullable=True,
            comment="iamport 신용카드 매출전표 확인 URL",
        ),
        sa.Column(
            "tax_free",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="면세공급가액 (원)",
        ),
        sa.Column(
            "channel",
            sa.String(length=50),
            nullable=False,
            comment="결제를 받은 PG 채널 (설정 이름)",
        ),
        sa.Column(
            "attempt",
            sa.Integer(),
            server_default=sa.text("1"),
            nullable=False,
            comment="주문(정기후원은 회차) 안에서의 시도 번호",
        ),
        sa.Column("cycle", sa.Integer(), nullable=True, comment="정기후원 회차"),
        sa.Column("pg_tid", sa.String(length=100), nullable=True, comment="PG 거래번호"),
        sa.Column("card_name", sa.String(length=50), nullable=True, comment="카드사명"),
        sa.Column(
            "card_number",
            sa.String(length=50),
            nullable=True,
            comment="카드번호 (PG가 마스킹한 값)",
        ),
        sa.Column("vbank_code", sa.String(length=20), nullable=True, comment="가상계좌 은행코드"),
        sa.Column("vbank_name", sa.String(length=50), nullable=True, comment="가상계좌 은행명"),
        sa.Column("vbank_num", sa.String(length=50), nullable=True, comment="가상계좌 번호"),
        sa.Column("vbank_holder", sa.String(length=100), nullable=True, comment="가상계좌 예금주"),
        sa.Column("vbank_date", DATETIME6, nullable=True, comment="가상계좌 입금기한 (UTC)"),
        sa.Column(
            "cancel_amount",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="환불된 금액 합계 (원)",
        ),
        sa.Column(
            "cancel_tax_free",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="환불된 면세공급가액 합계 (원)",
        ),
        sa.Column(
            "unpaid_proven",
            sa.Boolean(),
            server_default=sa.text("0"),
            nullable=False,
            comment="실패이며 청구되지 않았음이 확인됨",
        ),
        sa.Column(
            "unknown_operation",
            sa.String(length=20),
            nullable=True,
            comment="결과를 모르는 호출 (charge, prepare, ...); NULL이면 결과를 앎",
        ),
        sa.Column("unknown_since", DATETIME6, nullable=True, comment="결과를 모르게 된 시각 (UTC)"),
        sa.Column(
            "unknown_next_check_at",
            DATETIME6,
            nullable=True,
            comment="iamport에 다시 물어볼 시각 (UTC)",
        ),
        sa.Column(
            "unknown_checks",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="결과 확인 시도 수",
        ),
        sa.Column("updated_at", DATETIME6, nullable=True, comment="수정일시 (UTC)"),
        sa.Column(
            "version",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="낙관적 잠금 버전 (저장할 때마다 +1)",
        ),
        sa.ForeignKeyConstraint(
            ["order_seq"], ["payment_order.seq"], name=op.f("fk_payment_order_seq_payment_order")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_payment")),
        sa.UniqueConstraint("imp_uid", name=op.f("uq_payment_imp_uid")),
        sa.UniqueConstraint("merchant_uid", name=op.f("uq_payment_merchant_uid")),
        comment="결제",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_index(op.f("ix_payment_order_seq_seq"), "payment", ["order_seq", "seq"], unique=False)
    op.create_index(
        op.f("ix_payment_payment_status_unknown_next_check_at"),
        "payment",
        ["payment_status", "unknown_next_check_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_payment_payment_status_vbank_date"),
        "payment",
        ["payment_status", "vbank_date"],
        unique=False,
    )
    op.create_index(op.f("ix_payment_user_seq_seq"), "payment", ["user_seq", "seq"], unique=False)

    op.create_table(
        "payment_card_key",
        sa.Column(
            "payment_card_seq",
            sa.BigInteger(),
            autoincrement=False,
            nullable=False,
            comment="결제카드 키",
        ),
        sa.Column(
            "channel", sa.String(length=50), nullable=False, comment="빌링 PG 채널 (설정 이름)"
        ),
        sa.Column(
            "position",
            sa.SmallInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="카드 안에서 키의 순서",
        ),
        sa.Column(
            "customer_uid",
            sa.String(length=100),
            nullable=False,
            comment="iamport customer_uid (재사용 금지)",
        ),
        sa.Column(
            "issued_at", DATETIME6, nullable=True, comment="발급일시 (UTC; NULL이면 발급 전)"
        ),
        sa.Column(
            "pg_provider", sa.String(length=50), nullable=True, comment="iamport pg_provider"
        ),
        sa.Column(
            "pg_id", sa.String(length=100), nullable=True, comment="iamport pg_id (상점 아이디)"
        ),
        sa.Column("deleted_at", DATETIME6, nullable=True, comment="삭제일시 (UTC)"),
        sa.ForeignKeyConstraint(
            ["payment_card_seq"],
            ["payment_card.seq"],
            name=op.f("fk_payment_card_key_payment_card_seq_payment_card"),
        ),
        sa.PrimaryKeyConstraint("payment_card_seq", "channel", name=op.f("pk_payment_card_key")),
        sa.UniqueConstraint("customer_uid", name=op.f("uq_payment_card_key_customer_uid")),
        comment="결제카드 빌링키 (채널마다 하나)",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_table(
        "payment_cancel",
        sa.Column(
            "seq",
            sa.BigInteger(),
            autoincrement=False,
            nullable=False,
            comment="키 (IdGenerator 발급)",
        ),
        sa.Column("payment_seq", sa.BigInteger(), nullable=False, comment="결제키"),
        sa.Column(
            "kind",
            sa.String(length=20),
            nullable=False,
            comment="gateway: iamport 취소, manual_bank: 운영자 계좌 환불 기록",
        ),
        sa.Column(
            "cancel_status",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="취소 상태 (0 요청, 1 성공, 2 결과 모름, -1 거절)",
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False, comment="취소 금액 (원)"),
        sa.Column(
            "tax_free",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="취소 면세공급가액 (원)",
        ),
        sa.Column(
            "vat_amount",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
            comment="취소 부가세 (원)",
        ),
        sa.Column(
            "checksum",
            sa.BigInteger(),
            nullable=False,
            comment="요청 시점의 환불 가능 잔액 (iamport checksum)",
        ),
        sa.Column("reason", sa.String(length=500), nullable=False, comment="취소 사유"),
        sa.Column(
            "requested_by",
            sa.String(length=50),
            nullable=False,
            comment="요청자 (user:<seq> | operator:<seq>)",
        ),
        sa.Column("requested_at", DATETIME6, nullable=False, comment="요청일시 (UTC)"),
        sa.Column(
            "refund_holder",
            sa.String(length=100),
            nullable=True,
            comment="환불계좌 예금주 (가상계좌)",
        ),
        sa.Column(
            "refund_bank",
            sa.String(length=20),
            nullable=True,
            comment="환불계좌 은행코드 (가상계좌)",
        ),
        sa.Column(
            "refund_account",
            sa.String(length=50),
            nullable=True,
            comment="환불계좌 번호 (마스킹된 값만 저장)",
        ),
        sa.Column(
            "cancellation_id", sa.String(length=100), nullable=True, comment="iamport 취소 id"
        ),
        sa.Column("failure_message", sa.String(length=500), nullable=True, comment="거절 메시지"),
        sa.Column("completed_at", DATETIME6, nullable=True, comment="완료일시 (UTC)"),
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
            ["payment_seq"], ["payment.seq"], name=op.f("fk_payment_cancel_payment_seq_payment")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_payment_cancel")),
        comment="결제취소 (환불 요청 하나당 한 행)",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_index(
        op.f("ix_payment_cancel_cancel_status_next_check_at"),
        "payment_cancel",
        ["cancel_status", "next_check_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_payment_cancel_payment_seq_seq"),
        "payment_cancel",
        ["payment_seq", "seq"],
        unique=False,
    )


def downgrade() -> None:
    # Children first; a table's indexes go with it.
    for table in (
        "payment_cancel",
        "payment_card_key",
        "payment",
        "webhook_inbox",
        "payment_order",
        "payment_history",
        "payment_card",
        "idempotency_key",
    ):
        op.drop_table(table)
