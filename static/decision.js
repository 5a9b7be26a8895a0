// The officer's decision form (templates/officer/_decide.html), enhanced: choosing an
// outcome shows that outcome's fields at once (without JavaScript the "Continue" button
// brings the page back with them), and a changed "Valid until" says how far it lies from
// the period the traveler asked for. The words come from the page (data-* attributes).
(function () {
  "use strict";
  var DAY = 86400000;
  function parse(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : null;
  }
  function start() {
    var form = document.querySelector("form[data-decision-form]");
    if (!form) { return; }
    var choose = form.querySelector("[data-choose]");
    if (choose) { choose.hidden = true; choose.disabled = true; }
    var radios = form.querySelectorAll("input[name=outcome]");
    function show() {
      var checked = form.querySelector("input[name=outcome]:checked");
      var value = checked ? checked.value : "";
      var parts = form.querySelectorAll("[data-outcome]");
      for (var i = 0; i < parts.length; i++) {
        parts[i].hidden = parts[i].getAttribute("data-outcome") !== value;
      }
      var common = form.querySelector("[data-outcome-any]");
      if (common) { common.hidden = !value; }
    }
    for (var i = 0; i < radios.length; i++) { radios[i].addEventListener("change", show); }
    show();

    var until = form.querySelector("input[name=valid_until]");
    var note = document.getElementById("valid_until-difference");
    if (until && note) {
      var requested = parse(note.getAttribute("data-requested"));
      until.addEventListener("change", function () {
        var chosen = parse(until.value);
        if (chosen === null || requested === null) { note.textContent = ""; return; }
        var days = Math.round((chosen - requested) / DAY);
        var words = days === 0 ? note.getAttribute("data-same")
          : note.getAttribute(days > 0 ? "data-later" : "data-earlier");
        note.textContent = words.replace("{days}", String(Math.abs(days)));
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
