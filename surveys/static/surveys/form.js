/* The questionnaire's form: read the answers, show or hide each question and section by its condition
   (relevant.js, the same rules as the server). */
(function () {
  "use strict";
  function answers(form) {
    var found = {};
    form.querySelectorAll("input, textarea, select").forEach(function (input) {
      if (!input.name) return;
      if (input.type === "checkbox") {
        if (!found[input.name]) found[input.name] = [];
        if (input.checked) found[input.name].push(input.value);
      } else if (input.type === "radio") {
        if (input.checked) found[input.name] = input.value;
      } else if (input.value !== "") {
        found[input.name] = input.type === "number" ? Number(input.value) : input.value;
      }
    });
    return found;
  }
  function started(form, event) {
    // The interview form's start (the device's clock, as collected_at): the first answer given. Only the length
    // from start to collection is kept on the server. Events the scripts send to the form itself do not count.
    if (event.target === form) return;
    form.querySelectorAll("[data-started-at]").forEach(function (input) {
      if (!input.value) input.value = new Date().toISOString();
    });
  }
  function refresh(form) {
    var given = answers(form);
    form.querySelectorAll("[data-relevant]").forEach(function (node) {
      var shown = true;
      try { shown = window.DlxhRelevant.evaluate(node.getAttribute("data-relevant"), given); } catch (e) { shown = true; }
      node.hidden = !shown;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.survey-answers").forEach(function (form) {
      if (form.hasAttribute("data-preview")) {  // the staff's preview sends nothing
        form.addEventListener("submit", function (event) { event.preventDefault(); });
      }
      form.addEventListener("input", function (event) { started(form, event); refresh(form); });
      form.addEventListener("change", function (event) { started(form, event); refresh(form); });
      // A new interview after the offline module reset the form: its start is the next first answer.
      form.addEventListener("reset", function () {
        form.querySelectorAll("[data-started-at]").forEach(function (input) { input.value = ""; });
      });
      refresh(form);
    });
  });
})();
