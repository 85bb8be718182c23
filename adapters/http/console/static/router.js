// The hash router (#/view/id?params), the list pager and the forms' and buttons' wiring.
import { $, $$, el, toast } from "./dom.js";
import { problemText, session } from "./api.js";

export const PAGE = 20;
const views = {}; // name → { show(id, params), tab }: each view module registers its own

export function register(name, show, tab = name) {
  views[name] = { show, tab };
}

export function parseHash() {
  const [path, q = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [view, id] = path.split("/");
  return { view: view || "payments", id, params: new URLSearchParams(q) };
}
export async function route() {
  if (!session.token) return;
  const { view, id, params } = parseHash();
  const name = views[view] ? view : "payments";
  const { show, tab } = views[name];
  $$(".view").forEach((v) => { v.hidden = v.dataset.view !== name; });
  $$("[data-nav]").forEach((a) => a.classList.toggle("active", a.dataset.nav === tab));
  try {
    await show(id, params);
  } catch (err) {
    toast(problemText(err), "bad");
  }
}
export const go = (hash) => { if (location.hash === hash) route(); else location.hash = hash; };

export function fillForm(form, params) {
  for (const input of $$("input, select", form)) input.value = params.get(input.name) || "";
}
export function formParams(form) {
  const out = {};
  for (const input of $$("input, select", form)) if (input.name && input.value) out[input.name] = input.value.trim();
  return out;
}
export function pager(params, count, base) {
  const offset = Number(params.get("offset") || 0);
  const at = (o) => { const p = new URLSearchParams(params); p.set("offset", String(Math.max(o, 0))); return `${base}?${p}`; };
  return el("div", { class: "pager", testid: "pager" },
    el("button", { type: "button", class: "ghost", disabled: offset === 0, testid: "page-prev", onclick: () => go(at(offset - PAGE)) }, "이전"),
    el("span", { class: "muted" }, count ? `${offset + 1}–${offset + count}` : "0건"),
    el("button", { type: "button", class: "ghost", disabled: count < PAGE, testid: "page-next", onclick: () => go(at(offset + PAGE)) }, "다음"));
}
export function onSubmit(selector, handler) {
  $(selector).addEventListener("submit", async (event) => {
    event.preventDefault();
    try { await handler(event.currentTarget); } catch (err) { toast(problemText(err), "bad"); }
  });
}
// A button for an action without a form: one run at a time, its error in the toast.
export function actionButton(label, testid, action) {
  const button = el("button", { type: "button", class: "small", testid }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try { await action(); } catch (err) { toast(problemText(err), "bad"); } finally { button.disabled = false; }
  });
  return button;
}
