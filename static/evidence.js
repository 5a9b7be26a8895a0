// The traveler's answer to a request for evidence (templates/traveler/_answer.html): keep
// "N of M items answered, K left" true as files are chosen and documents picked. An item
// is answered by a chosen file or a document on file. The words come from the page.
(function () {
  "use strict";
  function start() {
    var form = document.querySelector("form[data-answer-form]");
    var progress = document.getElementById("answer-progress");
    if (!form || !progress) { return; }
    var template = progress.getAttribute("data-template");
    var items = form.querySelectorAll("[data-answer-item]");
    function update() {
      var answered = 0;
      for (var i = 0; i < items.length; i++) {
        var file = items[i].querySelector("input[type=file]");
        var select = items[i].querySelector("select");
        if ((file && file.files && file.files.length) || (select && select.value)) {
          answered += 1;
        }
      }
      var strong = document.createElement("strong");
      strong.textContent = template.replace("{answered}", String(answered))
        .replace("{total}", String(items.length))
        .replace("{left}", String(items.length - answered));
      progress.replaceChildren(strong);
    }
    form.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
