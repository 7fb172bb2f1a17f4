/*
 * Network Compass workshop phones: keeps the running total of a 100-point allocation up to
 * date while the participant types (the server checks it again on submit). The page works
 * without this file. Loaded with `defer`; no inline script (CSP script-src 'self').
 */
(function () {
  "use strict";

  function update() {
    var total = document.getElementById("allocation-total");
    if (!total) {
      return;
    }
    var sum = 0;
    var inputs = document.querySelectorAll("input.allocation-input");
    for (var i = 0; i < inputs.length; i++) {
      var value = parseFloat((inputs[i].value || "0").replace(",", "."));
      if (!isNaN(value)) {
        sum += value;
      }
    }
    var text = String(Math.round(sum * 10) / 10);
    total.value = text;
    total.textContent = text;
    var target = parseFloat(total.getAttribute("data-target") || "100");
    var line = total.parentNode;
    if (line && line.classList) {
      line.classList.toggle("off", Math.abs(sum - target) > 0.5);
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.classList && event.target.classList.contains("allocation-input")) {
      update();
    }
  });
  document.addEventListener("htmx:afterSettle", update);
  window.addEventListener("pageshow", update);
})();
