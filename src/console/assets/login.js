// Sign-in. Inside the Lark client the JSSDK gives a code without any page (no-login):
// tt.requestAccess (current), or tt.requestAuthCode (older clients). Anywhere else, or if the
// JSSDK fails, the browser goes to Lark's authorization page.
(() => {
  const d = document.body.dataset;
  const toLark = () => location.assign(d.authorize);
  const send = async (code) => {
    const res = await fetch("/console/auth/code", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code, state: d.state }), credentials: "same-origin", redirect: "follow" });
    if (res.redirected) return location.assign(res.url);
    if (res.ok) return location.assign("/console");
    document.getElementById("status").textContent = await res.text();
  };
  const inLark = /Lark|Feishu/i.test(navigator.userAgent) || window.tt;
  if (!inLark) return toLark();
  const start = () => {
    const tt = window.tt;
    if (!tt) return toLark();
    const ok = (r) => send(r.code);
    if (tt.requestAccess) tt.requestAccess({ appID: d.appId, scopeList: [], success: ok, fail: toLark });
    else if (tt.requestAuthCode) tt.requestAuthCode({ appId: d.appId, success: ok, fail: toLark });
    else toLark();
  };
  if (window.tt) return start();
  // The JSSDK at the address the open-platform's web-app guide gives (allowed by this page's
  // CSP); the code calls wait for h5sdk.ready. Unreachable (some networks block the CDN): Lark's page.
  const s = document.createElement("script");
  s.src = "https://lf1-cdn-tos.bytegoofy.com/goofy/lark/op/h5-js-sdk-1.5.23.js";
  s.onload = () => (window.h5sdk ? window.h5sdk.ready(start) : toLark());
  s.onerror = toLark;
  document.head.appendChild(s);
})();
