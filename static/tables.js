// A table wider than the screen scrolls inside its own box (portal.css); give such a table a
// place in the tab order so keyboard users can scroll it too, and take it away again when
// the table fits (no inline script: the CSP allows 'self' only).
(function () {
  "use strict";
  function update() {
    var tables = document.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    }
  }
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
}());
