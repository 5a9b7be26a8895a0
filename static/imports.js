// Live progress of an employee import: polls the JSON progress endpoint named by the
// page and updates the <progress> bar, its text and the counts. Without JavaScript the
// page offers a refresh link instead (no inline script: the CSP allows 'self' only).
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-progress-url");
  var bar = document.getElementById("import-bar");
  var status = document.getElementById("import-status");

  function text(template, data) {
    return template.replace("{processed}", data.processed_rows)
      .replace("{total}", data.total_rows).replace("{percent}", data.percent);
  }

  function show(data) {
    bar.max = data.total_rows || 1;
    bar.value = data.processed_rows;
    bar.textContent = data.percent + "%";
    document.getElementById("count-accepted").textContent = data.accepted_rows;
    document.getElementById("count-duplicates").textContent = data.duplicate_rows;
    document.getElementById("count-rejected").textContent = data.rejected_rows;
    if (data.state === "failed") {
      status.textContent = status.getAttribute("data-failed") + " " + (data.error || "");
    } else if (data.state === "finished") {
      status.textContent = text(status.getAttribute("data-finished"), data);
    } else {
      status.textContent = text(status.getAttribute("data-running"), data);
    }
    document.getElementById("import-refresh").hidden = data.done;
    document.getElementById("import-report").hidden = !(data.done && data.rejected_rows > 0);
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) { show(data); }
        if (!data || !data.done) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
}());
