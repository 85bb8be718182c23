// The work queues: what waits for an operator.
import { OPERATION, WORK } from "./labels.js";
import { $, causeLabel, el, link, table, when, won } from "./dom.js";
import { api } from "./api.js";
import { webhookTable } from "./webhooks.js";
import { orderColumns } from "./payments.js";
import { deliveryTable } from "./events.js";
import { register } from "./router.js";

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

register("queues", showQueues);
