// The webhook inbox and re-running a stored webhook.
import { INBOX_STATE, REPROCESSED } from "./labels.js";
import { $, badge, byWhom, el, link, table, toast, when } from "./dom.js";
import { api, query } from "./api.js";
import { PAGE, actionButton, fillForm, pager, register, route } from "./router.js";

export function webhookTable(items, testid) {
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

register("webhooks", showWebhooks);
