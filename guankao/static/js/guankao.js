/* Shared page behaviour, loaded on every page (no inline script: the pages run under a
   Content-Security-Policy without 'unsafe-inline').

   - A refused form's error summary takes the focus on load, so the reader (and a screen
     reader) lands on what went wrong, and the page scrolls to it whatever its length.
   - A link in the summary moves the focus to its field and shows the field's label. */
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "start" });
  }

  function labelFor(input) {
    var holder = input.closest("fieldset") || input.closest("div, p");
    return (input.id && document.querySelector('label[for="' + input.id + '"]')) || holder;
  }

  function followSummaryLink(event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) {
      return;
    }
    event.preventDefault();
    var details = input.closest("details");
    if (details) {
      details.open = true;
    }
    (labelFor(input) || input).scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  }

  document.addEventListener("click", followSummaryLink);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
  // Scrolling to the form's #anchor after loading resets the focus: take it back then,
  // unless the reader has already moved it.
  window.addEventListener("load", function () {
    if (!document.activeElement || document.activeElement === document.body) {
      focusSummary();
    }
  });
})();

/* A table wider than the phone scrolls inside its own box (guankao.css); such a box must be
   reachable by keyboard, so it joins the tab order while, and only while, it scrolls. */
(function () {
  "use strict";

  function markScrollingTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markScrollingTables);
  } else {
    markScrollingTables();
  }
  window.addEventListener("resize", markScrollingTables);
})();
