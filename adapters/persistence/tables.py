"""The schema as SQLAlchemy Core tables: the seed's tables, completed and extended.

docs/adr/0003-schema.md explains every table. The migrations in `migrations/versions/` are the
only way the schema is made; tests/persistence/test_migrations.py keeps them equal to this file.
Ids come from the application's IdGenerator (no AUTO_INCREMENT), except the append-only history.
Times are naive UTC DATETIME(6) in the database, aware UTC datetimes in the program.
Money is whole KRW in BIGINT columns.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import mysql

from adapters.persistence.types import BIGINT_AUTOINCREMENT, Blob, Money, UtcDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

MYSQL = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def _lease() -> list[Column]:
    """A job's lease on the row (application/ports.py WorkLeases): who works on it, until when
    in database time. Not part of any entity: saves never touch it."""
    return [
        Column("lease_owner", String(100), nullable=True, comment="작업 임대 소유자 (인스턴스)"),
        Column("lease_until", UtcDateTime, nullable=True, comment="작업 임대 만료 (DB 시각, UTC)"),
    ]


# Large bodies: MEDIUMTEXT (16 MB) on MySQL, TEXT on SQLite.
LONG_TEXT = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def _seq(comment: str = "키 (IdGenerator 발급)") -> Column:
    return Column("seq", BigInteger, primary_key=True, autoincrement=False, comment=comment)


def _version() -> Column:
    return Column(
        "version",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="낙관적 잠금 버전 (저장할 때마다 +1)",
    )


payment_order = Table(
    "payment_order",
    metadata,
    _seq(),
    # -- the seed's columns ----------------------------------------------------------------
    Column(
        "type_code",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="구분 (1 일회 PG결제창, 2 등록카드 일회, 3 정기후원)",
    ),
    Column("user_seq", Integer, nullable=False, server_default=text("0"), comment="회원키"),
    Column(
        "content_type_code", Integer, nullable=False, server_default=text("0"), comment="키구분"
    ),
    Column("content_seq", Integer, nullable=False, server_default=text("0"), comment="키값"),
    Column(
        "payment_card_seq",
        BigInteger,
        nullable=False,
        server_default=text("0"),
        comment="결제 카드 키 (0: 없음)",
    ),
    Column("price", Money, nullable=False, server_default=text("0"), comment="가격 (원)"),
    Column(
        "order_status",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="주문 상태 (1 주문완료, 2 결제완료, 3 정기결제 진행중, 4 정기결제 미납, "
        "-1 결제실패, -2 결제완료취소, -3 정기결제취소, -4 정기결제 종료)",
    ),
    Column("name", String(500), nullable=True, comment="iamport 상품명"),
    # -- added -----------------------------------------------------------------------------
    Column(
        "tax_free", Money, nullable=False, server_default=text("0"), comment="면세공급가액 (원)"
    ),
    Column(
        "pay_method",
        String(20),
        nullable=True,
        comment="iamport 결제수단 (card, trans, vbank, phone)",
    ),
    Column("buyer_name", String(100), nullable=True, comment="구매자 이름"),
    Column(
        "buyer_tel", String(50), nullable=True, comment="구매자 전화번호 (로그·이력에는 마스킹)"
    ),
    Column(
        "buyer_email", String(200), nullable=True, comment="구매자 이메일 (로그·이력에는 마스킹)"
    ),
    Column(
        "attempts",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="시작한 결제 시도 수 (일회 주문)",
    ),
    # monthly sponsorship (정기후원): NULL for other orders
    Column("routine_card_seq", BigInteger, nullable=True, comment="정기후원 결제 카드 키"),
    Column(
        "billing_day",
        SmallInteger,
        nullable=True,
        comment="정기후원 결제일 (1-31, 29-31은 그 달 말일로)",
    ),
    Column(
        "charge_hour", SmallInteger, nullable=True, comment="정기후원 결제 시각 (Asia/Seoul 시)"
    ),
    Column(
        "cycle", Integer, nullable=True, comment="정기후원 회차 (결제 중이거나 마지막 결제된 회차)"
    ),
    Column("attempt", Integer, nullable=True, comment="현재 회차의 결제 시도 수"),
    Column("cycle_paid", Boolean, nullable=True, comment="현재 회차 결제 완료 여부"),
    Column(
        "next_charge_at",
        UtcDateTime,
        nullable=True,
        comment="다음 결제 예정 시각 (UTC; 결제 진행 중·종료 시 NULL)",
    ),
    Column(
        "cycle_due_on",
        Date,
        nullable=True,
        comment="현재 회차의 결제 예정일 (Asia/Seoul; 첫 회차는 시작일). 다음 회차는 이 날짜 기준",
    ),
    Column("next_amount", Money, nullable=True, comment="다음 회차부터 적용할 금액 (원)"),
    Column("next_tax_free", Money, nullable=True, comment="다음 회차부터 적용할 면세공급가액 (원)"),
    Column("created_at", UtcDateTime, nullable=False, comment="생성일시 (UTC)"),
    Column("updated_at", UtcDateTime, nullable=True, comment="수정일시 (UTC)"),
    *_lease(),
    _version(),
    Index(None, "user_seq", "seq"),
    Index(None, "order_status", "next_charge_at"),
    Index(None, "order_status", "created_at"),
    Index(None, "routine_card_seq", "order_status"),
    comment="주문-후원",
    **MYSQL,
)

payment = Table(
    "payment",
    metadata,
    _seq(),
    # -- the seed's columns ----------------------------------------------------------------
    Column("user_seq", Integer, nullable=False, server_default=text("0"), comment="회원키"),
    Column(
        "type_code",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="구분 (주문의 type_code)",
    ),
    Column(
        "order_seq", BigInteger, ForeignKey("payment_order.seq"), nullable=False, comment="주문키"
    ),
    Column(
        "payment_card_seq",
        BigInteger,
        nullable=False,
        server_default=text("0"),
        comment="결제 카드 키 (0: 없음)",
    ),
    Column("price", Money, nullable=False, server_default=text("0"), comment="가격 (원)"),
    Column(
        "payment_status",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="결제 상태 (0 요청, 1 가상계좌 발급, 2 결제완료, 3 정기결제완료, -1 결제실패, "
        "-2 결제완료취소, -4 가상계좌 기한만료)",
    ),
    Column("payment_dt", UtcDateTime, nullable=False, comment="결제일시 (요청, UTC)"),
    Column("payment_succ_dt", UtcDateTime, nullable=True, comment="결제완료일시 (UTC)"),
    Column("payment_cancel_dt", UtcDateTime, nullable=True, comment="결제취소일시 (UTC)"),
    Column("payment_fail_dt", UtcDateTime, nullable=True, comment="결제실패일시 (UTC)"),
    Column("payment_cancel_message", String(500), nullable=True, comment="결제취소메시지"),
    Column("payment_fail_message", String(500), nullable=True, comment="결제실패메시지"),
    Column("imp_uid", String(50), nullable=True, comment="iamport uid (결제를 확정한 건)"),
    Column("pg", String(50), nullable=True, comment="iamport pg(inicis) - pg_provider"),
    Column("pay_method", String(50), nullable=True, comment="iamport 결제 구분(card)"),
    Column("merchant_uid", String(50), nullable=False, comment="iamport 상품 uid (시도마다 하나)"),
    Column("name", String(500), nullable=True, comment="iamport 상품명"),
    Column(
        "bank_name",
        String(50),
        nullable=True,
        comment="iamport 은행 명칭 - (실시간계좌이체 결제 건의 경우)",
    ),
    Column("receipt_url", String(500), nullable=True, comment="iamport 신용카드 매출전표 확인 URL"),
    # -- added -----------------------------------------------------------------------------
    Column(
        "tax_free", Money, nullable=False, server_default=text("0"), comment="면세공급가액 (원)"
    ),
    Column("channel", String(50), nullable=False, comment="결제를 받은 PG 채널 (설정 이름)"),
    Column(
        "route_reason",
        String(300),
        nullable=True,
        comment="이 채널을 고른 이유 (우선순위, 차단기 상태, 장애 전환)",
    ),
    Column(
        "attempt",
        Integer,
        nullable=False,
        server_default=text("1"),
        comment="주문(정기후원은 회차) 안에서의 시도 번호",
    ),
    Column("cycle", Integer, nullable=True, comment="정기후원 회차"),
    Column("pg_tid", String(100), nullable=True, comment="PG 거래번호"),
    Column("card_name", String(50), nullable=True, comment="카드사명"),
    Column("card_number", String(50), nullable=True, comment="카드번호 (PG가 마스킹한 값)"),
    Column("vbank_code", String(20), nullable=True, comment="가상계좌 은행코드"),
    Column("vbank_name", String(50), nullable=True, comment="가상계좌 은행명"),
    Column("vbank_num", String(50), nullable=True, comment="가상계좌 번호"),
    Column("vbank_holder", String(100), nullable=True, comment="가상계좌 예금주"),
    Column("vbank_date", UtcDateTime, nullable=True, comment="가상계좌 입금기한 (UTC)"),
    Column(
        "cancel_amount",
        Money,
        nullable=False,
        server_default=text("0"),
        comment="환불된 금액 합계 (원)",
    ),
    Column(
        "cancel_tax_free",
        Money,
        nullable=False,
        server_default=text("0"),
        comment="환불된 면세공급가액 합계 (원)",
    ),
    Column(
        "unpaid_proven",
        Boolean,
        nullable=False,
        server_default=text("0"),
        comment="실패이며 청구되지 않았음이 확인됨",
    ),
    Column(
        "unknown_operation",
        String(20),
        nullable=True,
        comment="결과를 모르는 호출 (charge, prepare, ...); NULL이면 결과를 앎",
    ),
    Column("unknown_since", UtcDateTime, nullable=True, comment="결과를 모르게 된 시각 (UTC)"),
    Column(
        "unknown_next_check_at",
        UtcDateTime,
        nullable=True,
        comment="iamport에 다시 물어볼 시각 (UTC)",
    ),
    Column(
        "unknown_checks",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="결과 확인 시도 수",
    ),
    Column(
        "attention",
        Text,
        nullable=True,
        comment="운영자가 확인할 내용 (정산이 보고한 것); NULL이면 없음",
    ),
    Column("attention_at", UtcDateTime, nullable=True, comment="확인 요청 시각 (UTC)"),
    Column("updated_at", UtcDateTime, nullable=True, comment="수정일시 (UTC)"),
    *_lease(),
    _version(),
    UniqueConstraint("merchant_uid"),
    UniqueConstraint("imp_uid"),
    Index(None, "order_seq", "seq"),
    Index(None, "user_seq", "seq"),
    Index(None, "payment_status", "unknown_next_check_at"),
    Index(None, "payment_status", "vbank_date"),
    Index(None, "attention_at"),
    Index(None, "payment_succ_dt"),  # settlement reports: payments paid in a day
    comment="결제",
    **MYSQL,
)

payment_cancel = Table(
    "payment_cancel",
    metadata,
    _seq(),
    Column("payment_seq", BigInteger, ForeignKey("payment.seq"), nullable=False, comment="결제키"),
    Column(
        "kind",
        String(20),
        nullable=False,
        comment="gateway: iamport 취소, manual_bank: 운영자 계좌 환불 기록",
    ),
    Column(
        "cancel_status",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="취소 상태 (0 요청, 1 성공, 2 결과 모름, -1 거절)",
    ),
    Column("amount", Money, nullable=False, comment="취소 금액 (원)"),
    Column(
        "tax_free",
        Money,
        nullable=False,
        server_default=text("0"),
        comment="취소 면세공급가액 (원)",
    ),
    Column(
        "vat_amount", Money, nullable=False, server_default=text("0"), comment="취소 부가세 (원)"
    ),
    Column(
        "checksum", Money, nullable=False, comment="요청 시점의 환불 가능 잔액 (iamport checksum)"
    ),
    Column("reason", String(500), nullable=False, comment="취소 사유"),
    Column(
        "requested_by", String(50), nullable=False, comment="요청자 (user:<seq> | operator:<seq>)"
    ),
    Column("requested_at", UtcDateTime, nullable=False, comment="요청일시 (UTC)"),
    Column("refund_holder", String(100), nullable=True, comment="환불계좌 예금주 (가상계좌)"),
    Column("refund_bank", String(20), nullable=True, comment="환불계좌 은행코드 (가상계좌)"),
    Column(
        "refund_account", String(50), nullable=True, comment="환불계좌 번호 (마스킹된 값만 저장)"
    ),
    Column("cancellation_id", String(100), nullable=True, comment="iamport 취소 id"),
    Column("failure_message", String(500), nullable=True, comment="거절 메시지"),
    Column("completed_at", UtcDateTime, nullable=True, comment="완료일시 (UTC)"),
    Column(
        "next_check_at",
        UtcDateTime,
        nullable=True,
        comment="결과를 모를 때 iamport에 다시 물어볼 시각 (UTC)",
    ),
    Column(
        "checks", Integer, nullable=False, server_default=text("0"), comment="결과 확인 시도 수"
    ),
    *_lease(),
    _version(),
    Index(None, "payment_seq", "seq"),
    Index(None, "cancel_status", "next_check_at"),
    comment="결제취소 (환불 요청 하나당 한 행)",
    **MYSQL,
)

cash_receipt = Table(
    "cash_receipt",
    metadata,
    _seq(),
    Column("payment_seq", BigInteger, ForeignKey("payment.seq"), nullable=False, comment="결제키"),
    Column("imp_uid", String(60), nullable=False, comment="iamport 거래고유번호"),
    Column("kind", String(20), nullable=False, comment="personal: 소득공제, business: 지출증빙"),
    Column(
        "identifier_masked",
        String(30),
        nullable=False,
        comment="휴대폰번호 / 사업자번호 (마스킹된 값만 저장)",
    ),
    Column(
        "receipt_status",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="상태 (0 발급중, 1 발급, 2 취소중, -1 실패, -2 취소)",
    ),
    Column(
        "requested_by", String(50), nullable=False, comment="요청자 (user:<seq> | operator:<seq>)"
    ),
    Column("requested_at", UtcDateTime, nullable=False, comment="요청일시 (UTC)"),
    Column("amount", Money, nullable=True, comment="발급 금액 (원)"),
    Column("vat", Money, nullable=True, comment="발급 금액 중 부가세 (원)"),
    Column("apply_num", String(50), nullable=True, comment="국세청 발행번호"),
    Column("receipt_url", String(500), nullable=True, comment="현금영수증 URL"),
    Column("issued_at", UtcDateTime, nullable=True, comment="발급일시 (UTC)"),
    Column("cancelled_at", UtcDateTime, nullable=True, comment="취소일시 (UTC)"),
    Column("failure_message", String(500), nullable=True, comment="iamport 거절 메시지"),
    Column(
        "next_check_at",
        UtcDateTime,
        nullable=True,
        comment="결과를 모를 때 iamport에 다시 물어볼 시각 (UTC)",
    ),
    Column(
        "checks", Integer, nullable=False, server_default=text("0"), comment="결과 확인 시도 수"
    ),
    _version(),
    Index(None, "payment_seq", "seq"),
    Index(None, "receipt_status", "next_check_at"),
    comment="현금영수증 (계좌이체, 가상계좌)",
    **MYSQL,
)

payment_card = Table(
    "payment_card",
    metadata,
    _seq(),
    # -- the seed's columns ----------------------------------------------------------------
    Column("use_yn", Integer, nullable=False, server_default=text("0"), comment="사용yn 0:n, 1:y"),
    Column("user_seq", Integer, nullable=False, server_default=text("0"), comment="회원키"),
    Column(
        "card_type_code",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="카드구분 (0 신용, 1 체크)",
    ),
    Column(
        "customer_uid",
        String(500),
        nullable=True,
        comment="iamport customer_uid 빌링키 (첫 채널의 것; 채널별 키는 payment_card_key)",
    ),
    Column("card_disp", String(50), nullable=True, comment="iamport 카드번호일부표시"),
    Column("card_corp", String(50), nullable=True, comment="iamport 카드사표시"),
    # -- added -----------------------------------------------------------------------------
    Column(
        "card_status",
        Integer,
        nullable=False,
        server_default=text("0"),
        comment="카드 상태 (0 발급중, 1 사용, -1 삭제, -2 발급실패)",
    ),
    Column("created_at", UtcDateTime, nullable=False, comment="생성일시 (UTC)"),
    _version(),
    Index(None, "user_seq", "card_status"),
    Index(None, "card_status", "created_at"),
    comment="결제카드",
    **MYSQL,
)

payment_card_key = Table(
    "payment_card_key",
    metadata,
    Column(
        "payment_card_seq",
        BigInteger,
        ForeignKey("payment_card.seq"),
        primary_key=True,
        autoincrement=False,
        comment="결제카드 키",
    ),
    Column("channel", String(50), primary_key=True, comment="빌링 PG 채널 (설정 이름)"),
    Column(
        "position",
        SmallInteger,
        nullable=False,
        server_default=text("0"),
        comment="카드 안에서 키의 순서",
    ),
    Column(
        "customer_uid", String(100), nullable=False, comment="iamport customer_uid (재사용 금지)"
    ),
    Column("issued_at", UtcDateTime, nullable=True, comment="발급일시 (UTC; NULL이면 발급 전)"),
    Column("pg_provider", String(50), nullable=True, comment="iamport pg_provider"),
    Column("pg_id", String(100), nullable=True, comment="iamport pg_id (상점 아이디)"),
    Column("deleted_at", UtcDateTime, nullable=True, comment="삭제일시 (UTC)"),
    UniqueConstraint("customer_uid"),
    comment="결제카드 빌링키 (채널마다 하나)",
    **MYSQL,
)

payment_history = Table(
    "payment_history",
    metadata,
    Column(
        "seq", BIGINT_AUTOINCREMENT, primary_key=True, autoincrement=True, comment="키 (기록 순서)"
    ),
    Column(
        "entity", String(20), nullable=False, comment="대상 (order, payment, cancellation, card)"
    ),
    Column("entity_id", BigInteger, nullable=False, comment="대상 키"),
    Column("event", String(50), nullable=False, comment="사건"),
    Column("from_status", Integer, nullable=False, comment="이전 상태"),
    Column("to_status", Integer, nullable=False, comment="새 상태"),
    Column("occurred_at", UtcDateTime, nullable=False, comment="발생일시 (UTC)"),
    Column(
        "cause",
        String(100),
        nullable=False,
        comment="원인 (client, webhook, janitor, scheduler, operator:<seq>)",
    ),
    Column("data", JSON, nullable=True, comment="본 iamport 데이터 (개인정보 마스킹)"),
    Index(None, "entity", "entity_id", "seq"),
    comment="상태 전이 이력",
    **MYSQL,
)

webhook_inbox = Table(
    "webhook_inbox",
    metadata,
    _seq(),
    Column("received_at", UtcDateTime, nullable=False, comment="수신일시 (UTC)"),
    Column("body", LONG_TEXT, nullable=False, comment="받은 본문 그대로 (JSON 또는 form)"),
    Column("content_type", String(200), nullable=False, comment="Content-Type"),
    Column("source_ip", String(45), nullable=True, comment="보낸 곳 IP"),
    Column("imp_uid", String(50), nullable=True, comment="본문의 imp_uid (힌트)"),
    Column("merchant_uid", String(50), nullable=True, comment="본문의 merchant_uid (힌트)"),
    Column("status", String(20), nullable=True, comment="본문의 status (힌트)"),
    Column("cancellation_id", String(100), nullable=True, comment="본문의 cancellation_id"),
    Column(
        "inbox_state",
        String(20),
        nullable=False,
        comment="처리 상태 (received, processed, failed, unmatched)",
    ),
    Column("attempts", Integer, nullable=False, server_default=text("0"), comment="처리 시도 수"),
    Column("next_attempt_at", UtcDateTime, nullable=True, comment="다음 처리 시각 (UTC)"),
    Column("last_error", Text, nullable=True, comment="마지막 처리 오류"),
    Column("processed_at", UtcDateTime, nullable=True, comment="처리일시 (UTC)"),
    Column("reprocessed_by", String(100), nullable=True, comment="다시 처리를 요청한 운영자"),
    Column("reprocessed_at", UtcDateTime, nullable=True, comment="다시 처리 요청 시각 (UTC)"),
    *_lease(),
    Index(None, "inbox_state", "next_attempt_at"),
    Index(None, "imp_uid"),
    Index(None, "merchant_uid"),
    comment="iamport 웹훅 수신함",
    **MYSQL,
)

idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("scope", String(200), primary_key=True, comment="범위 (회원·경로)"),
    Column("idem_key", String(255), primary_key=True, comment="Idempotency-Key 헤더 값"),
    Column("fingerprint", String(128), nullable=False, comment="요청 본문의 HMAC"),
    Column("idem_state", String(20), nullable=False, comment="상태 (in_progress, done)"),
    Column("status_code", Integer, nullable=True, comment="첫 응답의 HTTP 상태"),
    Column("response_body", Blob, nullable=True, comment="첫 응답 본문"),
    Column("content_type", String(200), nullable=True, comment="첫 응답의 Content-Type"),
    Column("created_at", UtcDateTime, nullable=False, comment="생성일시 (UTC)"),
    Index(None, "created_at"),
    comment="Idempotency-Key 기록",
    **MYSQL,
)

channel_health = Table(
    "channel_health",
    metadata,
    Column("channel", String(50), primary_key=True, comment="PG 채널 (설정 이름)"),
    Column("breaker_state", String(20), nullable=False, comment="차단기 (closed, open, half_open)"),
    Column(
        "failures", Integer, nullable=False, server_default=text("0"), comment="연속 PG 장애 수"
    ),
    Column("opened_at", UtcDateTime, nullable=True, comment="차단 시작 (UTC)"),
    Column("probe_until", UtcDateTime, nullable=True, comment="시험 요청 슬롯 만료 (UTC)"),
    Column("forced", String(20), nullable=True, comment="운영자 강제 상태 (open, closed)"),
    Column("forced_by", String(100), nullable=True, comment="강제한 운영자"),
    Column("forced_reason", String(500), nullable=True, comment="강제 사유"),
    Column("last_failure", String(500), nullable=True, comment="마지막 PG 장애"),
    Column("last_failure_at", UtcDateTime, nullable=True, comment="마지막 PG 장애 시각 (UTC)"),
    Column("last_success_at", UtcDateTime, nullable=True, comment="마지막 성공 시각 (UTC)"),
    Column("updated_at", UtcDateTime, nullable=True, comment="수정일시 (UTC)"),
    comment="PG 채널 상태 (회로 차단기; 모든 인스턴스가 공유)",
    **MYSQL,
)

reconcile_report = Table(
    "reconcile_report",
    metadata,
    Column(
        "seq", BIGINT_AUTOINCREMENT, primary_key=True, autoincrement=True, comment="키 (실행 순서)"
    ),
    Column("ran_at", UtcDateTime, nullable=False, comment="마친 시각 (UTC)"),
    Column("since_at", UtcDateTime, nullable=False, comment="비교 기간 시작 (UTC)"),
    Column("until_at", UtcDateTime, nullable=False, comment="비교 기간 끝 (UTC)"),
    Column(
        "cause",
        String(100),
        nullable=False,
        comment="실행 주체 (reconcile, reconcile:operator:<seq>)",
    ),
    Column("checked", Integer, nullable=False, comment="확인한 아임포트 결제 수"),
    Column("clean", Boolean, nullable=False, comment="보고할 것이 없었는지"),
    Column(
        "items",
        JSON,
        nullable=False,
        comment="바로잡은 것, 아임포트에만/우리에만 있는 것, 어긋난 것, 오류",
    ),
    comment="대사 실행 결과",
    **MYSQL,
)

event_outbox = Table(
    "event_outbox",
    metadata,
    Column(
        "seq", BIGINT_AUTOINCREMENT, primary_key=True, autoincrement=True, comment="키 (기록 순서)"
    ),
    Column("event_id", String(40), nullable=False, comment="이벤트 id (webhook-id 헤더)"),
    Column("event_type", String(50), nullable=False, comment="이벤트 종류 (payment.paid 등)"),
    Column("version", SmallInteger, nullable=False, comment="이벤트 스키마 버전"),
    Column("entity", String(20), nullable=False, comment="바뀐 대상 (order, payment, card)"),
    Column("entity_id", BigInteger, nullable=False, comment="바뀐 대상 키"),
    Column("occurred_at", UtcDateTime, nullable=False, comment="발생일시 (UTC)"),
    Column("payload", LONG_TEXT, nullable=False, comment="보내는 본문 (JSON, 서명 대상 그대로)"),
    Column(
        "dispatched",
        Boolean,
        nullable=False,
        server_default=text("0"),
        comment="수신처별 전달(event_delivery)을 만들었는지",
    ),
    UniqueConstraint("event_id"),
    Index(None, "dispatched", "seq"),
    Index(None, "event_type", "seq"),
    Index(None, "entity", "entity_id"),
    comment="보낼 이벤트 (상태 변경과 같은 트랜잭션에서 기록)",
    **MYSQL,
)

event_delivery = Table(
    "event_delivery",
    metadata,
    _seq(),
    Column(
        "event_id",
        String(40),
        ForeignKey("event_outbox.event_id"),
        nullable=False,
        comment="이벤트 id",
    ),
    Column("endpoint", String(100), nullable=False, comment="수신처 이름 (설정)"),
    Column("delivery_state", String(20), nullable=False, comment="상태 (pending, delivered, dead)"),
    Column("attempts", Integer, nullable=False, server_default=text("0"), comment="시도 수"),
    Column("next_attempt_at", UtcDateTime, nullable=True, comment="다음 시도 시각 (UTC)"),
    Column("created_at", UtcDateTime, nullable=False, comment="생성일시 (UTC)"),
    Column("last_attempt_at", UtcDateTime, nullable=True, comment="마지막 시도 시각 (UTC)"),
    Column("last_status", Integer, nullable=True, comment="마지막 HTTP 상태 (NULL: 응답 없음)"),
    Column("last_error", Text, nullable=True, comment="마지막 오류"),
    Column("delivered_at", UtcDateTime, nullable=True, comment="전달 완료 시각 (UTC)"),
    Column("resent_by", String(100), nullable=True, comment="다시 보내기를 요청한 운영자"),
    Column("resent_at", UtcDateTime, nullable=True, comment="다시 보내기 요청 시각 (UTC)"),
    *_lease(),
    UniqueConstraint("event_id", "endpoint"),
    Index(None, "delivery_state", "next_attempt_at"),
    comment="이벤트 전달 (수신처별)",
    **MYSQL,
)

event_delivery_attempt = Table(
    "event_delivery_attempt",
    metadata,
    Column(
        "seq", BIGINT_AUTOINCREMENT, primary_key=True, autoincrement=True, comment="키 (기록 순서)"
    ),
    Column(
        "delivery_seq",
        BigInteger,
        ForeignKey("event_delivery.seq"),
        nullable=False,
        comment="전달키",
    ),
    Column("attempt", Integer, nullable=False, comment="몇 번째 시도 (다시 보내면 1부터)"),
    Column("attempted_at", UtcDateTime, nullable=False, comment="시도 시각 (UTC)"),
    Column("status_code", Integer, nullable=True, comment="HTTP 상태 (NULL: 응답 없음)"),
    Column("error", Text, nullable=True, comment="오류"),
    Column("duration_ms", Integer, nullable=False, comment="걸린 시간 (ms)"),
    Index(None, "delivery_seq", "seq"),
    comment="이벤트 전달 기록",
    **MYSQL,
)
