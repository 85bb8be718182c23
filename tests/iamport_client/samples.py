"""Real iamport bodies, quoted verbatim from docs/iamport.md (golden samples)."""

# §4.1 kakaopay billing-key issue payment, then cancelled (a bare PaymentAnnotation)
KAKAOPAY_CANCELLED = """{"amount":5900,"apply_num":"","cancel_amount":5900,"cancel_history":[{"pg_tid":"T4fab0787514397709d3","amount":5900,"cancelled_at":1694156059,"reason":"잘못된 결제","receipt_url":"https://mockup-pg-web.kakao.com/..."}],
 "cancel_reason":"잘못된 결제","cancelled_at":1694156059,"card_code":null,"card_quota":0,"card_type":null,"cash_receipt_issued":false,
 "channel":"mobile","currency":"KRW","custom_data":null,"customer_uid":"4","customer_uid_usage":"issue","emb_pg_provider":null,"escrow":false,
 "fail_reason":null,"failed_at":0,"imp_uid":"imp_809776678494","merchant_uid":"4_subscribe_2023_09_08_142616185","name":"1개월 구독권",
 "paid_at":1694150787,"pay_method":"point","pg_id":"TCSUBSCRIP","pg_provider":"kakaopay","pg_tid":"T4fab0787514397709d3",
 "started_at":1694150776,"status":"cancelled","vbank_code":null,"vbank_date":0,"vbank_issued_at":0,"vbank_num":null}"""

# §2 POST /users/getToken
TOKEN = """{"code":0,"message":null,"response":{"access_token":"10395effc0e6c5560f5a1573939dcdf69b19b3d0","now":1700000000,"expired_at":1700001800}}"""

# §3 POST /payments/prepare
PREPARE = (
    """{"code":0,"message":null,"response":{"merchant_uid":"ord_20240101_001","amount":12000}}"""
)

# §5 POST /payments/cancel
CANCEL = """{"code":0,"message":null,"response":{"imp_uid":"imp_330962522319","amount":100,"cancel_amount":100,"status":"cancelled","cancelled_at":1627564361,
 "cancel_history":[{"pg_tid":"StdpayISP_INIpayTest20210729220648397020","amount":100,"cancelled_at":1627564361,"reason":"test","receipt_url":"https://iniweb.inicis.com/..."}]}}"""

# §6.1 a billing key (CustomerAnnotation)
CUSTOMER = """{"code":0,"message":null,"response":{"customer_uid":"gildong_0001_1234","pg_provider":"nice","pg_id":"nictest04m","card_name":"신한카드","card_code":"366",
 "card_number":"5594-10**-****-1234","card_type":0,"customer_name":"홍길동","inserted":1700000000,"updated":1700000000,"sandbox":true}}"""

# §6.2 again, declined
AGAIN_FAILED = """{"code":0,"message":null,"response":{"imp_uid":"imp_123456789012","merchant_uid":"order_monthly_0002","status":"failed","fail_reason":"잔액부족 (illustrative)","amount":8900,"paid_at":0,"failed_at":1700000100,"channel":"api","customer_uid":"gildong_0001_1234","customer_uid_usage":"payment"}}"""

# §6.4 unschedule
UNSCHEDULE = """{"code":0,"message":null,"response":[{"customer_uid":"4","merchant_uid":"4_subscribe_..._r","imp_uid":null,"customer_id":null,"schedule_at":1696742786,"executed_at":0,"revoked_at":1694160397,"amount":5900,"name":"1개월 정기결제예약","buyer_name":null,"schedule_status":"revoked","payment_status":null,"fail_reason":null,"custom_data":null,"currency":"KRW"}]}"""

# §1 envelopes
OK_MINIMAL = (
    """{"code":0,"message":null,"response":{"imp_uid":"imp_809776678494","status":"paid"}}"""
)
NOTHING_TO_CANCEL = """{"code":1,"message":"취소할 결제건이 존재하지 않습니다.","response":null}"""
ALREADY_CANCELLED = """{"code":1,"message":"이미 전액취소된 주문입니다.","response":null}"""
UNKNOWN_BUYER = """{"code":1,"message":"등록되지 않은 구매자입니다.","response":null}"""
UNKNOWN_BUYER_MINUS = """{"code":-1,"message":"등록되지 않은 구매자입니다.","response":null}"""
NOT_FOUND = """{"code":-1,"message":"존재하지 않는 결제정보입니다.","response":null}"""
UNAUTHORIZED = """{"code":-1,"message":"Unauthorized","response":null}"""
CARD_REFUSED = """{"code":-1,"message":"카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림","response":null}"""
CUSTOMER_UNKNOWN = """{"code":1,"message":"요청하신 customer_uid(invalid-uid)로 등록된 정보를 찾을 수 없습니다.","response":null}"""
