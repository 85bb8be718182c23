/* iamport.js stand-in served by the dolgo-pay iamport sandbox.
 * Same surface as https://cdn.iamport.kr/v1/iamport.js: IMP.init(code), IMP.agency(code, tier),
 * IMP.request_pay(params, callback). The PG window is an in-page overlay with an iframe
 * (#imp-sandbox-overlay > iframe#imp-sandbox-frame). */
(function (global) {
  "use strict";
  var configured = /*BASE_URL*/ null;
  var script = document.currentScript;
  var BASE = configured || (script && script.src ? script.src.replace(/\/js\/iamport\.js(\?.*)?$/, "") : "");
  var state = { code: null, tier: null };

  function deliver(result, callback) {
    if (result.redirect_url) {
      global.location.href = result.redirect_url;
      return;
    }
    if (typeof callback === "function") {
      callback(result.rsp);
    }
  }

  function openOverlay(opened, callback) {
    var overlay = document.createElement("div");
    overlay.id = "imp-sandbox-overlay";
    overlay.setAttribute("data-testid", "imp-sandbox-overlay");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.45);" +
      "display:flex;align-items:center;justify-content:center;";
    var frame = document.createElement("iframe");
    frame.id = "imp-sandbox-frame";
    frame.name = "imp-sandbox-frame";
    frame.title = "결제창 (iamport sandbox)";
    frame.setAttribute("data-testid", "imp-sandbox-frame");
    frame.style.cssText = "width:420px;max-width:96vw;height:560px;max-height:92vh;border:0;border-radius:12px;background:#fff;";
    frame.src = opened.window_url;
    overlay.appendChild(frame);
    document.body.appendChild(overlay);

    function onMessage(event) {
      var data = event.data;
      if (!data || data.type !== "iamport-sandbox:result" || data.window_id !== opened.window_id) {
        return;
      }
      global.removeEventListener("message", onMessage);
      if (overlay.parentNode) {
        overlay.parentNode.removeChild(overlay);
      }
      deliver(data, callback);
    }
    global.addEventListener("message", onMessage);
  }

  var IMP = {
    init: function (code) {
      state.code = code;
    },
    agency: function (code, tier) {
      state.code = code;
      state.tier = tier;
    },
    request_pay: function (params, callback) {
      params = params || {};
      if (!state.code) {
        var rsp = { success: false, imp_uid: null, merchant_uid: params.merchant_uid || null,
                    error_code: "F0000", error_msg: "IMP.init()으로 가맹점 식별코드를 먼저 설정해주세요." };
        if (typeof callback === "function") { callback(rsp); }
        return;
      }
      fetch(BASE + "/window/open", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({
          merchant_code: state.code,
          tier_code: state.tier,
          has_callback: typeof callback === "function",
          params: params
        })
      })
        .then(function (response) { return response.json(); })
        .then(function (opened) {
          if (opened.window_url) {
            openOverlay(opened, callback);
          } else {
            deliver(opened, callback);
          }
        })
        .catch(function (error) {
          if (typeof callback === "function") {
            callback({ success: false, imp_uid: null, merchant_uid: params.merchant_uid || null,
                       error_code: "F0001", error_msg: "결제창을 열지 못했습니다: " + error });
          }
        });
    }
  };
  global.IMP = IMP;
})(window);
