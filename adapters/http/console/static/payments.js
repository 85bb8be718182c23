// Payments and orders: search, an order, a payment's story and the actions on it.
import { BANKS, CANCELLATION_STATUS, ENTITY, EVENT, METHOD, OPERATION, ORDER_STATUS, PAYMENT_STATUS, RULES, STATUS_OF, TYPE } from "./labels.js";
import { $, $$, badge, causeLabel, el, empty, facts, link, maskAccount, table, toast, when, won } from "./dom.js";
import { api, problemText, query, seoulDayEnd, seoulDayStart, submitOnce } from "./api.js";
import { PAGE, fillForm, formParams, onSubmit, pager, register } from "./router.js";
import { webhookTable } from "./webhooks.js";
import { showReceipts } from "./receipts.js";

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
export const orderColumns = [
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
      ["채널을 고른 이유", p.route_reason, "fact-route"],
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
  showReceipts(p).catch((err) => toast(problemText(err), "bad"));
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
// Only the amount and the bank change the answer; typing the reason or the account does not
// ask again (nor disable 환불 요청 while it is asked).
for (const input of $$("#refund-form [name=amount], #refund-form [name=bank_code]")) input.addEventListener("input", debounce(checkRefund));
$("#manual-form [name=amount]").addEventListener("input", debounce(checkManual));

register("payments", showPayments);
register("orders", showOrders);
register("order", showOrder, "orders");
register("payment", showPayment, "payments");
