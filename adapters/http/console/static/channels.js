// PG channels: health and the breaker override.
import { ADMITS, BREAKER, METHOD } from "./labels.js";
import { $, badge, causeLabel, el, table, toast, when } from "./dom.js";
import { api, problemText, submitOnce } from "./api.js";
import { formParams, register } from "./router.js";

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

register("channels", showChannels);
