// dolgo-pay operator console: vanilla JS, no build step. Everything it shows and does goes
// through the admin API (/api/admin/...) with the operator's bearer token, kept in this tab's
// sessionStorage only. Data is put on the page as text (never as HTML).
"use strict";

(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const TOKEN_KEY = "dolgo-console-token";
  const PAGE = 20;

  // ---- labels -------------------------------------------------------------------------------
  const PAYMENT_STATUS = {
    requested: ["처리중", "wait"], ready: ["입금대기", "wait"], paid: ["결제완료", "ok"],
    routine_paid: ["정기결제 완료", "ok"], failed: ["실패", "bad"], cancelled: ["환불완료", "off"],
    expired: ["입금기한 만료", "off"],
  };
  const ORDER_STATUS = {
    ordered: ["주문완료 (미결제)", "wait"], paid: ["결제완료", "ok"], routine: ["정기후원 진행중", "ok"],
    routine_past_due: ["정기결제 미납", "warn"], failed: ["결제실패", "bad"], cancelled: ["환불완료", "off"],
    routine_cancelled: ["정기후원 해지", "off"], routine_ended: ["정기후원 종료", "off"],
  };
  const CANCELLATION_STATUS = {
    requested: ["환불 요청", "wait"], succeeded: ["환불됨", "ok"], unknown: ["결과 확인중", "warn"],
    rejected: ["환불 거절", "bad"],
  };
  const INBOX_STATE = {
    received: ["수신", "wait"], processed: ["처리됨", "ok"], failed: ["처리 실패", "bad"], unmatched: ["매칭 안 됨", "warn"],
  };
  const BREAKER = {
    closed: ["정상 (닫힘)", "ok"], open: ["차단 (열림)", "bad"], half_open: ["시험 중 (반열림)", "warn"],
    forced_open: ["운영자 차단", "bad"], forced_closed: ["운영자 강제 사용", "warn"],
  };
  const DELIVERY = { pending: ["전달 대기", "wait"], delivered: ["전달됨", "ok"], dead: ["전달 실패", "bad"] };
  const REPROCESSED = { processed: "처리됨", failed: "처리 실패 (자동 재시도)", unmatched: "여전히 매칭 안 됨" };
  const DIFFERENCE = {
    missing_at_iamport: "아임포트에 없음", missing_here: "우리 기록에 없음", amount: "결제 금액 다름", cancelled: "취소 금액 다름",
  };
  const EVENT_TYPES = ["payment.paid", "payment.failed", "payment.cancelled", "payment.partially_refunded",
    "sponsorship.started", "sponsorship.renewed", "sponsorship.renewal_failed", "sponsorship.past_due",
    "sponsorship.ended", "sponsorship.cancelled", "vbank.issued", "vbank.expired", "card.registered", "card.deleted"];
  const ADMITS = { allow: ["보냄", "ok"], probe: ["시험 요청만", "warn"], refuse: ["보내지 않음", "bad"] };
  // Kinds of leased work: label, and the console page of the row (if it has one).
  const WORK = {
    "due-charges": ["정기결제 청구", "order"], "unknown-payments": ["결과 미확인 결제 확인", "payment"],
    "unknown-cancellations": ["결과 미확인 환불 확인", null], "due-webhooks": ["웹훅 처리", null],
    "vbanks-past-due": ["가상계좌 기한 만료", "payment"], "stale-orders": ["미결제 주문 만료", "order"],
  };
  const STATUS_OF = { payment: PAYMENT_STATUS, order: ORDER_STATUS, cancellation: CANCELLATION_STATUS };
  const OPERATION = { charge: "결제 승인 요청", cancel: "환불 요청", issue: "빌링키 발급" };
  const ENTITY = { payment: "결제", order: "주문", cancellation: "환불", card: "카드" };
  const TYPE = { one_time: "일시후원", one_click: "원클릭", monthly: "정기후원" };
  const METHOD = { card: "신용카드", trans: "계좌이체", vbank: "가상계좌", phone: "휴대폰", point: "간편결제" };
  const EVENT = {
    paid: "결제됨", first_cycle_paid: "첫 달 결제됨", given_up: "미결제 종료", refunded: "환불",
    cycle_declined: "정기결제 거절", cycle_recovered: "재시도 결제됨", routine_cancelled: "해지",
    dunning_exhausted: "재시도 소진", approved: "승인", routine_approved: "정기결제 승인",
    vbank_issued: "가상계좌 발급", failed: "실패", deposited: "입금", due_passed: "입금기한 지남",
    vbank_closed: "가상계좌 닫힘", succeeded: "완료", rejected: "거절", unknown: "결과 확인중",
    attention_acknowledged: "확인 처리", partially_refunded: "부분 환불", cancelled: "취소",
  };
  const BANKS = {
    "002": "산업은행", "003": "기업은행", "004": "국민은행", "007": "수협", "011": "농협", "020": "우리은행",
    "023": "SC제일은행", "027": "씨티은행", "031": "대구은행", "032": "부산은행", "034": "광주은행",
    "035": "제주은행", "037": "전북은행", "039": "경남은행", "045": "새마을금고", "048": "신협",
    "050": "저축은행", "064": "산림조합", "071": "우체국", "081": "하나은행", "088": "신한은행",
    "089": "케이뱅크", "090": "카카오뱅크", "092": "토스뱅크",
  };
  const RULES = {
    amount: "금액 규칙", not_paid: "결제완료 건만 환불", in_flight: "진행 중인 환불 있음",
    business_window: "후원자 환불 기간", "pg_window.card": "카드 PG 취소 기한", "pg_window.trans": "계좌이체 PG 취소 기한",
    "pg_window.phone": "휴대폰 결제 당월 취소", vbank_refund_account: "환불 계좌 필요", vbank_refund_bank: "환불 은행 코드",
    vbank_refund_contract: "가상계좌 환불 계약 없음", unknown_method: "환불 규칙 없는 결제수단",
  };

  function causeLabel(cause) {
    if (!cause) return "";
    const parts = String(cause).split(":");
    const who = {
      user: "후원자", client: "결제창 응답", webhook: "아임포트 웹훅", janitor: "자동 확인", scheduler: "스케줄러",
      operator: "운영자", reconcile: "대사", system: "시스템 검증", expiry: "기한 만료 처리",
    };
    if (parts[0] === "reconcile" && parts[1] === "operator") return `대사 (운영자 ${parts[2] ?? ""})`;
    const label = who[parts[0]];
    return label ? `${label} ${parts.slice(1).join(":")}`.trim() : String(cause);
  }
  const won = (n) => (n === null || n === undefined ? "" : `${Number(n).toLocaleString("ko-KR")}원`);
  const SEOUL = new Intl.DateTimeFormat("ko-KR", {
    timeZone: "Asia/Seoul", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", second: "2-digit", hour12: false,
  });
  const when = (iso) => (iso ? SEOUL.format(new Date(iso)) : "");
  // A refund or bank account number as operators see it in lists: the last four digits only.
  function maskAccount(number) {
    if (!number) return "";
    const digits = String(number).replace(/\D/g, "");
    return "*".repeat(Math.max(digits.length - 4, 0)) + digits.slice(-4);
  }

  // ---- DOM ----------------------------------------------------------------------------------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k === "testid") node.dataset.testid = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const badge = (table, name) => {
    const [label, tone] = table[name] || [name || "", "off"];
    return el("span", { class: `badge ${tone}`, "data-status": name }, label);
  };
  const link = (href, text, testid) => el("a", { href, testid }, text);
  const empty = (text = "항목이 없습니다.") => el("p", { class: "muted empty" }, text);
  // A button for an action without a form: one run at a time, its error in the toast.
  function actionButton(label, testid, action) {
    const button = el("button", { type: "button", class: "small", testid }, label);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try { await action(); } catch (err) { toast(problemText(err), "bad"); } finally { button.disabled = false; }
    });
    return button;
  }
  const byWhom = (cause, at) => (cause ? `${causeLabel(cause)} · ${when(at)}` : "");

  // A table that stacks into cards on a phone: every cell carries its column's label.
  function table(columns, rows, { testid, rowTestid } = {}) {
    if (!rows.length) return empty();
    return el("div", { class: "table-wrap" }, el("table", { testid },
      el("thead", {}, el("tr", {}, columns.map(([label]) => el("th", {}, label)))),
      el("tbody", {}, rows.map((row) => el("tr", { testid: rowTestid ? rowTestid(row) : undefined },
        columns.map(([label, cell]) => el("td", { "data-label": label }, cell(row))))))));
  }
  function facts(pairs) {
    return el("dl", { class: "facts" }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([k, v, testid]) => el("div", { testid }, el("dt", {}, k), el("dd", {}, v))));
  }

  let toastTimer;
  function toast(message, tone = "ok") {
    const box = $("#toast");
    box.textContent = message;
    box.className = `toast ${tone}`;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  // ---- API ----------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, body) {
      super((body && (body.detail || body.title)) || `HTTP ${status}`);
      this.status = status;
      this.code = body && body.code;
      this.field = body && body.field;
      this.rule = body && body.rule;
    }
  }
  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  async function api(method, path, body, { idempotencyKey, token } = {}) {
    const headers = { Accept: "application/json", Authorization: `Bearer ${token || session.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (!res.ok) {
      if (res.status === 401 && !token) signedOut("세션이 만료되었습니다. 다시 로그인해 주세요. (401)");
      throw new ApiError(res.status, data);
    }
    return data;
  }
  // What an error code means, in Korean; the API's own detail follows it.
  const PROBLEM = {
    validation_error: "입력값을 확인해 주세요", invalid_value: "입력값을 확인해 주세요", application_error: "처리할 수 없는 요청입니다",
    unauthorized: "로그인이 필요합니다", forbidden: "권한이 없습니다", not_found: "찾을 수 없습니다",
    conflict: "지금 상태에서는 할 수 없습니다", refund_in_progress: "진행 중인 환불이 있습니다",
    invalid_transition: "지금 상태에서는 할 수 없습니다", concurrent_update: "다른 곳에서 먼저 바뀌었습니다. 다시 열어 주세요",
    idempotency_in_progress: "같은 요청이 아직 처리 중입니다", idempotency_key_abandoned: "끝나지 않은 요청입니다. 결과를 확인한 뒤 다시 하세요",
    idempotency_key_reused: "같은 키로 다른 요청을 보냈습니다", gateway_rejected: "아임포트가 거절했습니다",
    refund_refused: "환불 규칙에 맞지 않습니다", gateway_unavailable: "아임포트에 닿지 못했습니다 (처리되지 않음)",
    rate_limited: "요청이 너무 많습니다. 잠시 후 다시 하세요", internal_error: "서버 오류",
  };
  function problemText(err) {
    if (!(err instanceof ApiError)) return `요청을 보내지 못했습니다: ${err.message}`;
    const field = err.field ? ` [${err.field}]` : "";
    const meaning = PROBLEM[err.code] ? `${PROBLEM[err.code]}: ` : "";
    return `${meaning}${err.message}${field} (${err.status}${err.code ? ` ${err.code}` : ""})`;
  }
  // A POST that changes money carries an Idempotency-Key; a retry of the same submission (the
  // answer was lost) reuses it, so the action is never done twice.
  async function submitOnce(form, method, path, body) {
    form.dataset.idem = form.dataset.idem || newKey();
    const button = $("button[type=submit]", form);
    button.disabled = true;
    try {
      const out = await api(method, path, body, { idempotencyKey: form.dataset.idem });
      delete form.dataset.idem;
      return out;
    } catch (err) {
      if (err instanceof ApiError) delete form.dataset.idem;
      throw err;
    } finally {
      button.disabled = false;
    }
  }
  const query = (params) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined) q.set(k, v);
    return q.toString();
  };
  // <input type=date> values are days in Asia/Seoul.
  const seoulDayStart = (d) => (d ? new Date(`${d}T00:00:00+09:00`).toISOString() : "");
  const seoulDayEnd = (d) => (d ? new Date(new Date(`${d}T00:00:00+09:00`).getTime() + 86400000 - 1000).toISOString() : "");
  const seoulLocal = (v) => (v ? new Date(`${v}:00+09:00`).toISOString() : "");

  // ---- session ------------------------------------------------------------------------------
  const session = { token: null, operator: null };

  function showLoginError(message) {
    const box = $("#login-error");
    box.textContent = message;
    box.hidden = !message;
  }
  function signedOut(message) {
    session.token = null;
    session.operator = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $("#login").hidden = false;
    $("[data-testid=who]").hidden = true;
    $("#nav").hidden = true;
    $("#main").hidden = true;
    showLoginError(message || "");
  }
  async function signIn(token) {
    token = token.trim().replace(/^Bearer\s+/i, "");
    try {
      const me = await api("GET", "/api/admin/me", undefined, { token });
      session.token = token;
      session.operator = me;
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        signedOut("운영자 권한이 없는 토큰입니다. 운영 콘솔은 운영자(role: admin) 토큰으로만 열 수 있어요. (403)");
      } else if (err instanceof ApiError && err.status === 401) {
        signedOut("토큰이 올바르지 않거나 만료되었습니다. (401)");
      } else {
        signedOut(problemText(err));
      }
      return;
    }
    $("#login").hidden = true;
    showLoginError("");
    $("#operator").textContent = `운영자 ${session.operator.user_seq}`;
    $("[data-testid=who]").hidden = false;
    $("#nav").hidden = false;
    $("#main").hidden = false;
    route();
  }

  // ---- router -------------------------------------------------------------------------------
  function parseHash() {
    const [path, q = ""] = location.hash.replace(/^#\/?/, "").split("?");
    const [view, id] = path.split("/");
    return { view: view || "payments", id, params: new URLSearchParams(q) };
  }
  async function route() {
    if (!session.token) return;
    const { view, id, params } = parseHash();
    const views = { payments: showPayments, orders: showOrders, order: showOrder, payment: showPayment,
      queues: showQueues, webhooks: showWebhooks, reports: showReports, channels: showChannels,
      deliveries: showDeliveries, events: showEvents, event: showEvent };
    const show = views[view] || showPayments;
    const name = views[view] ? view : "payments";
    $$(".view").forEach((v) => { v.hidden = v.dataset.view !== name; });
    const tab = { order: "orders", payment: "payments", deliveries: "events", event: "events" }[name] || name;
    $$("[data-nav]").forEach((a) => a.classList.toggle("active", a.dataset.nav === tab));
    try {
      await show(id, params);
    } catch (err) {
      toast(problemText(err), "bad");
    }
  }
  const go = (hash) => { if (location.hash === hash) route(); else location.hash = hash; };

  function fillForm(form, params) {
    for (const input of $$("input, select", form)) input.value = params.get(input.name) || "";
  }
  function formParams(form) {
    const out = {};
    for (const input of $$("input, select", form)) if (input.name && input.value) out[input.name] = input.value.trim();
    return out;
  }
  function pager(params, count, base) {
    const offset = Number(params.get("offset") || 0);
    const at = (o) => { const p = new URLSearchParams(params); p.set("offset", String(Math.max(o, 0))); return `${base}?${p}`; };
    return el("div", { class: "pager", testid: "pager" },
      el("button", { type: "button", class: "ghost", disabled: offset === 0, testid: "page-prev", onclick: () => go(at(offset - PAGE)) }, "이전"),
      el("span", { class: "muted" }, count ? `${offset + 1}–${offset + count}` : "0건"),
      el("button", { type: "button", class: "ghost", disabled: count < PAGE, testid: "page-next", onclick: () => go(at(offset + PAGE)) }, "다음"));
  }

  // ---- payments -----------------------------------------------------------------------------
  const paymentColumns = [
    ["결제", (p) => link(`#/payment/${p.id}`, `#${p.id}`, "payment-link")],
    ["상태", (p) => [badge(PAYMENT_STATUS, p.status), p.unknown ? el("span", { class: "badge warn" }, "결과 미확인") : null,
      p.attention ? el("span", { class: "badge warn" }, "확인 필요") : null]],
    ["금액", (p) => won(p.amount)],
    ["환불", (p) => (p.cancelled_amount ? won(p.cancelled_amount) : "")],
    ["수단", (p) => METHOD[p.pay_method] || p.pay_method || ""],
    ["채널", (p) => p.channel],
    ["후원자", (p) => (p.user_seq ? String(p.user_seq) : "")],
    ["merchant_uid", (p) => el("span", { class: "mono" }, p.merchant_uid)],
    ["요청일시", (p) => when(p.requested_at)],
  ];
  async function showPayments(_id, params) {
    const form = $("#payment-search");
    fillForm(form, params);
    const q = query({
      status: params.get("status"), method: params.get("method"), channel: params.get("channel"),
      user_seq: params.get("user_seq"), merchant_uid: params.get("merchant_uid"), imp_uid: params.get("imp_uid"),
      requested_from: seoulDayStart(params.get("from")), requested_to: seoulDayEnd(params.get("to")),
      limit: PAGE, offset: params.get("offset") || 0,
    });
    const box = $("#payment-results");
    box.replaceChildren(el("p", { class: "muted" }, "불러오는 중…"));
    const found = await api("GET", `/api/admin/payments?${q}`);
    box.replaceChildren(table(paymentColumns, found.items, { testid: "payment-table", rowTestid: (p) => `payment-row-${p.id}` }),
      pager(params, found.items.length, "#/payments"));
  }

  // ---- orders -------------------------------------------------------------------------------
  const orderColumns = [
    ["주문", (o) => link(`#/order/${o.id}`, `#${o.id}`, "order-link")],
    ["종류", (o) => TYPE[o.type] || o.type],
    ["상태", (o) => badge(ORDER_STATUS, o.status)],
    ["이름", (o) => o.name],
    ["금액", (o) => won(o.amount)],
    ["다음 결제", (o) => (o.subscription ? when(o.subscription.next_charge_at) : "")],
    ["주문일시", (o) => when(o.created_at)],
  ];
  async function showOrders(_id, params) {
    fillForm($("#order-search"), params);
    const q = query({
      status: params.get("status"), user_seq: params.get("user_seq"),
      created_from: seoulDayStart(params.get("from")), created_to: seoulDayEnd(params.get("to")),
      limit: PAGE, offset: params.get("offset") || 0,
    });
    const found = await api("GET", `/api/admin/orders?${q}`);
    $("#order-results").replaceChildren(table(orderColumns, found.items, { testid: "order-table" }),
      pager(params, found.items.length, "#/orders"));
  }
  function historyList(entries, testid) {
    if (!entries.length) return empty("기록이 없습니다.");
    return el("ol", { class: "timeline", testid }, entries.map((h) => {
      const names = STATUS_OF[h.entity] || {};
      const from = h.from_name ?? h.from_status, to = h.to_name ?? h.to_status;
      const moved = from === to ? badge(names, to) : [badge(names, from), " → ", badge(names, to)];
      const data = h.data && Object.keys(h.data).length ? el("details", {}, el("summary", {}, "본 데이터"),
        el("pre", { class: "mono" }, JSON.stringify(h.data, null, 2))) : null;
      return el("li", { testid: "timeline-entry", "data-event": h.event, "data-cause": h.cause },
        el("div", { class: "when muted small" }, when(h.at)),
        el("div", {}, el("strong", {}, `${ENTITY[h.entity] || h.entity} ${EVENT[h.event] || h.event}`), " ", moved),
        el("div", { class: "small", testid: "timeline-cause" }, causeLabel(h.cause)), data);
    }));
  }
  async function showOrder(id) {
    const o = await api("GET", `/api/admin/orders/${encodeURIComponent(id)}`);
    const s = o.subscription;
    $("#order-detail").replaceChildren(
      el("h2", {}, `주문 #${o.id} `, badge(ORDER_STATUS, o.status)),
      facts([["종류", TYPE[o.type] || o.type], ["이름", o.name], ["금액", won(o.amount)], ["면세", won(o.tax_free)],
        ["결제수단", METHOD[o.pay_method] || o.pay_method], ["주문일시", when(o.created_at)],
        ["결제일", s ? `매월 ${s.billing_day}일 ${s.charge_hour}시` : null], ["회차", s ? `${s.cycle}회차` : null],
        ["다음 결제", s ? when(s.next_charge_at) : null], ["등록 카드", o.payment_card_id ? `#${o.payment_card_id}` : null]]),
      el("h3", {}, "결제 시도"),
      table(paymentColumns, o.payments || [], { testid: "order-payments" }),
      el("h3", {}, "이력"),
      historyList(o.history || [], "order-history"));
  }

  // ---- one payment --------------------------------------------------------------------------
  let current = null; // the story on screen
  async function showPayment(id) {
    current = await api("GET", `/api/admin/payments/${encodeURIComponent(id)}`);
    renderPayment(current);
  }
  function vbankFacts(v) {
    if (!v) return null;
    const number = el("span", { class: "mono", testid: "vbank-number" }, maskAccount(v.number));
    const reveal = el("button", { type: "button", class: "ghost small", testid: "vbank-reveal", onclick: () => {
      number.textContent = v.number || ""; reveal.remove();
    } }, "보기");
    return el("span", {}, `${v.bank_name || v.bank_code || ""} `, number, " ", reveal, v.holder ? ` (${v.holder})` : "",
      v.due_at ? ` · 기한 ${when(v.due_at)}` : "");
  }
  function renderPayment(story) {
    const p = story.payment, o = story.order;
    const u = p.unknown;
    $("#payment-summary").replaceChildren(
      el("h2", {}, `결제 #${p.id} `, badge(PAYMENT_STATUS, p.status),
        u ? el("span", { class: "badge warn", testid: "unknown-badge" }, "결과 미확인") : null),
      facts([
        ["주문", link(`#/order/${o.id}`, `#${o.id} ${o.name} (${TYPE[o.type] || o.type})`, "order-of-payment")],
        ["후원자", p.user_seq ? String(p.user_seq) : null, "fact-user"],
        ["merchant_uid", el("span", { class: "mono" }, p.merchant_uid)],
        ["imp_uid", p.imp_uid ? el("span", { class: "mono" }, p.imp_uid) : null],
        ["금액", won(p.amount), "fact-amount"], ["면세", p.tax_free ? won(p.tax_free) : null],
        ["환불된 금액", won(p.cancelled_amount), "fact-cancelled"], ["환불 가능", won(p.refundable), "fact-refundable"],
        ["결제수단", METHOD[p.pay_method] || p.pay_method], ["채널 / PG", `${p.channel} / ${p.pg_provider || "-"}`],
        ["카드", p.card_name ? `${p.card_name} ${p.card_number || ""}` : null], ["은행", p.bank_name],
        ["가상계좌", vbankFacts(p.vbank)],
        ["시도", p.cycle ? `${p.cycle}회차 (시도 ${p.attempt})` : `시도 ${p.attempt}`],
        ["요청일시", when(p.requested_at)], ["결제일시", when(p.paid_at)], ["실패일시", when(p.failed_at)],
        ["취소일시", when(p.cancelled_at)], ["실패 사유", p.fail_reason], ["취소 사유", p.cancel_reason],
        ["결과 미확인", u ? `${OPERATION[u.operation] || u.operation} · ${when(u.since)}부터 · 확인 ${u.checks}회 · 다음 확인 ${when(u.next_check_at)}` : null, "fact-unknown"],
        ["영수증", p.receipt_url ? el("a", { href: p.receipt_url, target: "_blank", rel: "noopener noreferrer" }, "열기") : null],
      ]));
    renderActions(p);
    const cancels = p.cancellations || [];
    $("#payment-cancellations").replaceChildren(el("h3", {}, "환불 내역"), table([
      ["환불", (c) => `#${c.id}`], ["상태", (c) => badge(CANCELLATION_STATUS, c.status)],
      ["종류", (c) => (c.kind === "manual_bank" ? "수동 (계좌이체)" : "PG 취소")],
      ["금액", (c) => won(c.amount)], ["면세", (c) => (c.tax_free ? won(c.tax_free) : "")], ["사유", (c) => c.reason],
      ["요청자", (c) => causeLabel(c.requested_by)], ["요청일시", (c) => when(c.requested_at)],
      ["완료일시", (c) => when(c.completed_at)],
      ["환불 계좌", (c) => (c.refund_account ? el("span", { class: "mono" }, c.refund_account) : "")],
      ["실패", (c) => c.failure_message || ""],
    ], cancels, { testid: "cancellation-table" }));
    $("#payment-timeline").replaceChildren(el("h3", {}, "타임라인"), historyList(story.timeline, "timeline"));
    $("#payment-webhooks").replaceChildren(el("h3", {}, "이 결제의 웹훅"), webhookTable(story.webhooks, "webhook-table"));
    const notes = [];
    if (p.attention) notes.push(el("li", { testid: "note-open" }, el("strong", {}, "확인 필요 "), when(p.attention_at), el("pre", {}, p.attention)));
    for (const n of story.cleared_notes) {
      notes.push(el("li", { testid: "note-cleared" }, el("strong", {}, `확인됨 · ${causeLabel(n.by)} `), when(n.at),
        el("pre", {}, n.note), el("div", { class: "small" }, `사유: ${n.reason}`)));
    }
    $("#payment-notes").replaceChildren(el("h3", {}, "운영자 확인 메모"), notes.length ? el("ul", { class: "notes" }, notes) : empty("메모가 없습니다."));
  }

  function renderActions(p) {
    const refundable = ["paid", "routine_paid"].includes(p.status) && p.refundable > 0;
    $("#attention-box").hidden = !p.attention;
    $("[data-testid=attention-note]").textContent = p.attention || "";
    $("#settle-form").hidden = p.status !== "requested";
    $("#refund-form").hidden = !refundable;
    $("#manual-form").hidden = !refundable;
    const inFlight = (p.cancellations || []).filter((c) => ["requested", "unknown"].includes(c.status));
    $("#no-actions").hidden = Boolean(p.attention) || p.status === "requested" || refundable || inFlight.length > 0;
    for (const f of ["#ack-form", "#settle-form", "#cancel-settle-form", "#refund-form", "#manual-form"]) { $(f).reset(); delete $(f).dataset.idem; }
    $("#cancel-settle-form").hidden = !inFlight.length;
    $("[data-testid=cs-cancellation]").replaceChildren(...inFlight.map((c) => el("option", { value: c.id },
      `#${c.id} · ${won(c.amount)} · ${(CANCELLATION_STATUS[c.status] || [c.status])[0]} · ${when(c.requested_at)}`)));
    $("[data-testid=refund-account]").hidden = true;
    if (refundable) { checkRefund(); checkManual(); }
  }

  // The rule that would refuse a refund, asked of the API before the operator sends it.
  async function showCheck(form, box, button, manual) {
    const seq = String(Number(box.dataset.seq || 0) + 1);
    box.dataset.seq = seq; // only the newest answer is shown
    const data = formParams(form);
    const q = query({ amount: data.amount, manual: manual ? "true" : "", refund_bank: manual ? "" : data.bank_code });
    button.disabled = true;
    let check;
    try {
      check = await api("GET", `/api/admin/payments/${current.payment.id}/refund-check?${q}`);
    } catch (err) {
      if (seq === box.dataset.seq) { box.textContent = problemText(err); box.className = "check bad"; }
      return;
    }
    if (seq !== box.dataset.seq) return;
    if (!manual) {
      const account = $("[data-testid=refund-account]");
      account.hidden = !check.needs_refund_account;
      const bank = $("[data-testid=refund-bank]");
      if (check.needs_refund_account && bank.options.length !== check.refund_banks.length + 1) {
        bank.replaceChildren(el("option", { value: "" }, "선택"), ...check.refund_banks.map((c) => el("option", { value: c }, `${BANKS[c] || c} (${c})`)));
      }
    }
    if (check.allowed) {
      const split = check.tax_free ? ` (면세 ${won(check.tax_free)}, 부가세 ${won(check.vat_amount)})` : ` (부가세 ${won(check.vat_amount)})`;
      box.textContent = `${won(check.amount)} 환불 가능${split} · 남은 환불 가능 ${won(check.refundable)}`;
      box.className = "check ok";
    } else {
      const hint = check.rule && check.rule.startsWith("pg_window") ? " → 수동 환불 기록을 쓰세요." : "";
      box.textContent = `거절될 규칙: ${RULES[check.rule] || check.rule} [${check.rule}] — ${check.message}${hint}`;
      box.className = "check bad";
    }
    box.dataset.rule = check.rule || "";
    button.disabled = !check.allowed;
  }
  const checkRefund = () => showCheck($("#refund-form"), $("[data-testid=refund-check]"), $("[data-testid=refund-submit]"), false);
  const checkManual = () => showCheck($("#manual-form"), $("[data-testid=manual-check]"), $("[data-testid=manual-submit]"), true);
  function debounce(fn, ms = 250) { let t; return () => { clearTimeout(t); t = setTimeout(fn, ms); }; }

  async function afterAction(message) {
    toast(message);
    await showPayment(current.payment.id);
  }
  function onSubmit(selector, handler) {
    $(selector).addEventListener("submit", async (event) => {
      event.preventDefault();
      try { await handler(event.currentTarget); } catch (err) { toast(problemText(err), "bad"); }
    });
  }
  onSubmit("#refund-form", async (form) => {
    const d = formParams(form);
    const body = { reason: d.reason };
    if (d.amount) body.amount = Number(d.amount);
    if (!$("[data-testid=refund-account]").hidden) body.refund_account = { holder: d.holder, bank_code: d.bank_code, number: d.number };
    const out = await submitOnce(form, "POST", `/api/admin/payments/${current.payment.id}/refund`, body);
    await afterAction(out.pending ? "환불을 보냈지만 결과를 아직 모릅니다. 자동 확인이 이어집니다." : `${won(out.cancellation.amount)} 환불했습니다.`);
  });
  onSubmit("#manual-form", async (form) => {
    const d = formParams(form);
    const body = { amount: Number(d.amount), reason: d.reason };
    if (d.holder || d.bank_code || d.number) body.refund_account = { holder: d.holder, bank_code: d.bank_code, number: d.number };
    const out = await submitOnce(form, "POST", `/api/admin/payments/${current.payment.id}/manual-refund`, body);
    await afterAction(`수동 환불 ${won(out.cancellation.amount)}을 기록했습니다.`);
  });
  onSubmit("#settle-form", async (form) => {
    const d = formParams(form);
    const body = { outcome: d.outcome, reason: d.reason };
    if (d.imp_uid) body.imp_uid = d.imp_uid;
    const out = await submitOnce(form, "POST", `/api/admin/payments/${current.payment.id}/settle`, body);
    await afterAction(`결과를 확정했습니다: ${(PAYMENT_STATUS[out.status] || [out.status])[0]}`);
  });
  onSubmit("#cancel-settle-form", async (form) => {
    const d = formParams(form);
    const body = { outcome: d.outcome, reason: d.reason };
    if (d.cancellation_id) body.cancellation_id = d.cancellation_id;
    const out = await submitOnce(form, "POST", `/api/admin/cancellations/${encodeURIComponent(d.cancellation)}/settle`, body);
    await afterAction(`환불 #${out.cancellation.id} 결과를 확정했습니다: ${(CANCELLATION_STATUS[out.cancellation.status] || [out.cancellation.status])[0]}`);
  });
  onSubmit("#ack-form", async (form) => {
    await submitOnce(form, "POST", `/api/admin/payments/${current.payment.id}/acknowledge`, { reason: formParams(form).reason });
    await afterAction("확인 처리했습니다.");
  });
  for (const input of $$("#refund-form input, #refund-form select")) input.addEventListener("input", debounce(checkRefund));
  $("#manual-form [name=amount]").addEventListener("input", debounce(checkManual));

  // ---- queues -------------------------------------------------------------------------------
  async function showQueues() {
    const [unknown, attention, unmatched, dunning, dead, stuck] = await Promise.all([
      api("GET", "/api/admin/unknown-outcomes"),
      api("GET", "/api/admin/payments?attention_only=true&limit=100"),
      api("GET", "/api/admin/webhooks?state=unmatched&limit=100"),
      api("GET", "/api/admin/orders?status=routine_past_due&limit=100"),
      api("GET", "/api/admin/event-deliveries?state=dead&limit=100"),
      api("GET", "/api/admin/stuck-leases"),
    ]);
    $("#q-unknown").replaceChildren(
      el("h4", {}, `결제 ${unknown.payments.length}건`),
      table([["결제", (u) => link(`#/payment/${u.payment_id}`, `#${u.payment_id}`, "unknown-link")],
        ["작업", (u) => OPERATION[u.operation] || u.operation], ["금액", (u) => won(u.amount)], ["merchant_uid", (u) => el("span", { class: "mono" }, u.merchant_uid)],
        ["부터", (u) => when(u.since)], ["확인", (u) => `${u.checks}회`], ["다음 확인", (u) => when(u.next_check_at)]],
      unknown.payments, { testid: "unknown-payments", rowTestid: (u) => `unknown-row-${u.payment_id}` }),
      el("h4", {}, `환불 ${unknown.cancellations.length}건`),
      table([["결제", (c) => link(`#/payment/${c.payment_id}`, `#${c.payment_id}`, "unknown-cancellation-link")], ["환불", (c) => `#${c.cancellation_id}`],
        ["금액", (c) => won(c.amount)], ["요청자", (c) => causeLabel(c.requested_by)], ["요청일시", (c) => when(c.requested_at)],
        ["확인", (c) => `${c.checks}회`]], unknown.cancellations,
      { testid: "unknown-cancellations", rowTestid: (c) => `unknown-cancellation-row-${c.cancellation_id}` }));
    $("#q-attention").replaceChildren(table([["결제", (p) => link(`#/payment/${p.id}`, `#${p.id}`)],
      ["메모", (p) => el("span", { class: "pre" }, p.attention)], ["금액", (p) => won(p.amount)], ["언제", (p) => when(p.attention_at)]],
    attention.items, { testid: "attention-table" }));
    $("#q-unmatched").replaceChildren(webhookTable(unmatched.items, "unmatched-table"));
    $("#q-dunning").replaceChildren(table(orderColumns, dunning.items, { testid: "dunning-table" }));
    $("#q-dead").replaceChildren(deliveryTable(dead.items, "dead-table"));
    $("#q-stuck").replaceChildren(table([["작업", (e) => (WORK[e.work] || [e.work])[0]],
      ["대상", (e) => { const page = (WORK[e.work] || [])[1]; return page ? link(`#/${page}/${e.row_id}`, `#${e.row_id}`) : `#${e.row_id}`; }],
      ["가져간 인스턴스", (e) => el("span", { class: "mono" }, e.owner)], ["임대 만료", (e) => when(e.lease_until)]],
    stuck.items, { testid: "stuck-table" }));
  }

  // ---- webhooks -----------------------------------------------------------------------------
  function webhookTable(items, testid) {
    return table([["#", (w) => String(w.id)], ["수신일시", (w) => when(w.received_at)], ["처리", (w) => badge(INBOX_STATE, w.state)],
      ["status", (w) => w.status || ""], ["imp_uid", (w) => el("span", { class: "mono" }, w.imp_uid || "")],
      ["merchant_uid", (w) => (w.merchant_uid ? link(`#/payments?merchant_uid=${encodeURIComponent(w.merchant_uid)}`, w.merchant_uid) : "")],
      ["보낸 곳", (w) => w.source_ip || ""], ["시도", (w) => String(w.attempts)], ["오류", (w) => w.last_error || ""],
      ["재처리", (w) => byWhom(w.reprocessed_by, w.reprocessed_at)], ["조치", reprocessButton]],
    items, { testid, rowTestid: (w) => `webhook-row-${w.id}` });
  }
  // Re-runs the processing from iamport's record (idempotent), then shows the view again.
  const reprocessButton = (w) => actionButton("재처리", "reprocess", async () => {
    const out = await api("POST", `/api/admin/webhooks/${w.id}/reprocess`);
    await route();
    toast(`웹훅 #${w.id} 재처리: ${REPROCESSED[out.outcome] || out.outcome}${out.detail ? ` · ${out.detail}` : ""}`,
      out.outcome === "failed" ? "bad" : "ok");
  });
  async function showWebhooks(_id, params) {
    fillForm($("#webhook-search"), params);
    const found = await api("GET", `/api/admin/webhooks?${query({ state: params.get("state"), limit: PAGE, offset: params.get("offset") || 0 })}`);
    $("#webhook-results").replaceChildren(webhookTable(found.items, "inbox-table"), pager(params, found.items.length, "#/webhooks"));
  }

  // ---- channels ---------------------------------------------------------------------------
  function breakerForm(c) {
    const form = el("form", { class: "inline", autocomplete: "off", testid: `breaker-form-${c.name}` },
      el("select", { name: "force", testid: "breaker-force" },
        el("option", { value: "open" }, "강제 차단"), el("option", { value: "closed" }, "강제 사용"),
        el("option", { value: "" }, "강제 해제")),
      el("input", { name: "reason", maxlength: 200, placeholder: "사유", testid: "breaker-reason" }),
      el("button", { type: "submit", testid: "breaker-submit" }, "적용"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const d = formParams(form);
      try {
        const body = { force: d.force || null };
        if (d.reason) body.reason = d.reason;
        await submitOnce(form, "PUT", `/api/admin/channels/${encodeURIComponent(c.name)}/breaker`, body);
        toast(`${c.name}: ${d.force ? (d.force === "open" ? "강제 차단" : "강제 사용") : "강제 해제"}`);
        await showChannels();
      } catch (err) { toast(problemText(err), "bad"); }
    });
    return form;
  }
  async function showChannels() {
    const found = await api("GET", "/api/admin/channels");
    $("#channel-list").replaceChildren(table([
      ["채널", (c) => el("span", {}, el("strong", {}, c.name), c.test ? el("span", { class: "badge off" }, "테스트") : null)],
      ["PG", (c) => `${c.pg} (${c.pg_provider})`], ["수단", (c) => c.methods.map((m) => METHOD[m] || m).join(", ")],
      ["우선순위", (c) => String(c.priority)], ["차단기", (c) => badge(BREAKER, c.breaker)], ["지금 요청은", (c) => badge(ADMITS, c.admits)],
      ["연속 장애", (c) => `${c.failures}회`],
      ["마지막 장애", (c) => (c.last_failure ? `${when(c.last_failure_at)} · ${c.last_failure}` : "")],
      ["마지막 성공", (c) => when(c.last_success_at)],
      ["강제", (c) => (c.forced_by ? `${causeLabel(c.forced_by)}${c.forced_reason ? ` · ${c.forced_reason}` : ""}` : "")],
      ["조치", breakerForm],
    ], found.channels, { testid: "channel-table", rowTestid: (c) => `channel-row-${c.name}` }));
  }

  // ---- outgoing events ------------------------------------------------------------------------
  // Resend: the same webhook-id, a fresh retry schedule; to one endpoint, or to every one not pending.
  const resendButton = (eventId, endpoint) => actionButton(endpoint ? "다시 보내기" : "모든 수신처에 다시 보내기", "resend", async () => {
    await api("POST", `/api/admin/events/${encodeURIComponent(eventId)}/resend`, endpoint ? { endpoint } : {});
    await route();
    toast(`이벤트를 ${endpoint || "모든 수신처"}에 다시 보냅니다. (${eventId})`);
  });
  function deliveryTable(items, testid) {
    return table([
      ["이벤트", (d) => link(`#/event/${d.event_id}`, d.event_id, "event-link")], ["수신처", (d) => d.endpoint],
      ["상태", (d) => badge(DELIVERY, d.state)], ["시도", (d) => `${d.attempts}회`],
      ["마지막 응답", (d) => (d.last_status ? `HTTP ${d.last_status}` : d.last_attempt_at ? "응답 없음" : "")],
      ["오류", (d) => d.last_error || ""], ["마지막 시도", (d) => when(d.last_attempt_at)],
      ["다음 시도", (d) => when(d.next_attempt_at)], ["다시 보냄", (d) => byWhom(d.resent_by, d.resent_at)],
      ["조치", (d) => (d.state === "pending" ? "" : resendButton(d.event_id, d.endpoint))],
    ], items, { testid, rowTestid: (d) => `delivery-row-${d.id}` });
  }
  async function showDeliveries(_id, params) {
    fillForm($("#delivery-search"), params);
    const q = query({ state: params.get("state"), endpoint: params.get("endpoint"), limit: PAGE, offset: params.get("offset") || 0 });
    const found = await api("GET", `/api/admin/event-deliveries?${q}`);
    $("#delivery-results").replaceChildren(deliveryTable(found.items, "delivery-table"), pager(params, found.items.length, "#/deliveries"));
  }
  const entityLink = (e) => (["payment", "order"].includes(e.entity)
    ? link(`#/${e.entity}/${e.entity_id}`, `${ENTITY[e.entity]} #${e.entity_id}`) : `${ENTITY[e.entity] || e.entity} #${e.entity_id}`);
  async function showEvents(_id, params) {
    const type = $("[data-testid=ev-type]");
    if (!type.options.length) type.replaceChildren(el("option", { value: "" }, "전체"), ...EVENT_TYPES.map((t) => el("option", { value: t }, t)));
    fillForm($("#event-search"), params);
    const found = await api("GET", `/api/admin/events?${query({ type: params.get("type"), limit: PAGE, offset: params.get("offset") || 0 })}`);
    $("#event-results").replaceChildren(table([
      ["이벤트", (e) => link(`#/event/${e.id}`, e.id, "event-link")], ["종류", (e) => e.type], ["대상", entityLink],
      ["일어난 시각", (e) => when(e.occurred_at)], ["전달", (e) => (e.dispatched ? "수신처별 전달 있음" : "아직 나누지 않음")],
    ], found.items, { testid: "event-table" }), pager(params, found.items.length, "#/events"));
  }
  async function showEvent(id) {
    const d = await api("GET", `/api/admin/events/${encodeURIComponent(id)}`);
    const e = d.event;
    $("#event-detail").replaceChildren(
      el("h2", {}, `이벤트 ${e.type}`),
      facts([["webhook-id", el("span", { class: "mono" }, e.id)], ["대상", entityLink(e)], ["버전", String(e.version)],
        ["일어난 시각", when(e.occurred_at)]]),
      el("details", {}, el("summary", {}, "보낸 본문"), el("pre", { class: "mono", testid: "event-body" }, JSON.stringify(d.body, null, 2))),
      d.deliveries.length ? el("p", {}, resendButton(e.id, null)) : null,
      ...(d.deliveries.length ? d.deliveries.map((log) => el("div", { testid: `event-delivery-${log.delivery.endpoint}` },
        el("h3", {}, `${log.delivery.endpoint} `, badge(DELIVERY, log.delivery.state),
          log.delivery.state === "pending" ? null : resendButton(e.id, log.delivery.endpoint)),
        facts([["다시 보냄", byWhom(log.delivery.resent_by, log.delivery.resent_at), "resent-by"],
          ["다음 시도", when(log.delivery.next_attempt_at)], ["전달 완료", when(log.delivery.delivered_at)]]),
        table([["시도", (a) => `${a.attempt}번째`], ["시각", (a) => when(a.at)],
          ["응답", (a) => (a.status_code ? `HTTP ${a.status_code}` : "응답 없음")], ["오류", (a) => a.error || ""],
          ["걸린 시간", (a) => `${a.duration_ms}ms`]], log.attempts, { testid: "attempt-table" })))
        : [empty("아직 수신처별 전달이 없습니다 (수신처가 설정되지 않았거나 전달 작업 전).")]));
  }

  // ---- 정산 --------------------------------------------------------------------------------
  const count = (f) => `${f.paid_count}건 ${won(f.paid_sum)}`;
  function renderSettlement(r) {
    $("#settlement-report").replaceChildren(
      el("h3", {}, `${r.date} 정산 `, r.differences.length || r.errors.length || r.rows.some((x) => !x.matches)
        ? el("span", { class: "badge warn", testid: "st-verdict" }, "차이 있음") : el("span", { class: "badge ok", testid: "st-verdict" }, "일치")),
      facts([["기간", `${when(r.since)} ~ ${when(r.until)}`],
        ["수동 환불 (계좌이체)", r.manual_bank_refunds ? won(r.manual_bank_refunds) : null]]),
      table([["채널", (x) => x.channel], ["수단", (x) => METHOD[x.pay_method] || x.pay_method],
        ["우리 결제", (x) => count(x.ours)], ["아임포트 결제", (x) => count(x.iamport)],
        ["우리 취소", (x) => won(x.ours.cancelled_sum)], ["아임포트 취소", (x) => won(x.iamport.cancelled_sum)],
        ["우리 순액", (x) => won(x.ours.net)], ["아임포트 순액", (x) => won(x.iamport.net)],
        ["비교", (x) => (x.matches ? el("span", { class: "badge ok" }, "일치") : el("span", { class: "badge warn" }, "다름"))]],
      r.rows, { testid: "st-rows", rowTestid: (x) => `st-row-${x.channel}-${x.pay_method}` }),
      el("h4", {}, `서로 다른 결제 ${r.differences.length}건`),
      table([["merchant_uid", (x) => link(`#/payments?merchant_uid=${encodeURIComponent(x.merchant_uid)}`, x.merchant_uid)],
        ["imp_uid", (x) => el("span", { class: "mono" }, x.imp_uid || "")], ["차이", (x) => DIFFERENCE[x.difference] || x.difference],
        ["우리 금액", (x) => won(x.ours_amount)], ["우리 취소", (x) => won(x.ours_cancelled)],
        ["아임포트 금액", (x) => won(x.iamport_amount)], ["아임포트 취소", (x) => won(x.iamport_cancelled)]],
      r.differences, { testid: "st-differences" }),
      r.errors.length ? el("pre", { class: "error" }, r.errors.join("\n")) : null);
  }
  async function showSettlement(day) {
    const r = await api("GET", `/api/admin/settlements?${query({ date: day })}`);
    $("[data-testid=st-date]").value = r.date;
    renderSettlement(r);
  }
  // The CSV needs the bearer token, so it is fetched and handed to the browser as a file.
  $("#settlement-csv").addEventListener("click", async () => {
    try {
      const day = $("[data-testid=st-date]").value;
      const res = await fetch(`/api/admin/settlements?${query({ date: day, format: "csv" })}`, { headers: { Authorization: `Bearer ${session.token}` } });
      if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
      const a = el("a", { href: URL.createObjectURL(await res.blob()), download: `settlement-${day}.csv` });
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (err) { toast(problemText(err), "bad"); }
  });

  // ---- reports ------------------------------------------------------------------------------
  function renderReconcile(r) {
    const items = (list, testid) => table([["merchant_uid", (i) => link(`#/payments?merchant_uid=${encodeURIComponent(i.merchant_uid)}`, i.merchant_uid)],
      ["imp_uid", (i) => el("span", { class: "mono" }, i.imp_uid || "")], ["내용", (i) => i.detail]], list, { testid });
    $("#reconcile-report").replaceChildren(
      el("h3", {}, `대사 결과 #${r.id ?? ""} `, r.errors.length || r.mismatched.length || r.unmatched_at_iamport.length || r.missing_at_iamport.length
        ? el("span", { class: "badge warn" }, "확인할 것 있음") : el("span", { class: "badge ok" }, "이상 없음")),
      facts([["마친 시각", when(r.ran_at)], ["기간", `${when(r.since)} ~ ${when(r.until)}`],
        ["확인한 아임포트 결제", `${r.checked}건`, "rc-checked"], ["실행", causeLabel(r.cause), "rc-cause"]]),
      el("h4", {}, `바로잡음 ${r.repaired.length}건`), items(r.repaired, "rc-repaired"),
      el("h4", {}, `아임포트에만 있음 ${r.unmatched_at_iamport.length}건`), items(r.unmatched_at_iamport),
      el("h4", {}, `아임포트에 없음 ${r.missing_at_iamport.length}건`), items(r.missing_at_iamport),
      el("h4", {}, `어긋남 (운영자 확인) ${r.mismatched.length}건`), items(r.mismatched),
      r.errors.length ? el("pre", { class: "error" }, r.errors.join("\n")) : null);
  }
  async function showReports(_id, params = new URLSearchParams()) {
    const settlement = showSettlement(params.get("date")).catch((err) => {
      $("#settlement-report").replaceChildren(el("p", { class: "error", testid: "st-error" }, problemText(err)));
    });
    const found = await api("GET", "/api/admin/reconcile/reports?limit=20");
    await settlement;
    const runs = found.items;
    const issues = (r) => r.unmatched_at_iamport.length + r.missing_at_iamport.length + r.mismatched.length + r.errors.length;
    $("#reconcile-runs").replaceChildren(table([
      ["#", (r) => el("button", { type: "button", class: "ghost small", testid: "rc-open", onclick: () => renderReconcile(r) }, `#${r.id}`)],
      ["마친 시각", (r) => when(r.ran_at)], ["기간", (r) => `${when(r.since)} ~ ${when(r.until)}`],
      ["실행", (r) => causeLabel(r.cause)], ["확인", (r) => `${r.checked}건`], ["바로잡음", (r) => `${r.repaired.length}건`],
      ["확인할 것", (r) => (issues(r) ? el("span", { class: "badge warn" }, `${issues(r)}건`) : el("span", { class: "badge ok" }, "없음"))],
    ], runs, { testid: "rc-runs" }));
    if (runs.length) renderReconcile(runs[0]); else $("#reconcile-report").replaceChildren();
  }
  onSubmit("#reconcile-form", async (form) => {
    const d = formParams(form);
    const body = {};
    if (d.since) body.since = seoulLocal(d.since);
    if (d.until) body.until = seoulLocal(d.until);
    const report = await submitOnce(form, "POST", "/api/admin/reconcile", body);
    await showReports(null, parseHash().params);
    renderReconcile(report);
    toast(`대사를 마쳤습니다: ${report.checked}건 확인, ${report.repaired.length}건 바로잡음`);
  });

  // ---- search forms -------------------------------------------------------------------------
  for (const [selector, base] of [["#payment-search", "#/payments"], ["#order-search", "#/orders"], ["#webhook-search", "#/webhooks"],
    ["#delivery-search", "#/deliveries"], ["#event-search", "#/events"], ["#settlement-form", "#/reports"]]) {
    const form = $(selector);
    form.addEventListener("submit", (event) => { event.preventDefault(); go(`${base}?${query(formParams(form))}`); });
    form.addEventListener("reset", () => setTimeout(() => go(base), 0));
  }

  // ---- start --------------------------------------------------------------------------------
  $("#login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("[data-testid=login-token]").value);
  });
  const demoUrl = document.querySelector("meta[name=dolgo-demo-token-url]").content;
  if (demoUrl) {
    $("#demo-login").hidden = false;
    $("#demo-login").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const res = await fetch(demoUrl, { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ user_seq: Number($("[data-testid=demo-seq]").value), admin: true }) });
        const body = await res.json();
        if (!res.ok) throw new ApiError(res.status, body);
        await signIn(body.access_token);
      } catch (err) {
        showLoginError(problemText(err));
      }
    });
  }
  $("#logout").addEventListener("click", () => signedOut("로그아웃했습니다."));
  window.addEventListener("hashchange", route);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved); else signedOut();
})();
