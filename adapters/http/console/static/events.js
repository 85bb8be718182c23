// Outgoing events: deliveries (dead letters too), the outbox, one event's attempts, resend.
import { DELIVERY, ENTITY, EVENT_TYPES } from "./labels.js";
import { $, badge, byWhom, el, empty, facts, link, table, toast, when } from "./dom.js";
import { api, query } from "./api.js";
import { PAGE, actionButton, fillForm, pager, register, route } from "./router.js";

// Resend: the same webhook-id, a fresh retry schedule; to one endpoint, or to every one not pending.
const resendButton = (eventId, endpoint) => actionButton(endpoint ? "다시 보내기" : "모든 수신처에 다시 보내기", "resend", async () => {
  await api("POST", `/api/admin/events/${encodeURIComponent(eventId)}/resend`, endpoint ? { endpoint } : {});
  await route();
  toast(`이벤트를 ${endpoint || "모든 수신처"}에 다시 보냅니다. (${eventId})`);
});
export function deliveryTable(items, testid) {
  return table([
    ["이벤트", (d) => link(`#/event/${d.event_id}`, d.event_id, "event-link")], ["수신처", (d) => d.endpoint],
    ["상태", (d) => badge(DELIVERY, d.state)], ["시도", (d) => `${d.attempts}회`],
    ["마지막 응답", (d) => (d.last_status ? `HTTP ${d.last_status}` : d.last_attempt_at ? "응답 없음" : "")],
    ["오류", (d) => d.last_error || ""], ["마지막 시도", (d) => when(d.last_attempt_at)],
    ["다음 시도", (d) => when(d.next_attempt_at)], ["다시 보냄", (d) => byWhom(d.resent_by, d.resent_at)],
    ["조치", (d) => (d.state === "pending" ? "" : resendButton(d.event_id, d.endpoint))],
  ], items, { testid, rowTestid: (d) => `delivery-row-${d.id}` });
}
async function showDeliveries(_id, params) {
  fillForm($("#delivery-search"), params);
  const q = query({ state: params.get("state"), endpoint: params.get("endpoint"), limit: PAGE, offset: params.get("offset") || 0 });
  const found = await api("GET", `/api/admin/event-deliveries?${q}`);
  $("#delivery-results").replaceChildren(deliveryTable(found.items, "delivery-table"), pager(params, found.items.length, "#/deliveries"));
}
const entityLink = (e) => (["payment", "order"].includes(e.entity)
  ? link(`#/${e.entity}/${e.entity_id}`, `${ENTITY[e.entity]} #${e.entity_id}`) : `${ENTITY[e.entity] || e.entity} #${e.entity_id}`);
async function showEvents(_id, params) {
  const type = $("[data-testid=ev-type]");
  if (!type.options.length) type.replaceChildren(el("option", { value: "" }, "전체"), ...EVENT_TYPES.map((t) => el("option", { value: t }, t)));
  fillForm($("#event-search"), params);
  const found = await api("GET", `/api/admin/events?${query({ type: params.get("type"), limit: PAGE, offset: params.get("offset") || 0 })}`);
  $("#event-results").replaceChildren(table([
    ["이벤트", (e) => link(`#/event/${e.id}`, e.id, "event-link")], ["종류", (e) => e.type], ["대상", entityLink],
    ["일어난 시각", (e) => when(e.occurred_at)], ["전달", (e) => (e.dispatched ? "수신처별 전달 있음" : "아직 나누지 않음")],
  ], found.items, { testid: "event-table" }), pager(params, found.items.length, "#/events"));
}
async function showEvent(id) {
  const d = await api("GET", `/api/admin/events/${encodeURIComponent(id)}`);
  const e = d.event;
  $("#event-detail").replaceChildren(
    el("h2", {}, `이벤트 ${e.type}`),
    facts([["webhook-id", el("span", { class: "mono" }, e.id)], ["대상", entityLink(e)], ["버전", String(e.version)],
      ["일어난 시각", when(e.occurred_at)]]),
    el("details", {}, el("summary", {}, "보낸 본문"), el("pre", { class: "mono", testid: "event-body" }, JSON.stringify(d.body, null, 2))),
    d.deliveries.length ? el("p", {}, resendButton(e.id, null)) : null,
    ...(d.deliveries.length ? d.deliveries.map((log) => el("div", { testid: `event-delivery-${log.delivery.endpoint}` },
      el("h3", {}, `${log.delivery.endpoint} `, badge(DELIVERY, log.delivery.state),
        log.delivery.state === "pending" ? null : resendButton(e.id, log.delivery.endpoint)),
      facts([["다시 보냄", byWhom(log.delivery.resent_by, log.delivery.resent_at), "resent-by"],
        ["다음 시도", when(log.delivery.next_attempt_at)], ["전달 완료", when(log.delivery.delivered_at)]]),
      table([["시도", (a) => `${a.attempt}번째`], ["시각", (a) => when(a.at)],
        ["응답", (a) => (a.status_code ? `HTTP ${a.status_code}` : "응답 없음")], ["오류", (a) => a.error || ""],
        ["걸린 시간", (a) => `${a.duration_ms}ms`]], log.attempts, { testid: "attempt-table" })))
      : [empty("아직 수신처별 전달이 없습니다 (수신처가 설정되지 않았거나 전달 작업 전).")]));
}

register("deliveries", showDeliveries, "events");
register("events", showEvents);
register("event", showEvent, "events");
