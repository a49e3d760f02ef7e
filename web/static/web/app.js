/* A little plain JavaScript: the notification bell, keyboard shortcuts, small form helpers.
   Every text shown here comes from the page (data-* attributes), so it is translated there. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // htmx requests carry the CSRF token like forms do.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // --- notification bell -------------------------------------------------------
  // The panel is rendered by the server (web/notifications/_bell_panel.html): groups, mark all read, the page.
  function setupBell(bell) {
    var button = bell.querySelector("button");
    var count = bell.querySelector(".count");
    var panel = bell.querySelector(".bell-panel");

    function showCount(n) {
      count.textContent = n > 99 ? "99+" : String(n);
      count.hidden = !n;  // the button's name is "Thông báo" and this number (WCAG 2.5.3: the visible text is in the name)
    }

    function refreshCount() {
      fetch(bell.dataset.countUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) showCount(data.unread); })
        .catch(function () {});
    }

    button.addEventListener("click", function () {
      var opening = panel.hidden;
      panel.hidden = !opening;
      button.setAttribute("aria-expanded", String(opening));
      if (!opening) return;
      var here = window.location.pathname + window.location.search;
      fetch(bell.dataset.panelUrl + "?next=" + encodeURIComponent(here), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) {
          panel.innerHTML = html;  // our own server's template, escaped there
          var list = panel.querySelector("ul[data-unread]");
          if (list) showCount(Number(list.dataset.unread));
        })
        .catch(function () { panel.textContent = bell.dataset.error; });
    });
    document.addEventListener("click", function (event) {
      if (!bell.contains(event.target)) { panel.hidden = true; button.setAttribute("aria-expanded", "false"); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") panel.hidden = true;
    });
    refreshCount();
    setInterval(refreshCount, 60000);
  }

  // Opening a notification row (bell or page) marks its group read first, then follows the link.
  document.addEventListener("click", function (event) {
    var a = event.target.closest ? event.target.closest("a[data-mark-read]") : null;
    if (!a || !a.closest("li.unread") || event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
    event.preventDefault();
    var body = new URLSearchParams({ kind: a.dataset.kind, unit: a.dataset.unit, day: a.dataset.day });
    fetch(a.dataset.markRead, {
      method: "POST", credentials: "same-origin", redirect: "manual", body: body,
      headers: { "X-CSRFToken": csrfToken() }
    }).catch(function () {}).finally(function () { window.location = a.href; });
  });

  // --- intake helpers ------------------------------------------------------------
  function setupAnonymous(box) {
    var fields = document.getElementById(box.dataset.toggles);
    function sync() {
      fields.hidden = box.checked;
      fields.querySelectorAll("input").forEach(function (input) { input.disabled = box.checked; });
    }
    box.addEventListener("change", sync);
    sync();
  }

  // "Gộp vào": the suggestion's button fills the hidden field; "Bỏ chọn" empties it.
  document.addEventListener("click", function (event) {
    var choose = event.target.closest("[data-merge-into]");
    if (!choose) return;
    event.preventDefault();
    var field = document.getElementById("id_merge_into");
    var note = document.getElementById("merge-note");
    var code = choose.dataset.mergeInto;
    field.value = code;
    document.querySelectorAll(".dup-list li").forEach(function (li) {
      li.classList.toggle("chosen", li.dataset.code === code && code !== "");
    });
    if (note) {
      note.hidden = !code;
      note.querySelector("strong").textContent = code;
    }
  });

  // A button that fills a field with a value (merge suggestions on the case page); no inline script (CSP).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-target]");
    if (!button) return;
    var field = document.getElementById(button.dataset.fillTarget);
    if (field) field.value = button.dataset.fillValue;
  });

  // Ctrl+Enter (or Cmd+Enter) submits the form being typed in.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.form || (event.target.closest && event.target.closest("form"));
      if (form) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.querySelector(".bell");
    if (bell) setupBell(bell);
    document.querySelectorAll("[data-toggles]").forEach(setupAnonymous);
    // The chosen files, listed by name (the browser's own file button speaks its own language).
    document.querySelectorAll("input[type=file][data-file-list]").forEach(function (input) {
      var list = document.getElementById(input.dataset.fileList);
      input.addEventListener("change", function () {
        list.textContent = "";
        if (!input.files.length) {
          var none = document.createElement("li"); none.className = "muted"; none.textContent = list.dataset.none; list.appendChild(none);
        }
        Array.prototype.forEach.call(input.files, function (file) {
          var li = document.createElement("li"); li.textContent = file.name + " (" + Math.ceil(file.size / 1024) + " KB)"; list.appendChild(li);
        });
      });
    });
    // Characters typed against a text's limit ("1234 / 10000"), marked once over it; the server refuses a longer one.
    document.querySelectorAll("textarea[data-max-chars]").forEach(function (area) {
      var max = parseInt(area.dataset.maxChars, 10);
      var counter = document.createElement("div");
      counter.className = "help char-count";
      area.insertAdjacentElement("afterend", counter);
      function count() {
        var length = Array.from(area.value).length;  // characters, as the server counts them
        counter.textContent = length + " / " + max;
        counter.classList.toggle("over", length > max);
      }
      area.addEventListener("input", count);
      count();
    });
    // A block shown only while a select has one value (e.g. custom dates for the "custom" period).
    document.querySelectorAll("[data-shown-by]").forEach(function (block) {
      var select = document.getElementById(block.dataset.shownBy);
      if (!select) return;
      select.addEventListener("change", function () {
        block.style.display = select.value === block.dataset.shownValue ? "" : "none";
      });
    });
    // The language switch submits when changed.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // The case sheet: the print stylesheet (app.css, @media print) keeps the case and its history.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
