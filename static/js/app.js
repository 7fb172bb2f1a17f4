/*
 * Network Compass: small progressive enhancements. Every page works without this file.
 *
 * Loaded with `defer` from base.html (the CSP is script-src 'self': no inline scripts and
 * no hx-on:* attributes anywhere). It does two things:
 *  1. sends the CSRF token from <meta name="csrf-token"> as the X-CSRF-Token header on
 *     every htmx request (forms also carry it as a hidden field for the no-JS path);
 *  2. keeps each <output for="ID"> showing the current value of its range slider, also
 *     for sliders that htmx swaps in later (event delegation on the document).
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  // 1. CSRF header on every htmx request.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token && event.detail && event.detail.headers) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // 2. Range slider outputs.
  function outputsFor(input) {
    if (!input.id) {
      return [];
    }
    var found = [];
    var outputs = document.getElementsByTagName("output");
    for (var i = 0; i < outputs.length; i++) {
      var forIds = (outputs[i].getAttribute("for") || "").split(/\s+/);
      if (forIds.indexOf(input.id) !== -1) {
        found.push(outputs[i]);
      }
    }
    return found;
  }

  function formatValue(input) {
    // data-suffix lets a template print units, e.g. data-suffix="%".
    return input.value + (input.getAttribute("data-suffix") || "");
  }

  function syncOutput(input) {
    var text = formatValue(input);
    outputsFor(input).forEach(function (output) {
      output.value = text;
      output.textContent = text;
    });
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches('input[type="range"]')) {
      syncOutput(target);
    }
  });

  function syncAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var sliders = scope.querySelectorAll('input[type="range"]');
    for (var i = 0; i < sliders.length; i++) {
      syncOutput(sliders[i]);
    }
  }

  // Browsers restore form values on back/forward navigation: re-sync then too.
  window.addEventListener("pageshow", function () {
    syncAll(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    syncAll(event.target);
  });
})();
