/* The layout on a small screen (app.css folds the top bar below 700 px).
   - The top bar's menu button opens and closes the menu; Escape closes it and gives the focus back.
     Without JavaScript the bar stays unfolded.
   - A table wider than its frame scrolls inside the frame; the frame is made focusable so it can be
     scrolled from the keyboard too (WCAG 2.1.1), and only while it does scroll. */
(function () {
  "use strict";

  function setupMenu(toggle) {
    var bar = toggle.closest(".topbar");
    function show(open) {
      bar.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () { show(!bar.classList.contains("menu-open")); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("menu-open")) { show(false); toggle.focus(); }
    });
  }

  function markScrollingFrames() {
    document.querySelectorAll(".table-wrap, main table").forEach(function (frame) {
      var scrolls = frame.scrollWidth > frame.clientWidth + 1 && getComputedStyle(frame).overflowX !== "visible";
      if (scrolls && !frame.hasAttribute("tabindex")) {
        frame.setAttribute("tabindex", "0");
        frame.dataset.scrollFrame = "";
      } else if (!scrolls && frame.dataset.scrollFrame !== undefined) {
        frame.removeAttribute("tabindex");
        delete frame.dataset.scrollFrame;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".topbar .menu-toggle");
    if (toggle) setupMenu(toggle);
    markScrollingFrames();
    var pending;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(markScrollingFrames, 150);
    });
    // Lists that htmx swaps in (filters, duplicates) get the same treatment.
    document.body.addEventListener("htmx:afterSettle", markScrollingFrames);
  });
})();
