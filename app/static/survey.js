/* ParSurvey respondent form: live progress bar and a guard against double submission.
   The form works without this file; the server is the judge of both. */
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

  form.addEventListener("change", update);
  form.addEventListener("input", function (e) { if (e.target.tagName === "TEXTAREA") { update(); } });
  form.addEventListener("submit", function (e) {
    // A second click while the first POST is on its way would only reach the thank-you page.
    if (form.dataset.sent === "1") { e.preventDefault(); return; }
    form.dataset.sent = "1";
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
