// Korean labels of the API's states, codes and rules.
export const PAYMENT_STATUS = {
  requested: ["처리중", "wait"], ready: ["입금대기", "wait"], paid: ["결제완료", "ok"],
  routine_paid: ["정기결제 완료", "ok"], failed: ["실패", "bad"], cancelled: ["환불완료", "off"],
  expired: ["입금기한 만료", "off"],
};
export const ORDER_STATUS = {
  ordered: ["주문완료 (미결제)", "wait"], paid: ["결제완료", "ok"], routine: ["정기후원 진행중", "ok"],
  routine_past_due: ["정기결제 미납", "warn"], failed: ["결제실패", "bad"], cancelled: ["환불완료", "off"],
  routine_cancelled: ["정기후원 해지", "off"], routine_ended: ["정기후원 종료", "off"],
};
export const CANCELLATION_STATUS = {
  requested: ["환불 요청", "wait"], succeeded: ["환불됨", "ok"], unknown: ["결과 확인중", "warn"],
  rejected: ["환불 거절", "bad"],
};
export const INBOX_STATE = {
  received: ["수신", "wait"], processed: ["처리됨", "ok"], failed: ["처리 실패", "bad"], unmatched: ["매칭 안 됨", "warn"],
};
export const BREAKER = {
  closed: ["정상 (닫힘)", "ok"], open: ["차단 (열림)", "bad"], half_open: ["시험 중 (반열림)", "warn"],
  forced_open: ["운영자 차단", "bad"], forced_closed: ["운영자 강제 사용", "warn"],
};
export const DELIVERY = { pending: ["전달 대기", "wait"], delivered: ["전달됨", "ok"], dead: ["전달 실패", "bad"] };
export const REPROCESSED = { processed: "처리됨", failed: "처리 실패 (자동 재시도)", unmatched: "여전히 매칭 안 됨" };
export const DIFFERENCE = {
  missing_at_iamport: "아임포트에 없음", missing_here: "우리 기록에 없음", amount: "결제 금액 다름", cancelled: "취소 금액 다름",
};
export const EVENT_TYPES = ["payment.paid", "payment.failed", "payment.cancelled", "payment.partially_refunded",
  "sponsorship.started", "sponsorship.renewed", "sponsorship.renewal_failed", "sponsorship.past_due",
  "sponsorship.ended", "sponsorship.cancelled", "vbank.issued", "vbank.expired", "card.registered", "card.deleted"];
export const ADMITS = { allow: ["보냄", "ok"], probe: ["시험 요청만", "warn"], refuse: ["보내지 않음", "bad"] };
// Kinds of leased work: label, and the console page of the row (if it has one).
export const WORK = {
  "due-charges": ["정기결제 청구", "order"], "unknown-payments": ["결과 미확인 결제 확인", "payment"],
  "unknown-cancellations": ["결과 미확인 환불 확인", null], "due-webhooks": ["웹훅 처리", null],
  "vbanks-past-due": ["가상계좌 기한 만료", "payment"], "stale-orders": ["미결제 주문 만료", "order"],
};
export const STATUS_OF = { payment: PAYMENT_STATUS, order: ORDER_STATUS, cancellation: CANCELLATION_STATUS };
export const OPERATION = { charge: "결제 승인 요청", cancel: "환불 요청", issue: "빌링키 발급" };
export const ENTITY = { payment: "결제", order: "주문", cancellation: "환불", card: "카드" };
export const TYPE = { one_time: "일시후원", one_click: "원클릭", monthly: "정기후원" };
export const METHOD = { card: "신용카드", trans: "계좌이체", vbank: "가상계좌", phone: "휴대폰", point: "간편결제" };
export const EVENT = {
  paid: "결제됨", first_cycle_paid: "첫 달 결제됨", given_up: "미결제 종료", refunded: "환불",
  cycle_declined: "정기결제 거절", cycle_recovered: "재시도 결제됨", routine_cancelled: "해지",
  dunning_exhausted: "재시도 소진", approved: "승인", routine_approved: "정기결제 승인",
  vbank_issued: "가상계좌 발급", failed: "실패", deposited: "입금", due_passed: "입금기한 지남",
  vbank_closed: "가상계좌 닫힘", succeeded: "완료", rejected: "거절", unknown: "결과 확인중",
  attention_acknowledged: "확인 처리", partially_refunded: "부분 환불", cancelled: "취소",
};
export const BANKS = {
  "002": "산업은행", "003": "기업은행", "004": "국민은행", "007": "수협", "011": "농협", "020": "우리은행",
  "023": "SC제일은행", "027": "씨티은행", "031": "대구은행", "032": "부산은행", "034": "광주은행",
  "035": "제주은행", "037": "전북은행", "039": "경남은행", "045": "새마을금고", "048": "신협",
  "050": "저축은행", "064": "산림조합", "071": "우체국", "081": "하나은행", "088": "신한은행",
  "089": "케이뱅크", "090": "카카오뱅크", "092": "토스뱅크",
};
export const RULES = {
  amount: "금액 규칙", not_paid: "결제완료 건만 환불", in_flight: "진행 중인 환불 있음",
  business_window: "후원자 환불 기간", "pg_window.card": "카드 PG 취소 기한", "pg_window.trans": "계좌이체 PG 취소 기한",
  "pg_window.phone": "휴대폰 결제 당월 취소", vbank_refund_account: "환불 계좌 필요", vbank_refund_bank: "환불 은행 코드",
  vbank_refund_contract: "가상계좌 환불 계약 없음", unknown_method: "환불 규칙 없는 결제수단",
};
// What an error code means, in Korean; the API's own detail follows it.
export const PROBLEM = {
  validation_error: "입력값을 확인해 주세요", invalid_value: "입력값을 확인해 주세요", application_error: "처리할 수 없는 요청입니다",
  unauthorized: "로그인이 필요합니다", forbidden: "권한이 없습니다", not_found: "찾을 수 없습니다",
  conflict: "지금 상태에서는 할 수 없습니다", refund_in_progress: "진행 중인 환불이 있습니다",
  invalid_transition: "지금 상태에서는 할 수 없습니다", concurrent_update: "다른 곳에서 먼저 바뀌었습니다. 다시 열어 주세요",
  idempotency_in_progress: "같은 요청이 아직 처리 중입니다", idempotency_key_abandoned: "끝나지 않은 요청입니다. 결과를 확인한 뒤 다시 하세요",
  idempotency_key_reused: "같은 키로 다른 요청을 보냈습니다", gateway_rejected: "아임포트가 거절했습니다",
  refund_refused: "환불 규칙에 맞지 않습니다", gateway_unavailable: "아임포트에 닿지 못했습니다 (처리되지 않음)",
  rate_limited: "요청이 너무 많습니다. 잠시 후 다시 하세요", internal_error: "서버 오류",
};
