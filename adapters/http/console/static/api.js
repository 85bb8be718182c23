// The admin API: bearer-token requests, problem+json errors in Korean, idempotent submissions.
import { PROBLEM } from "./labels.js";
import { $ } from "./dom.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.field = body && body.field;
    this.rule = body && body.rule;
  }
}
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
export async function api(method, path, body, { idempotencyKey, token } = {}) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${token || session.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    if (res.status === 401 && !token) session.expired("세션이 만료되었습니다. 다시 로그인해 주세요. (401)");
    throw new ApiError(res.status, data);
  }
  return data;
}
export function problemText(err) {
  if (!(err instanceof ApiError)) return `요청을 보내지 못했습니다: ${err.message}`;
  const field = err.field ? ` [${err.field}]` : "";
  const meaning = PROBLEM[err.code] ? `${PROBLEM[err.code]}: ` : "";
  return `${meaning}${err.message}${field} (${err.status}${err.code ? ` ${err.code}` : ""})`;
}
// A POST that changes money carries an Idempotency-Key; a retry of the same submission (the
// answer was lost) reuses it, so the action is never done twice.
export async function submitOnce(form, method, path, body) {
  form.dataset.idem = form.dataset.idem || newKey();
  const button = $("button[type=submit]", form);
  button.disabled = true;
  try {
    const out = await api(method, path, body, { idempotencyKey: form.dataset.idem });
    delete form.dataset.idem;
    return out;
  } catch (err) {
    if (err instanceof ApiError) delete form.dataset.idem;
    throw err;
  } finally {
    button.disabled = false;
  }
}
export const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined) q.set(k, v);
  return q.toString();
};
// <input type=date> values are days in Asia/Seoul.
export const seoulDayStart = (d) => (d ? new Date(`${d}T00:00:00+09:00`).toISOString() : "");
export const seoulDayEnd = (d) => (d ? new Date(new Date(`${d}T00:00:00+09:00`).getTime() + 86400000 - 1000).toISOString() : "");
export const seoulLocal = (v) => (v ? new Date(`${v}:00+09:00`).toISOString() : "");

// The signed-in operator; `expired` is set by console.js (back to the login form).
export const session = { token: null, operator: null, expired: () => {} };
