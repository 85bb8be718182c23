// 현금영수증 of a 계좌이체 / 가상계좌 payment, on its page: every one, and issuing one (or
// re-issuing after a failed or cancelled one). The phone number or 사업자번호 is typed once, comes
// back masked, and its field is emptied as soon as the request is answered.
import { $, badge, causeLabel, el, link, table, toast, when, won } from "./dom.js";
import { api, submitOnce } from "./api.js";
import { formParams, onSubmit } from "./router.js";

const STATUS = {
  issuing: ["발급 중", "wait"], issued: ["발급됨", "ok"], cancelling: ["취소 중", "wait"],
  failed: ["발급 실패", "bad"], cancelled: ["취소됨", "off"],
};
const KIND = { personal: "소득공제 (휴대폰)", business: "지출증빙 (사업자번호)" };
const LIVE = ["issuing", "issued", "cancelling"];
let shown = null; // the payment whose receipts are on screen

export async function showReceipts(p) {
  shown = p;
  const form = $("#receipt-form");
  form.hidden = true;
  form.reset();
  delete form.dataset.idem;
  if (!["trans", "vbank"].includes(p.pay_method)) { $("#payment-receipts").replaceChildren(); return; }
  const found = await api("GET", `/api/admin/payments/${p.id}/cash-receipts`);
  if (shown !== p) return; // another payment was opened meanwhile
  form.hidden = p.status !== "paid" || found.items.some((r) => LIVE.includes(r.status));
  if (!form.hidden) $("#no-actions").hidden = true;
  $("#payment-receipts").replaceChildren(el("h3", {}, "현금영수증"), table([
    ["#", (r) => String(r.id)], ["상태", (r) => badge(STATUS, r.status)], ["종류", (r) => KIND[r.kind] || r.kind],
    ["번호", (r) => el("span", { class: "mono" }, r.identifier)], ["금액", (r) => won(r.amount)],
    ["승인번호", (r) => r.apply_num || ""], ["요청자", (r) => causeLabel(r.requested_by)],
    ["요청일시", (r) => when(r.requested_at)], ["발급일시", (r) => when(r.issued_at)],
    ["영수증", (r) => (r.receipt_url ? el("a", { href: r.receipt_url, target: "_blank", rel: "noopener noreferrer" }, "열기") : "")],
    ["실패", (r) => r.failure_message || ""],
  ], found.items, { testid: "receipt-table", rowTestid: (r) => `receipt-row-${r.id}` }));
}

onSubmit("#receipt-form", async (form) => {
  const d = formParams(form);
  let out;
  try {
    out = await submitOnce(form, "POST", `/api/admin/payments/${shown.id}/cash-receipts`, { kind: d.kind, identifier: d.identifier });
  } finally {
    form.elements.identifier.value = "";
  }
  toast(`현금영수증 ${(STATUS[out.status] || [out.status])[0]} (${out.identifier})`);
  await showReceipts(shown);
});
