// Reports: a day's 정산, reconcile runs and running one.
import { DIFFERENCE, METHOD } from "./labels.js";
import { $, badge, causeLabel, el, facts, link, table, toast, when, won } from "./dom.js";
import { ApiError, api, problemText, query, seoulLocal, session, submitOnce } from "./api.js";
import { formParams, onSubmit, parseHash, register } from "./router.js";

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
    const res = await fetch(`/api/admin/settlements.csv?${query({ date: day })}`, { headers: { Authorization: `Bearer ${session.token}` } });
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

register("reports", showReports);
