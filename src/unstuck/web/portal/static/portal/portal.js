// Client questionnaire pages. A static file (no inline script, for a strict CSP).
// 1. Answers chosen on a page are kept in this tab's sessionStorage until the page is sent,
//    so a reload or a dropped connection does not lose them (answers sent are kept on the
//    server). Kiosk tablets use nothing of it: their storage is cleared on the start page.
// 2. On a kiosk, a page left alone for 5 minutes returns to the start, forgetting the client.
(function () {
  "use strict";
  var kiosk = document.body.hasAttribute("data-kiosk");
  var form = document.querySelector("form[data-draft]");
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  if (form && store && !kiosk) {
    var key = "unstuck-draft:" + form.getAttribute("data-draft");
    var saved = {};
    try { saved = JSON.parse(store.getItem(key) || "{}"); } catch (e) { saved = {}; }
    Object.keys(saved).forEach(function (name) {
      var input = form.querySelector('input[name="' + name + '"][value="' + saved[name] + '"]');
      if (input && !form.querySelector('input[name="' + name + '"]:checked')) { input.checked = true; }
    });
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t && t.type === "radio") { saved[t.name] = t.value; store.setItem(key, JSON.stringify(saved)); }
    });
    form.addEventListener("submit", function () { store.removeItem(key); });
  }
  if (kiosk) {
    if (store) { store.clear(); }
    if (!document.getElementById("code")) {
      var timer = null;
      var reset = function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { window.location.assign(document.body.getAttribute("data-kiosk")); }, 5 * 60 * 1000);
      };
      ["click", "keydown", "touchstart", "change"].forEach(function (e) { document.addEventListener(e, reset); });
      reset();
    }
  }
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
