/* ParSurvey respondent form: live progress bar, drafts that save themselves, a warning before leaving
   with unsaved answers, and a guard against double submission.
   The form works without this file ("Lưu tạm" saves); the server is the judge of all. */
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) { return; }
  var bar = document.getElementById("survey-progress");
  var text = document.getElementById("survey-progress-text");
  var questions = form.querySelectorAll("[data-question]");

  function answered(q) {
    if (q.querySelector("input[type=radio]:checked")) { return true; }
    var area = q.querySelector("textarea");
    return !!(area && area.value.trim());
  }

  function update() {
    var n = 0;
    for (var i = 0; i < questions.length; i++) { if (answered(questions[i])) { n++; } }
    if (bar) { bar.value = n; }
    if (text && text.dataset.template) {
      text.textContent = text.dataset.template.replace("{n}", n).replace("{total}", questions.length);
    }
  }

  // ---- Drafts save themselves (the "Lưu tạm" button does the same without this script). ----
  var status = document.getElementById("autosave-status");
  var position = form.querySelector("input[name=position]");
  var autosave = form.hasAttribute("data-autosave") && window.fetch && window.FormData;
  var dirty = false, timer = null, inflight = false;

  function say(text) {
    if (status) { status.hidden = false; status.textContent = text; }
  }

  function remember(e) {
    var q = e.target.closest ? e.target.closest("[data-question]") : null;
    if (q && position) { position.value = q.id; }
  }

  function save() {
    timer = null;
    if (!dirty || inflight || form.dataset.sent === "1") { return; }
    inflight = true;
    dirty = false;
    var data = new FormData(form);
    data.set("action", "autosave");
    // form.action would be the buttons named "action": read the attribute.
    fetch(form.getAttribute("action") || window.location.pathname, { method: "POST", body: data, credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.json().then(function (body) { return resp.ok && body.saved ? body : null; }); })
      .then(function (body) {
        if (body) { say(status.dataset.saved.replace("{at}", body.at)); }
        else { dirty = true; say(status.dataset.failed); }
      })
      .catch(function () { dirty = true; if (status) { say(status.dataset.failed); } })
      .then(function () { inflight = false; if (dirty && !timer) { timer = window.setTimeout(save, 3000); } });
  }

  function changed(e) {
    remember(e);
    dirty = true;
    if (autosave) {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(save, 1500);
    }
  }

  form.addEventListener("change", function (e) { update(); changed(e); });
  form.addEventListener("input", function (e) { if (e.target.tagName === "TEXTAREA") { update(); changed(e); } });
  form.addEventListener("focusin", remember);
  window.addEventListener("beforeunload", function (e) {
    // Leaving with answers not yet saved: the browser asks first (its own wording).
    if (!dirty || form.dataset.sent === "1") { return; }
    e.preventDefault();
    e.returnValue = status ? status.dataset.leave : "";
    return e.returnValue;
  });
  form.addEventListener("submit", function (e) {
    // A second click while the first POST is on its way would only reach the thank-you page.
    if (form.dataset.sent === "1") { e.preventDefault(); return; }
    form.dataset.sent = "1";
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
