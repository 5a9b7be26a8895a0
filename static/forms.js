// One error pattern on every page: the error summary (templates/macros/forms.html) gets the
// focus when the page loads, so a screen reader announces it and the keyboard starts there;
// each of its links moves the focus to its field, not just the scroll position.
// A static file: the CSP allows scripts from 'self' only.
(function () {
  "use strict";
  function focusTarget(link) {
    var id = decodeURIComponent(link.hash.slice(1));
    var target = document.getElementById(id);
    if (!target) { return false; }
    // A group (fieldset, list of radios): its first input takes the focus.
    if (!/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) {
      target = target.querySelector("input, select, textarea") || target;
    }
    target.focus();
    return true;
  }
  function start() {
    var summary = document.querySelector("main .error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link && focusTarget(link)) { event.preventDefault(); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
