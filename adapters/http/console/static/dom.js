// Building the page from API data: elements with text only (never HTML), tables that stack
// into cards on a phone, Korean formatting of money, time and causes.
export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

export function causeLabel(cause) {
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
export const won = (n) => (n === null || n === undefined ? "" : `${Number(n).toLocaleString("ko-KR")}원`);
export const SEOUL = new Intl.DateTimeFormat("ko-KR", {
  timeZone: "Asia/Seoul", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
  minute: "2-digit", second: "2-digit", hour12: false,
});
export const when = (iso) => (iso ? SEOUL.format(new Date(iso)) : "");
// A refund or bank account number as operators see it in lists: the last four digits only.
export function maskAccount(number) {
  if (!number) return "";
  const digits = String(number).replace(/\D/g, "");
  return "*".repeat(Math.max(digits.length - 4, 0)) + digits.slice(-4);
}

// ---- DOM ----------------------------------------------------------------------------------
export function el(tag, attrs = {}, ...children) {
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
export const badge = (table, name) => {
  const [label, tone] = table[name] || [name || "", "off"];
  return el("span", { class: `badge ${tone}`, "data-status": name }, label);
};
export const link = (href, text, testid) => el("a", { href, testid }, text);
export const empty = (text = "항목이 없습니다.") => el("p", { class: "muted empty" }, text);
// A button for an action without a form: one run at a time, its error in the toast.
export const byWhom = (cause, at) => (cause ? `${causeLabel(cause)} · ${when(at)}` : "");

// A table that stacks into cards on a phone: every cell carries its column's label.
export function table(columns, rows, { testid, rowTestid } = {}) {
  if (!rows.length) return empty();
  return el("div", { class: "table-wrap" }, el("table", { testid },
    el("thead", {}, el("tr", {}, columns.map(([label]) => el("th", {}, label)))),
    el("tbody", {}, rows.map((row) => el("tr", { testid: rowTestid ? rowTestid(row) : undefined },
      columns.map(([label, cell]) => el("td", { "data-label": label }, cell(row))))))));
}
export function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v, testid]) => el("div", { testid }, el("dt", {}, k), el("dd", {}, v))));
}

export let toastTimer;
export function toast(message, tone = "ok") {
  const box = $("#toast");
  box.textContent = message;
  box.className = `toast ${tone}`;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 6000);
}
