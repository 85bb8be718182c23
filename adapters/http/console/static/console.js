// dolgo-pay operator console: vanilla JS modules, no build step. Everything it shows and does
// goes through the admin API (/api/admin/...) with the operator's bearer token, kept in this
// tab's sessionStorage only. Data is put on the page as text (never as HTML).
// This module signs in and out and starts the router; each view is a module of its own.
import { $ } from "./dom.js";
import { ApiError, api, problemText, query, session } from "./api.js";
import { formParams, go, route } from "./router.js";
import "./payments.js";
import "./queues.js";
import "./webhooks.js";
import "./events.js";
import "./channels.js";
import "./reports.js";
import "./keyin.js";

const TOKEN_KEY = "dolgo-console-token";

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

// ---- search forms -------------------------------------------------------------------------
for (const [selector, base] of [["#payment-search", "#/payments"], ["#order-search", "#/orders"], ["#webhook-search", "#/webhooks"],
  ["#delivery-search", "#/deliveries"], ["#event-search", "#/events"], ["#settlement-form", "#/reports"]]) {
  const form = $(selector);
  form.addEventListener("submit", (event) => { event.preventDefault(); go(`${base}?${query(formParams(form))}`); });
  form.addEventListener("reset", () => setTimeout(() => go(base), 0));
}

// ---- start --------------------------------------------------------------------------------
session.expired = signedOut;
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
