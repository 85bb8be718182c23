// Key-in (비인증) payment: a card read out by phone, charged once. The card fields are emptied
// as soon as the request is answered; nothing else on the page ever holds them.
import { PAYMENT_STATUS } from "./labels.js";
import { $, badge, el, link, won } from "./dom.js";
import { submitOnce } from "./api.js";
import { formParams, onSubmit, register } from "./router.js";

const CARD_FIELDS = ["card_number", "expiry", "birth", "pwd_2digit"];
const NUMBERS = ["user_seq", "amount", "tax_free", "content_type_code", "content_seq", "card_quota"];
const OUTCOME = { paid: "결제되었습니다.", failed: "카드사가 거절했습니다.", unknown: "결과를 아직 모릅니다. 자동 확인이 이어집니다." };

onSubmit("#key-in-form", async (form) => {
  const body = formParams(form);
  for (const name of NUMBERS) if (body[name] !== undefined) body[name] = Number(body[name]);
  let out;
  try {
    out = await submitOnce(form, "POST", "/api/admin/key-in-payments", body);
  } finally {
    for (const name of CARD_FIELDS) form.elements[name].value = "";
  }
  form.reset();
  const p = out.payment;
  $("#key-in-result").replaceChildren(el("p", { class: `check ${out.state === "paid" ? "ok" : "bad"}`, testid: "ki-outcome" },
    `${won(p.amount)} ${OUTCOME[out.state] || out.state} `, out.fail_reason ? `(${out.fail_reason}) ` : "",
    badge(PAYMENT_STATUS, p.status), " ", link(`#/payment/${p.id}`, `결제 #${p.id} 보기`, "ki-payment")));
});

register("key-in", () => {});
