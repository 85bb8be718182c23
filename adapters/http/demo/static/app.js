// dolgo-pay demo page: vanilla JS, no build step. Talks to /api with a demo token and opens the
// PG window through IMP.request_pay (the iamport sandbox's iamport.js in demo mode).
"use strict";

(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // ---- labels -------------------------------------------------------------------------------
  // Status codes of spec §3; the API may send the code or the name (any case).
  const ORDER_CODES = { 1: "ORDERED", 2: "PAID", 3: "ROUTINE", 4: "ROUTINE_PAST_DUE", "-1": "FAILED", "-2": "CANCELLED", "-3": "ROUTINE_CANCELLED", "-4": "ROUTINE_ENDED" };
  const PAYMENT_CODES = { 0: "REQUESTED", 1: "READY", 2: "PAID", 3: "ROUTINE_PAID", "-1": "FAILED", "-2": "CANCELLED", "-4": "EXPIRED" };
  const CANCELLATION_CODES = { 0: "REQUESTED", 1: "SUCCEEDED", 2: "UNKNOWN", "-1": "REJECTED" };
  const ORDER_STATUS = {
    ORDERED: ["결제대기", "wait"], // an attempt in progress; with none, or a failed one: 미결제 (orderBadge)
    PAID: ["결제완료", "ok"],
    ROUTINE: ["정기후원 진행중", "ok"],
    ROUTINE_PAST_DUE: ["정기결제 미납", "warn"],
    FAILED: ["결제실패", "bad"],
    CANCELLED: ["환불완료", "off"],
    ROUTINE_CANCELLED: ["정기후원 해지", "off"],
    ROUTINE_ENDED: ["정기후원 종료", "off"],
  };
  const PAYMENT_STATUS = {
    REQUESTED: ["처리중", "wait"],
    READY: ["입금대기", "wait"],
    PAID: ["결제완료", "ok"],
    ROUTINE_PAID: ["정기결제 완료", "ok"],
    FAILED: ["실패", "bad"],
    CANCELLED: ["환불완료", "off"],
    EXPIRED: ["입금기한 만료", "off"],
  };
  const CARD_STATUS = {
    ISSUING: ["등록중", "wait"], ACTIVE: ["사용중", "ok"], DELETED: ["삭제됨", "off"], FAILED: ["등록실패", "bad"],
  };
  const CANCELLATION_STATUS = {
    REQUESTED: ["환불 요청", "wait"], SUCCEEDED: ["환불됨", "off"], UNKNOWN: ["확인중", "warn"], REJECTED: ["환불 거절", "bad"],
  };
  const CARD_CODES = { 0: "ISSUING", 1: "ACTIVE", "-1": "DELETED", "-2": "FAILED" };
  const TYPE = {
    1: "일시후원", ONE_TIME: "일시후원", 2: "원클릭", ONE_CLICK: "원클릭", 3: "정기후원", MONTHLY: "정기후원",
  };
  const EVENT = {
    paid: "결제됨", first_cycle_paid: "첫 달 결제됨", given_up: "미결제 종료", refunded: "환불",
    cycle_declined: "정기결제 거절", cycle_recovered: "재시도 결제됨", routine_cancelled: "해지",
    dunning_exhausted: "재시도 소진", approved: "승인", routine_approved: "정기결제 승인",
    vbank_issued: "가상계좌 발급", failed: "실패", deposited: "입금", due_passed: "입금기한 지남",
    vbank_closed: "가상계좌 닫힘", succeeded: "완료", rejected: "거절", unknown: "결과 확인중",
    issued: "빌링키 발급", issue_failed: "발급 실패", deleted: "삭제",
  };
  function causeLabel(cause) {
    if (!cause) return "";
    const [who, id] = String(cause).split(":");
    return {
      user: `후원자 ${id ?? ""}`.trim(), client: "결제창 응답", webhook: "아임포트 웹훅", janitor: "자동 확인",
      scheduler: "정기결제 스케줄러", operator: `운영자 ${id ?? ""}`.trim(), reconcile: "대사", system: "시스템 검증",
      expiry: "기한 만료 처리",
    }[who] || String(cause);
  }
  const typeLabel = (t) => TYPE[typeof t === "string" ? t.toUpperCase() : t] || "";
  const METHOD = { card: "신용카드", trans: "계좌이체", vbank: "가상계좌", phone: "휴대폰", point: "간편결제" };
  const WINDOW_METHODS = ["card", "trans", "vbank", "phone"]; // what a PG-window payment may use
  // What the demo sponsors can support (content_type_code, content_seq).
  const CONTENTS = [
    { type: 1, seq: 101, name: "유기견 보호소 겨울나기" },
    { type: 1, seq: 102, name: "산골 분교 도서관 만들기" },
    { type: 2, seq: 7, name: "창작자 '달빛공방' 응원" },
  ];

  // The canonical name of a status: "PAID" for 2, "paid", "PAID" or {name: "PAID", code: 2}.
  function statusName(status, codes) {
    if (status && typeof status === "object") status = status.name ?? status.code;
    if (status === undefined || status === null) return undefined;
    if (typeof status === "number" || /^-?\d+$/.test(String(status))) return codes[String(status)] || String(status);
    return String(status).toUpperCase();
  }
  const orderStatus = (o) => statusName(pick(o, "status", "order_status"), ORDER_CODES);
  const paymentStatus = (p) => statusName(pick(p, "status", "payment_status"), PAYMENT_CODES);
  const latestPaymentStatus = (o) => statusName(pick(o, "latest_payment_status"), PAYMENT_CODES);
  // An order not paid yet whose newest payment is a vbank awaiting its deposit reads 입금대기.
  const awaitingDeposit = (o) => orderStatus(o) === "ORDERED" && latestPaymentStatus(o) === "READY";
  const label = (table, name) => table[name] || [name ?? "-", "off"];
  const badge = (table, name) => {
    const [text, tone] = label(table, name);
    return h("span", { class: `badge ${tone}`, "data-status": name ?? "" }, text);
  };
  // An order not paid yet reads by its newest attempt: 입금대기 (a vbank awaiting its deposit),
  // 결제대기 (an attempt in progress), else 미결제 (the window was closed, the attempt failed).
  const unpaid = (o) => orderStatus(o) === "ORDERED" && !["REQUESTED", "READY"].includes(latestPaymentStatus(o));
  const orderBadge = (o) => {
    if (unpaid(o)) {
      const el = h("span", { class: "badge wait", "data-status": "ORDERED" }, "미결제");
      el.dataset.testid = "order-unpaid";
      return el;
    }
    if (!awaitingDeposit(o)) return badge(ORDER_STATUS, orderStatus(o));
    const el = badge(PAYMENT_STATUS, "READY");
    el.dataset.testid = "order-awaiting-deposit";
    return el;
  };
  const won = (n) => (typeof n === "number" ? `${n.toLocaleString("ko-KR")}원` : "-");
  const when = (v) => {
    if (!v) return "-";
    const d = typeof v === "number" ? new Date(v * 1000) : new Date(v);
    if (Number.isNaN(d.getTime())) return String(v);
    return d.toLocaleString("ko-KR", {
      timeZone: "Asia/Seoul", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    });
  };
  const pick = (obj, ...keys) => {
    for (const k of keys) if (obj && obj[k] !== undefined && obj[k] !== null) return obj[k];
    return undefined;
  };
  const listOf = (body, ...keys) => {
    if (Array.isArray(body)) return body;
    const v = pick(body, ...keys, "items", "data", "results");
    return Array.isArray(v) ? v : [];
  };

  // tiny element builder: h("div", {class: "x", onclick: fn}, child, "text")
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  // ---- state, toast -------------------------------------------------------------------------
  const state = { user: null, token: null, cards: [], subs: [], orders: [], openOrder: null };

  let toastTimer = null;
  function toast(text, tone = "info", code = undefined) {
    const el = $("#toast");
    el.textContent = text;
    el.className = `toast ${tone}`;
    el.dataset.code = code || ""; // for the tests: which problem was explained
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.hidden = true; }, tone === "bad" ? 9000 : 5000);
  }
  function showResult(sel, tone, ...content) {
    const el = $(sel);
    delete el.dataset.orderId;
    delete el.dataset.code;
    el.replaceChildren(...content.flat());
    el.className = `result ${tone}`;
    el.dataset.tone = tone;
    el.hidden = false;
  }

  // ---- API ----------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, body) {
      const msg = (body && (body.detail || body.title || body.message)) || `HTTP ${status}`;
      super(msg);
      this.status = status;
      this.body = body;
      this.code = body && body.code;
    }
  }
  const newKey = () =>
    (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

  // `creates`: sends an Idempotency-Key (every POST that creates an order, a charge, a card or a refund).
  async function api(method, path, body, { creates = false, auth = true } = {}) {
    const headers = { Accept: "application/json, application/problem+json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth && state.token) headers.Authorization = `Bearer ${state.token}`;
    if (creates) headers["Idempotency-Key"] = newKey();
    const res = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let data = null;
    if (text) { try { data = JSON.parse(text); } catch { data = { detail: text }; } }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }
  // ---- messages -----------------------------------------------------------------------------
  // Every message a sponsor reads about an error comes from ONE table, messages.ko.json (served
  // beside this file; the browser tests read it too): by problem `code`, by refund `rule`, by
  // the `field` a validation error names. Codes and the API's English `detail` are never shown.
  let MESSAGES = { codes: {}, refund_rules: {}, fields: {}, page: {} };
  const messagesLoaded = (async () => {
    const url = ($('meta[name="dolgo-messages-url"]') || {}).content;
    try {
      const res = await fetch(url, { headers: { Accept: "application/json" } });
      if (res.ok) MESSAGES = await res.json();
    } catch (err) {
      console.error("messages", err);
    }
  })();
  const fill = (text, values) => String(text).replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");
  function page(key, values = {}) {
    return fill(MESSAGES.page[key] || "요청을 처리하지 못했어요. 잠시 뒤 다시 시도해 주세요.", values);
  }
  const HANGUL = /[\uac00-\ud7a3]/;
  function fieldLabel(name) {
    const f = MESSAGES.fields;
    return f[name] || f[String(name).split(".").pop()] || f.body || "입력한 내용";
  }
  function problemText(err) {
    if (!(err instanceof ApiError)) {
      if (err instanceof TypeError) return page("network"); // fetch could not reach the server
      const own = String(err && err.message ? err.message : err);
      return HANGUL.test(own) ? own : page("unknown_error");
    }
    const body = err.body || {};
    if (err.code === "refund_refused") {
      const rule = String(body.rule || "");
      const rules = MESSAGES.refund_rules;
      return rules[rule] || rules[rule.split(".")[0]] || MESSAGES.codes.refund_refused || page("unknown_error");
    }
    const text = MESSAGES.codes[err.code] || MESSAGES.codes[`http_${err.status}`];
    if (!text) return page("unknown_error");
    const names = Array.isArray(body.invalid_params) ? body.invalid_params.map((p) => p.name) : [];
    if (!names.length) names.push(body.field || "body");
    const said = fill(text, { field: [...new Set(names.map(fieldLabel))].join(", ") });
    // iamport's own refusal is Korean and says what was wrong (e.g. the card number).
    if (err.code === "gateway_rejected" && HANGUL.test(body.detail || "")) {
      return `${said} ${page("pg_says", { detail: body.detail })}`;
    }
    return said;
  }
  async function explain(err) {
    await messagesLoaded;
    return problemText(err);
  }
  async function showProblem(sel, lead, err) {
    console.error(sel, err);
    showResult(sel, "bad", `${lead}${await explain(err)}`);
    $(sel).dataset.code = (err && err.code) || "";
  }
  async function fail(err, where) {
    console.error(where, err);
    toast(`${where}: ${await explain(err)}`, "bad", err && err.code);
  }
  // A list the page shows: empty (and said so in a toast) when it cannot be fetched.
  async function fetchList(path, key, where) {
    try {
      return listOf(await api("GET", path), key);
    } catch (err) {
      fail(err, where);
      return [];
    }
  }

  // ---- sponsor ------------------------------------------------------------------------------
  async function chooseSponsor(userSeq) {
    try {
      const body = await api("POST", "/api/demo/token", { user_seq: userSeq }, { auth: false });
      state.token = pick(body, "access_token", "token", "jwt");
      if (!state.token) throw new Error("토큰이 없는 응답");
      state.user = userSeq;
      sessionStorage.setItem("dolgo-demo-user", String(userSeq));
      sessionStorage.setItem("dolgo-demo-token", state.token);
      onSponsorChanged();
      await refreshAll();
    } catch (err) {
      fail(err, "후원자 선택");
    }
  }
  function onSponsorChanged() {
    $("#current-sponsor").textContent = state.user ? `후원자 ${state.user}` : "선택 안 됨";
    $("#current-sponsor").dataset.user = state.user ? String(state.user) : "";
    $$(".chip[data-user]").forEach((b) => b.classList.toggle("on", b.dataset.user === String(state.user)));
    $("#app").classList.toggle("locked", !state.user);
    const form = $("#onetime-form");
    if (!form.buyer_name.value || /^후원자 \d+$/.test(form.buyer_name.value)) form.buyer_name.value = `후원자 ${state.user}`;
    if (!form.buyer_email.value || /^sponsor\d+@/.test(form.buyer_email.value)) form.buyer_email.value = `sponsor${state.user}@example.com`;
    for (const sel of ["#onetime-result", "#oneclick-result", "#sub-result", "#order-detail"]) $(sel).hidden = true;
    state.openOrder = null;
  }
  async function refreshAll() {
    await Promise.all([loadCards(), loadSubs(), loadOrders()]);
  }

  // ---- one-time payment through the PG window ----------------------------------------------
  function contentOf(value) {
    return CONTENTS[Number(value)] || CONTENTS[0];
  }
  function requestPay(params) {
    return new Promise((resolve, reject) => {
      if (!window.IMP) { reject(new Error("결제 모듈(iamport.js)을 불러오지 못했어요")); return; }
      window.IMP.request_pay(params, (rsp) => resolve(rsp || {}));
    });
  }
  function checkoutParams(body) {
    return pick(body, "request_pay", "checkout", "imp_params", "params", "pay_params");
  }

  async function payOnce(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const button = $("[type=submit]", form);
    const c = contentOf(form.content.value);
    const method = form.pay_method.value;
    const amount = Number(form.amount.value);
    const order = {
      content_type_code: c.type,
      content_seq: c.seq,
      name: `${c.name} 후원`,
      amount,
      tax_free: 0,
      pay_method: method,
      buyer_name: form.buyer_name.value.trim(),
      buyer_tel: form.buyer_tel.value.trim(),
      buyer_email: form.buyer_email.value.trim() || undefined,
    };
    button.disabled = true;
    showResult("#onetime-result", "wait", "결제창을 여는 중…");
    try {
      const created = await api("POST", "/api/orders", order, { creates: true });
      const params = checkoutParams(created);
      if (!params) throw new Error("결제창 파라미터가 없는 응답");
      showResult("#onetime-result", "wait", "결제창에서 결제를 진행해 주세요…");
      const rsp = await requestPay(params);
      await finishWindow(created, params, rsp);
    } catch (err) {
      await showProblem("#onetime-result", "결제 처리 중 문제가 생겼어요: ", err);
    } finally {
      button.disabled = false;
      loadOrders();
    }
  }

  // After the window: the server, not the callback, decides (it fetches the payment from iamport).
  async function finishWindow(created, params, rsp) {
    const merchantUid = rsp.merchant_uid || params.merchant_uid;
    let done = null;
    if (rsp.imp_uid) {
      done = await api("POST", "/api/payments/complete", { imp_uid: rsp.imp_uid, merchant_uid: merchantUid });
    }
    const orderId = pick(done || {}, "order_id") ?? orderIdOf(created);
    const pStatus = done ? statusName(pick(done, "payment_status"), PAYMENT_CODES) : undefined;
    const see = orderId !== undefined
      ? h("button", { type: "button", class: "link", "data-testid": "onetime-open-order", onclick: () => openOrder(orderId) }, "주문 상세 보기")
      : null;
    if (pStatus === "PAID") {
      showResult("#onetime-result", "ok", h("b", {}, "후원해 주셔서 고마워요! "), `${won(params.amount)} 결제완료. `, see);
    } else if (pStatus === "READY") {
      // The completion answer carries the account (the full number: the sponsor deposits into it).
      const vb = pick(done, "vbank") || {};
      showResult("#onetime-result", "wait",
        h("b", {}, "가상계좌가 발급됐어요. "),
        h("span", { "data-testid": "vbank-account" }, `${pick(vb, "bank_name") || ""} ${pick(vb, "number") || ""}`),
        ` (예금주 ${pick(vb, "holder") || "-"}), 입금기한 `, h("span", { "data-testid": "vbank-due" }, when(pick(vb, "due_at"))),
        ". 입금하면 결제완료로 바뀌어요. ", see);
    } else if (pStatus === "REQUESTED" || (done && done.pending_confirmation)) {
      showResult("#onetime-result", "wait", h("b", {}, "결제 결과를 확인하고 있어요. "), "잠시 뒤 후원 내역에서 확인해 주세요. ", see);
    } else {
      const reason = pick(done || {}, "fail_reason") || rsp.error_msg || "결제창이 닫혔어요";
      showResult("#onetime-result", "bad",
        h("b", {}, "결제가 완료되지 않았어요. "),
        `${reason}. 주문은 `, h("span", { class: "badge wait", "data-testid": "onetime-unpaid" }, "미결제"),
        " 상태로 남아 있어요 — 후원 내역에서 다시 결제할 수 있어요. ", see);
    }
    if (orderId !== undefined) $("#onetime-result").dataset.orderId = String(orderId);
  }
  function orderIdOf(created) {
    return pick(created, "order_id") ?? pick(pick(created, "order") || {}, "id");
  }
  // An unpaid one-time order can be paid again: a new attempt with new window parameters, by the
  // method the sponsor picks next to the button (e.g. 계좌이체 after a closed card window).
  async function payAgain(orderId, method) {
    showResult("#onetime-result", "wait", "결제창을 여는 중…");
    $("#onetime").scrollIntoView({ behavior: "smooth", block: "start" });
    try {
      const body = method ? { pay_method: method } : undefined;
      const created = await api("POST", `/api/orders/${orderId}/checkout`, body, { creates: true });
      const params = checkoutParams(created);
      const rsp = await requestPay(params);
      await finishWindow(created, params, rsp);
    } catch (err) {
      await showProblem("#onetime-result", "결제를 시작하지 못했어요: ", err);
    } finally {
      loadOrders();
    }
  }

  // ---- cards --------------------------------------------------------------------------------
  async function loadCards() {
    state.cards = await fetchList("/api/cards", "cards", "카드 목록");
    renderCards();
    renderSubs(); // the sponsorships name their card
  }
  const cardId = (c) => pick(c, "id", "card_id");
  const cardText = (c) => `${pick(c, "card_corp", "card_name") || "카드"} ${pick(c, "card_disp", "card_number") || ""}`.trim();
  const cardStatus = (c) => statusName(pick(c, "status"), CARD_CODES) || "ACTIVE";
  function renderCards() {
    const shown = state.cards.filter((c) => ["ACTIVE", "ISSUING"].includes(cardStatus(c)));
    const usable = shown.filter((c) => cardStatus(c) === "ACTIVE");
    const list = $("#card-list");
    list.replaceChildren(...(shown.length ? shown.map((c) => h("li", { "data-testid": "card-item", "data-card-id": cardId(c), "data-status": cardStatus(c) },
      h("span", { class: "mono", "data-testid": "card-disp" }, cardText(c)),
      cardStatus(c) !== "ACTIVE" ? badge(CARD_STATUS, cardStatus(c)) : null,
      (pick(c, "channels") || []).length ? h("span", { class: "muted small" }, ` · ${pick(c, "channels").join(", ")}`) : null,
      h("button", { type: "button", class: "ghost small", "data-testid": "card-delete", onclick: () => deleteCard(c) }, "삭제"),
      backupStep(c),
    )) : [h("li", { class: "muted" }, "없음")]));
    for (const sel of $$(".card-select")) {
      const keep = sel.value;
      sel.replaceChildren(...(usable.length
        ? usable.map((c) => h("option", { value: cardId(c) }, cardText(c)))
        : [h("option", { value: "" }, "먼저 카드를 등록해 주세요")]));
      if (keep && usable.some((c) => String(cardId(c)) === keep)) sel.value = keep;
    }
  }
  // REST issuance (비인증): the card data goes to /api/cards once and is cleared from the form.
  async function registerCard(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const button = $("[type=submit]", form);
    const body = {
      issuance: "rest",
      card_number: form.card_number.value.trim(),
      expiry: form.expiry.value.trim(),
      birth: form.birth.value.trim(),
      pwd_2digit: form.pwd_2digit.value.trim(),
    };
    // Cleared while it travels; after an error the number and expiry come back (the sponsor
    // corrects them), the password digits are typed again.
    form.reset();
    button.disabled = true;
    try {
      const res = await api("POST", "/api/cards", body, { creates: true });
      await afterRegistration(res);
    } catch (err) {
      form.card_number.value = body.card_number;
      form.expiry.value = body.expiry;
      form.birth.value = body.birth;
      fail(err, "카드 등록");
    } finally {
      button.disabled = false;
      await loadCards();
    }
  }
  // Window issuance: PGs that issue billing keys only in their window (e.g. KG이니시스).
  async function registerCardInWindow() {
    const button = $("#card-window");
    button.disabled = true;
    try {
      const res = await api("POST", "/api/cards", { issuance: "window", ...windowBuyer() }, { creates: true });
      await afterRegistration(res);
    } catch (err) {
      fail(err, "카드 등록");
    } finally {
      button.disabled = false;
      await loadCards();
    }
  }
  // A card whose PG's backup issues billing keys only in its own window: one more window, on
  // the same card, so that monthly charges can move there while the card's PG is down.
  function backupStep(c) {
    const backup = pick(c, "backup_registration");
    if (!backup) return null;
    const button = h("button", { type: "button", class: "primary small", "data-testid": "card-backup" }, "예비 결제수단 등록");
    button.onclick = async () => {
      button.disabled = true;
      try {
        await afterRegistration(await api("POST", `/api/cards/${cardId(c)}/backup`, windowBuyer(), { creates: true }));
      } catch (err) {
        fail(err, "예비 결제수단 등록");
      } finally {
        await loadCards();
      }
    };
    return h("div", { class: "small", "data-testid": "card-backup-step" },
      h("p", { class: "muted" }, `예비 결제수단 등록: 이 카드를 등록한 PG에 장애가 나도 정기후원이 끊기지 않도록 예비 PG(${pick(backup, "channel")})에도 같은 카드를 등록해 주세요. 이 PG는 결제창에서만 등록할 수 있어 한 번 더 열어요.`),
      button);
  }
  const windowBuyer = () => ({ buyer_name: `후원자 ${state.user}`, buyer_email: `sponsor${state.user}@example.com` });
  async function afterRegistration(res) {
    let card = pick(res, "card") || res;
    const params = checkoutParams(res);
    if (params) {
      const rsp = await requestPay(params);
      // The server asks iamport whether the key was issued; the callback alone proves nothing.
      card = await api("POST", `/api/cards/${cardId(card)}/complete`, rsp.imp_uid ? { imp_uid: rsp.imp_uid } : {});
    }
    if (pick(card, "backup_registration")) toast(`카드를 등록했어요: ${cardText(card)} — 예비 결제수단 등록을 이어서 해 주세요`, "ok");
    else if (cardStatus(card) === "ACTIVE") toast(`카드를 등록했어요: ${cardText(card)}`, "ok");
    else toast(`카드 등록을 확인하는 중이에요 (${label(CARD_STATUS, cardStatus(card))[0]})`);
  }
  async function deleteCard(c) {
    if (!confirm(`${cardText(c)} 카드를 삭제할까요?`)) return;
    try {
      await api("DELETE", `/api/cards/${cardId(c)}`);
      toast("카드를 삭제했어요", "ok");
    } catch (err) {
      fail(err, "카드 삭제");
    }
    await loadCards();
  }

  const buyer = () => ({ name: `후원자 ${state.user}`, email: `sponsor${state.user}@example.com` });

  // After a declined charge: pick another registered card in `formSel`, or register a new one.
  function nextSteps(formSel, declinedCardId) {
    const select = $(`${formSel} .card-select`);
    const others = Array.from(select.options).filter((o) => o.value && o.value !== String(declinedCardId));
    return h("span", { class: "actions next-steps" },
      others.length ? h("button", { type: "button", class: "ghost small", "data-testid": "try-other-card", onclick: () => {
        select.value = others[0].value;
        select.focus();
      } }, page("other_card")) : null,
      h("button", { type: "button", class: "ghost small", "data-testid": "register-other-card", onclick: () => {
        $("#cards").scrollIntoView({ behavior: "smooth", block: "start" });
        $("#card-form").card_number.focus();
      } }, page("register_card")));
  }

  // ---- one-click ----------------------------------------------------------------------------
  async function payOneClick(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const button = $("[type=submit]", form);
    const c = contentOf(form.content.value);
    const body = {
      card_id: Number(form.card_id.value),
      content_type_code: c.type,
      content_seq: c.seq,
      name: `${c.name} 후원`,
      amount: Number(form.amount.value),
      tax_free: 0,
      buyer: buyer(),
    };
    button.disabled = true;
    showResult("#oneclick-result", "wait", "결제 중…");
    try {
      const res = await api("POST", "/api/billing/payments", body, { creates: true });
      const payment = pick(res, "payment") || res;
      const status = paymentStatus(payment);
      await messagesLoaded;
      if (status === "PAID") {
        showResult("#oneclick-result", "ok", badge(PAYMENT_STATUS, status), " ", `${won(pick(payment, "amount") ?? body.amount)} 후원 완료`);
      } else if (status === "FAILED") {
        const reason = pick(payment, "fail_reason", "reason") || "거절";
        showResult("#oneclick-result", "bad", badge(PAYMENT_STATUS, status), " ",
          h("span", { "data-testid": "oneclick-declined" }, page("declined", { reason })), " ", nextSteps("#oneclick-form", body.card_id));
      } else {
        showResult("#oneclick-result", "wait", badge(PAYMENT_STATUS, status), " 결제 결과를 확인하고 있어요. 잠시 뒤 후원 내역에서 확인해 주세요.");
      }
      const oid = pick(pick(res, "order") || {}, "id") ?? pick(payment, "order_id");
      if (oid !== undefined) $("#oneclick-result").dataset.orderId = String(oid);
    } catch (err) {
      await showProblem("#oneclick-result", "결제 실패: ", err);
    } finally {
      button.disabled = false;
      loadOrders();
    }
  }

  // ---- monthly sponsorship ------------------------------------------------------------------
  async function loadSubs() {
    state.subs = await fetchList("/api/subscriptions", "subscriptions", "정기후원 목록");
    renderSubs();
  }
  const subId = (s) => pick(s, "id", "order_id");
  // A monthly sponsorship is an order whose `subscription` holds billing day, card, next charge.
  const sub = (s, ...keys) => pick(s.subscription || {}, ...keys) ?? pick(s, ...keys);
  function renderSubs() {
    const list = $("#sub-list");
    if (!state.subs.length) { list.replaceChildren(h("li", { class: "muted" }, "없음")); return; }
    list.replaceChildren(...state.subs.map((s) => {
      const id = subId(s);
      const status = orderStatus(s);
      const live = ["ROUTINE", "ROUTINE_PAST_DUE"].includes(status);
      const card = state.cards.find((c) => String(cardId(c)) === String(sub(s, "card_id", "payment_card_id")));
      const edit = h("form", { class: "inline", "data-testid": "sub-edit-form", hidden: true, onsubmit: (ev) => changeSub(ev, s) },
        h("label", {}, "금액", h("input", { name: "amount", type: "number", min: 100, step: 100, value: pick(s, "amount"), "data-testid": "sub-edit-amount" })),
        h("label", {}, "카드", h("select", { name: "card_id", "data-testid": "sub-edit-card" },
          ...state.cards.map((c) => h("option", { value: cardId(c), selected: String(cardId(c)) === String(sub(s, "card_id", "payment_card_id")) }, cardText(c))))),
        h("label", {}, "결제일", h("input", { name: "billing_day", type: "number", min: 1, max: 31, value: sub(s, "billing_day"), "data-testid": "sub-edit-day" })),
        h("button", { type: "submit", class: "primary small", "data-testid": "sub-edit-save" }, "저장"),
      );
      return h("li", { "data-testid": "sub-item", "data-sub-id": id, "data-status": String(status) },
        h("div", { class: "row" },
          h("div", {},
            h("b", {}, pick(s, "name") || "정기후원"), " ",
            badge(ORDER_STATUS, status),
            h("div", { class: "muted small" },
              `월 ${won(pick(s, "amount"))} · 매월 ${sub(s, "billing_day") ?? "-"}일 · `,
              card ? cardText(card) : `카드 #${sub(s, "card_id", "payment_card_id") ?? "-"}`,
              // a cancelled or ended sponsorship has no next charge, whatever the record still holds
              live && sub(s, "next_charge_at") ? h("span", { "data-testid": "sub-next" }, ` · 다음 결제 ${when(sub(s, "next_charge_at"))}`) : "",
              live && sub(s, "next_amount") && sub(s, "next_amount") !== pick(s, "amount") ? ` · 다음 결제부터 ${won(sub(s, "next_amount"))}` : "",
            ),
          ),
          live ? h("div", { class: "actions" },
            h("button", { type: "button", class: "ghost small", "data-testid": "sub-edit", onclick: () => { edit.hidden = !edit.hidden; } }, "변경"),
            h("button", { type: "button", class: "danger small", "data-testid": "sub-cancel", onclick: () => cancelSub(s) }, "해지"),
          ) : null,
        ),
        live ? edit : null,
      );
    }));
  }
  async function startSub(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const button = $("[type=submit]", form);
    const c = contentOf(form.content.value);
    const body = {
      card_id: Number(form.card_id.value),
      content_type_code: c.type,
      content_seq: c.seq,
      name: `${c.name} 정기후원`,
      amount: Number(form.amount.value),
      tax_free: 0,
      billing_day: Number(form.billing_day.value),
      buyer: buyer(),
    };
    button.disabled = true;
    showResult("#sub-result", "wait", "첫 달 결제 중…");
    try {
      const res = await api("POST", "/api/subscriptions", body, { creates: true });
      const order = pick(res, "order", "subscription") || res;
      const status = orderStatus(order);
      const tone = status === "ROUTINE" ? "ok" : status === "ORDERED" ? "wait" : "bad";
      const reason = pick(res, "fail_reason") || pick(pick(res, "payment") || {}, "fail_reason");
      await messagesLoaded;
      showResult("#sub-result", tone, badge(ORDER_STATUS, status), " ",
        tone === "ok" ? `정기후원을 시작했어요. 첫 달 ${won(body.amount)} 결제완료.`
          : tone === "wait" ? "첫 달 결제 결과를 확인하고 있어요."
            : [page("declined_monthly", { reason: reason || "거절" }), " ", nextSteps("#sub-form", body.card_id)]);
      const oid = pick(order, "id", "order_id");
      if (oid !== undefined) $("#sub-result").dataset.orderId = String(oid);
    } catch (err) {
      await showProblem("#sub-result", "정기후원 시작 실패: ", err);
    } finally {
      button.disabled = false;
      await Promise.all([loadSubs(), loadOrders()]);
    }
  }
  async function changeSub(ev, s) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const patch = {};
    const amount = Number(form.amount.value);
    const card = Number(form.card_id.value);
    const day = Number(form.billing_day.value);
    if (amount && amount !== pick(s, "amount")) patch.amount = amount;
    if (card && card !== sub(s, "card_id", "payment_card_id")) patch.card_id = card;
    if (day && day !== sub(s, "billing_day")) patch.billing_day = day;
    if (!Object.keys(patch).length) { toast("바뀐 내용이 없어요"); return; }
    try {
      await api("PATCH", `/api/subscriptions/${subId(s)}`, patch);
      toast(patch.amount ? "변경했어요. 금액은 다음 결제부터 적용돼요." : "변경했어요.", "ok");
    } catch (err) {
      fail(err, "정기후원 변경"); // the form stays open with what was typed
      return;
    }
    await loadSubs();
  }
  async function cancelSub(s) {
    if (!confirm("정기후원을 해지할까요? 이미 결제된 달은 환불되지 않아요.")) return;
    try {
      await api("POST", `/api/subscriptions/${subId(s)}/cancel`, { reason: "후원자 해지 요청" });
      toast("정기후원을 해지했어요.", "ok");
    } catch (err) {
      fail(err, "정기후원 해지");
    }
    await Promise.all([loadSubs(), loadOrders()]);
  }

  // ---- history ------------------------------------------------------------------------------
  const orderId = (o) => pick(o, "id", "order_id");
  async function loadOrders() {
    state.orders = await fetchList("/api/orders", "orders", "후원 내역");
    renderOrders();
    if (state.openOrder !== null) openOrder(state.openOrder, { quiet: true });
  }
  function renderOrders() {
    const rows = $("#order-rows");
    if (!state.orders.length) { rows.replaceChildren(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "없음"))); return; }
    rows.replaceChildren(...state.orders.map((o) => {
      const id = orderId(o);
      const status = orderStatus(o);
      // A vbank waiting for its deposit is not retried; any other unpaid one-time order may be,
      // by any window method.
      const canPayAgain = status === "ORDERED" && typeLabel(pick(o, "type")) === "일시후원" && !awaitingDeposit(o);
      const againMethod = canPayAgain
        ? h("select", { class: "small", "aria-label": "다시 결제 수단", "data-testid": "order-pay-again-method" },
          ...WINDOW_METHODS.map((m) => h("option", { value: m, selected: m === pick(o, "pay_method") }, METHOD[m])))
        : null;
      return h("tr", { "data-testid": "order-row", "data-order-id": id, "data-merchant-uid": pick(o, "merchant_uid") || "", "data-status": String(status), "data-payment-status": latestPaymentStatus(o) || "", class: String(state.openOrder) === String(id) ? "open" : "" },
        // The classes place each cell in the card layout of a phone-width screen (app.css).
        h("td", { class: "c-name", "data-testid": "order-name" }, h("div", {}, pick(o, "name") || `주문 #${id}`), h("div", { class: "muted small mono" }, `#${id}`)),
        h("td", { class: "c-kind" }, typeLabel(pick(o, "type_code", "type")) || "-", pick(o, "pay_method") ? h("div", { class: "muted small" }, METHOD[pick(o, "pay_method")] || pick(o, "pay_method")) : null),
        h("td", { class: "num c-amount" }, won(pick(o, "amount"))),
        h("td", { class: "c-status" }, orderBadge(o)),
        h("td", { class: "small c-when" }, when(pick(o, "created_at", "ordered_at"))),
        h("td", { class: "c-act" }, h("div", { class: "actions end" },
          againMethod,
          canPayAgain
            ? h("button", { type: "button", class: "primary small", "data-testid": "order-pay-again", onclick: () => payAgain(id, againMethod.value) }, "다시 결제") : null,
          h("button", { type: "button", class: "ghost small", "data-testid": "order-open", onclick: () => openOrder(id) }, "상세"))),
      );
    }));
  }

  async function openOrder(id, { quiet = false } = {}) {
    state.openOrder = id;
    $$("#order-rows tr").forEach((tr) => tr.classList.toggle("open", tr.dataset.orderId === String(id)));
    let o;
    try {
      o = await api("GET", `/api/orders/${id}`);
    } catch (err) {
      if (!quiet) fail(err, "주문 상세");
      return;
    }
    o = pick(o, "order") ? { ...o.order, ...o, order: undefined } : o;
    const payments = listOf(pick(o, "payments") || [], "payments");
    const history = listOf(pick(o, "history") || [], "history");
    const el = $("#order-detail");
    el.replaceChildren(
      h("div", { class: "row" },
        h("h3", {}, `${pick(o, "name") || "주문"} `, orderBadge(o)),
        h("button", { type: "button", class: "ghost small", "data-testid": "order-close", onclick: () => { el.hidden = true; state.openOrder = null; renderOrders(); } }, "닫기"),
      ),
      h("p", { class: "muted small" }, `주문 #${orderId(o)} · ${typeLabel(pick(o, "type_code", "type"))} · ${won(pick(o, "amount"))}`,
        pick(o, "merchant_uid") ? ` · ${pick(o, "merchant_uid")}` : ""),
      h("h4", {}, "결제"),
      payments.length ? h("ul", { class: "list" }, ...payments.map(renderPayment)) : h("p", { class: "muted" }, "결제 시도가 없어요"),
      h("h4", {}, "상태 변경 이력"),
      history.length ? h("ol", { class: "timeline", "data-testid": "order-history" }, ...history.map(renderHistory)) : h("p", { class: "muted" }, "이력이 없어요"),
    );
    el.hidden = false;
  }

  function renderPayment(p) {
    const id = pick(p, "id", "payment_id");
    const status = paymentStatus(p);
    const amount = pick(p, "amount");
    const cancelled = pick(p, "cancel_amount", "cancelled_amount") || 0;
    const refundable = pick(p, "refundable", "refundable_amount") ?? (amount - cancelled);
    const canRefund = ["PAID", "ROUTINE_PAID"].includes(status) && refundable > 0;
    const method = pick(p, "pay_method");
    // novalidate: the page checks the amount itself and says why in Korean (refundError).
    const refundForm = h("form", { class: "inline", hidden: true, novalidate: true, "data-testid": "refund-form", "data-refundable": refundable, onsubmit: (ev) => refund(ev, p, refundable) },
      h("label", {}, "환불 금액", h("input", { name: "amount", type: "number", min: 1, max: refundable, value: refundable, "data-testid": "refund-amount" })),
      h("label", {}, "사유", h("input", { name: "reason", value: "후원자 요청", "data-testid": "refund-reason" })),
      method === "vbank" ? [
        h("label", {}, "예금주", h("input", { name: "refund_holder", "data-testid": "refund-holder" })),
        h("label", {}, "은행코드", h("input", { name: "refund_bank", placeholder: "예: 004 (국민)", "data-testid": "refund-bank" })),
        h("label", {}, "계좌번호", h("input", { name: "refund_number", inputmode: "numeric", autocomplete: "off", "data-testid": "refund-account" })),
      ] : null,
      h("button", { type: "submit", class: "danger small", "data-testid": "refund-submit" }, "환불 요청"),
      h("p", { class: "form-error", role: "alert", "data-testid": "refund-error", hidden: true }),
    );
    const cancels = listOf(pick(p, "cancellations") || [], "cancellations");
    return h("li", { "data-testid": "payment-item", "data-payment-id": id, "data-status": String(status) },
      h("div", { class: "row" },
        h("div", {},
          badge(PAYMENT_STATUS, status), " ",
          h("b", {}, won(amount)),
          cancelled ? h("span", { class: "muted" }, ` (환불 ${won(cancelled)})`) : null,
          h("div", { class: "muted small" },
            [METHOD[method] || method, pick(p, "card_name"), pick(p, "card_number"),
              pick(p, "merchant_uid"), pick(p, "imp_uid"), pick(p, "paid_at") ? `결제 ${when(pick(p, "paid_at"))}` : null]
              .filter(Boolean).join(" · ")),
          pgLine(p),
          vbankLine(pick(p, "vbank")),
          pick(p, "fail_reason") ? h("div", { class: "small bad-text" }, pick(p, "fail_reason")) : null,
          cancels.length ? h("div", { class: "small muted" }, cancels.map((c) =>
            `환불 ${won(pick(c, "amount"))} ${label(CANCELLATION_STATUS, statusName(pick(c, "status"), CANCELLATION_CODES))[0]}`).join(" · ")) : null,
        ),
        canRefund ? h("button", { type: "button", class: "ghost small", "data-testid": "refund-open", onclick: () => { refundForm.hidden = !refundForm.hidden; } }, "환불") : null,
      ),
      canRefund ? refundForm : null,
    );
  }

  // Which PG took (or was sent) this payment; a failover attempt says it moved off the primary.
  function pgLine(p) {
    const channel = pick(p, "channel", "pg", "pg_provider");
    if (!channel) return null;
    const failover = /^failover from (\S+)/.exec(pick(p, "route_reason") || "");
    return h("div", { class: "small", "data-testid": "payment-pg", "data-channel": channel },
      `결제 PG ${channel}`, failover ? ` (${failover[1]} 장애로 예비 PG 사용)` : "");
  }

  // The sponsor's own vbank: the full number, as they deposit into it.
  function vbankLine(vb) {
    if (!vb || !pick(vb, "number")) return null;
    return h("div", { class: "small", "data-testid": "payment-vbank" },
      `가상계좌 ${pick(vb, "bank_name") || ""} ${pick(vb, "number")}`,
      pick(vb, "holder") ? ` (예금주 ${pick(vb, "holder")})` : "",
      ` · 입금기한 ${when(pick(vb, "due_at"))}`);
  }

  function renderHistory(e) {
    const entity = pick(e, "entity", "subject");
    const from = pick(e, "from_status", "old_status", "from");
    const to = pick(e, "to_status", "new_status", "to");
    const [table, codes, who] = {
      payment: [PAYMENT_STATUS, PAYMENT_CODES, "결제"],
      cancellation: [CANCELLATION_STATUS, CANCELLATION_CODES, "환불"],
      card: [CARD_STATUS, CARD_CODES, "카드"],
    }[entity] || [ORDER_STATUS, ORDER_CODES, "주문"];
    return h("li", { "data-testid": "history-entry" },
      h("span", { class: "muted small" }, when(pick(e, "at", "created_at", "occurred_at"))), " ",
      h("b", {}, who), pick(e, "entity_id") !== undefined ? h("span", { class: "muted small" }, ` #${pick(e, "entity_id")}`) : null, " ",
      from !== undefined && from !== null ? badge(table, statusName(from, codes)) : h("span", { class: "muted" }, "생성"), " → ",
      to !== undefined ? badge(table, statusName(to, codes)) : "",
      " ", h("span", { class: "muted small" }, [EVENT[pick(e, "event")] || pick(e, "event"), causeLabel(pick(e, "cause"))].filter(Boolean).join(" · ")),
    );
  }

  // What the page itself refuses before sending (a message key of messages.ko.json), or null.
  function refundInputProblem(form, refundable) {
    const amount = Number(form.amount.value);
    if (!Number.isInteger(amount) || amount < 1) return ["refund_amount_under", {}];
    if (amount > refundable) return ["refund_amount_over", { max: won(refundable) }];
    if (form.refund_number) {
      if (!form.refund_holder.value.trim()) return ["refund_holder_missing", {}];
      if (!form.refund_bank.value.trim()) return ["refund_bank_missing", {}];
      if (!form.refund_number.value.trim()) return ["refund_number_missing", {}];
    }
    return null;
  }
  function refundError(form, text, code) {
    const el = $("[data-testid=refund-error]", form);
    el.textContent = text || "";
    el.dataset.code = code || "";
    el.hidden = !text;
  }

  // An error keeps the form open with what was typed; only a refund that went through clears it.
  async function refund(ev, p, refundable) {
    ev.preventDefault();
    const form = ev.currentTarget;
    await messagesLoaded;
    const refused = refundInputProblem(form, refundable);
    if (refused) { refundError(form, page(...refused), refused[0]); form.amount.focus(); return; }
    refundError(form, "");
    const amount = Number(form.amount.value);
    const body = { amount, reason: form.reason.value.trim() || "후원자 요청" };
    if (form.refund_number) {
      // vbank: the refund account goes to the API; only its masked number comes back.
      body.refund_account = { holder: form.refund_holder.value.trim(), bank_code: form.refund_bank.value.trim(), number: form.refund_number.value.trim() };
    }
    const button = $("[type=submit]", form);
    button.disabled = true;
    try {
      const paymentId = pick(p, "id", "payment_id");
      await api("POST", `/api/payments/${paymentId}/refund`, body, { creates: true });
    } catch (err) {
      console.error("환불", err);
      refundError(form, await explain(err), err && err.code);
      button.disabled = false;
      return;
    }
    form.reset();
    toast(`${won(amount)} 환불했어요.`, "ok");
    await loadOrders();
  }

  // ---- boot ---------------------------------------------------------------------------------
  function fillContents() {
    for (const sel of $$("select[name=content]")) {
      sel.replaceChildren(...CONTENTS.map((c, i) => h("option", { value: i }, c.name)));
    }
    const now = new Date();
    $("#card-form").expiry.placeholder = `${now.getFullYear() + 3}-12`;
  }

  // The test cards come from the sandbox itself (GET <sandbox>/_sandbox/cards, the list in
  // adapters/iamport/sandbox/cards.py); without a sandbox there are no hints.
  function cardHintText(c) {
    const name = pick(c, "card_name");
    if (c.outcome === "approve") return `${name || "카드"} · 승인`;
    if (c.outcome === "decline") return `${name || "카드"} · 결제 거절(${pick(c, "decline_reason") || "거절"})`;
    return "등록 불가(유효하지 않은 카드)";
  }
  async function loadTestCards() {
    const base = ($('meta[name="dolgo-sandbox-url"]') || {}).content || "";
    const hints = $("[data-testid=card-hints]");
    if (!base) { hints.hidden = true; return; }
    let cards = [];
    try {
      const res = await fetch(`${base.replace(/\/$/, "")}/_sandbox/cards`, { headers: { Accept: "application/json" } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      cards = await res.json();
    } catch (err) {
      console.error("test cards", err);
      hints.hidden = true;
      return;
    }
    $("#card-hint-list").replaceChildren(...cards.map((c) => h("li", {},
      h("button", { type: "button", class: "link mono", "data-testid": "card-hint", "data-number": c.number, onclick: () => { $("#card-form").card_number.value = c.number; } }, c.number),
      ` ${cardHintText(c)}`)));
  }

  function boot() {
    fillContents();
    loadTestCards();
    if (window.IMP) {
      const code = document.querySelector('meta[name="dolgo-merchant-code"]').content;
      try { window.IMP.init(code); } catch (err) { console.error(err); }
    } else {
      toast("결제 모듈(iamport.js)을 불러오지 못했어요. 샌드박스가 켜져 있는지 확인해 주세요.", "bad");
    }
    $$(".chip[data-user]").forEach((b) => b.addEventListener("click", () => chooseSponsor(Number(b.dataset.user))));
    $("#sponsor-other").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const seq = Number(ev.currentTarget.user_seq.value);
      if (seq > 0) chooseSponsor(seq);
    });
    $("#onetime-form").addEventListener("submit", payOnce);
    $("#card-form").addEventListener("submit", registerCard);
    $("#card-window").addEventListener("click", registerCardInWindow);
    $("#oneclick-form").addEventListener("submit", payOneClick);
    $("#sub-form").addEventListener("submit", startSub);
    $("#history-refresh").addEventListener("click", () => refreshAll());
    const saved = Number(sessionStorage.getItem("dolgo-demo-user"));
    const token = sessionStorage.getItem("dolgo-demo-token");
    if (saved && token) {
      state.user = saved;
      state.token = token;
      onSponsorChanged();
      refreshAll();
    }
    document.body.dataset.ready = "true";
  }

  boot();
})();
