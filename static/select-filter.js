// A long single-choice list made searchable (the profile's citizenship): a search box
// before each select marked data-filterable narrows its options to those containing what
// is typed. Without JavaScript the select still works (typing its first letters jumps to
// a country). The box's label comes from the page (data-filter-label).
(function () {
  "use strict";
  function enhance(select) {
    var id = select.id + "-filter";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.className = "filter-label";
    label.textContent = select.getAttribute("data-filter-label");
    var box = document.createElement("input");
    box.type = "search";
    box.id = id;
    box.autocomplete = "off";
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var wanted = box.value.trim().toLowerCase();
      var first = null;
      for (var i = 0; i < select.options.length; i++) {
        var option = select.options[i];
        var keep = !option.value || option.text.toLowerCase().indexOf(wanted) !== -1;
        option.hidden = !keep;
        if (keep && option.value && first === null) { first = option; }
      }
      if (wanted && first && select.selectedOptions.length &&
          select.selectedOptions[0].hidden) { first.selected = true; }
    });
  }
  function start() {
    var selects = document.querySelectorAll("select[data-filterable]");
    for (var i = 0; i < selects.length; i++) { enhance(selects[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
