/*
 * Network Compass: the priorities page's weight tools (progressive enhancement).
 *
 * The page works without this file: every tool's form carries the unsaved draft (hidden
 * w_<key> fields, "draft" and "history"; see app/views/priorities.py) and the ranked list
 * has up and down buttons that post. This script:
 *  1. keeps the hidden draft fields of every tool in step with the sliders and the method,
 *     and records each committed slider move in "history" (so "Undo last change" undoes it);
 *  2. turns the ranked list into drag and drop (pointer events: mouse, pen and touch on the
 *     handle) and keyboard moves (Space picks a row up, the arrows move it, Space drops it,
 *     Escape cancels; Alt+arrow moves at once), the up and down buttons moving rows in
 *     place; the rank-order centroid points of each position follow, and an aria-live
 *     region says where the row went;
 *  3. reads the chosen AHP answer back in words under each pair.
 * No inline scripts or styles (the CSP is script-src 'self'; style-src 'self').
 */
(function () {
  "use strict";

  var HISTORY_MAX = 20;
  var moving = false; // set while this script moves a row: the blur that causes is no drop

  function all(scope, selector) {
    return Array.prototype.slice.call(scope.querySelectorAll(selector));
  }

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function text(name) {
    var holder = document.querySelector(".js-i18n");
    return holder ? holder.getAttribute("data-" + name) || "" : "";
  }

  // 1. The draft -------------------------------------------------------------------------

  function sliders() {
    return all(document, "#weights-form .weight-input");
  }

  function snapshot() {
    return sliders()
      .map(function (input) {
        return String(parseFloat(input.value));
      })
      .join(",");
  }

  function setAll(selector, value) {
    all(document, selector).forEach(function (field) {
      field.value = value;
    });
  }

  function markUnsaved() {
    var status = document.getElementById("draft-status");
    var words = text("unsaved");
    if (status && words) {
      status.textContent = words;
    }
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target || !target.classList || !target.classList.contains("weight-input")) {
      return;
    }
    setAll('.js-draft-w[data-for="' + target.id + '"]', target.value);
    markUnsaved();
  });

  // The 100-point and swing tools start from the sliders until their own fields are edited.
  function followSliders() {
    var values = sliders().map(function (input) {
      return { key: input.id.replace(/^w_/, ""), value: parseFloat(input.value) || 0 };
    });
    var total = values.reduce(function (sum, v) { return sum + v.value; }, 0) || 1;
    var top = Math.max.apply(null, values.map(function (v) { return v.value; })) || 1;
    var hundred = document.querySelector(".hundred-form");
    if (hundred && !hundred.hasAttribute("data-edited")) {
      // whole points summing to exactly 100 (largest remainders), as the server does
      var exact = values.map(function (v) { return (100 * v.value) / total; });
      var whole = exact.map(Math.floor);
      var order = exact
        .map(function (e, i) { return i; })
        .sort(function (a, b) { return (exact[b] - whole[b]) - (exact[a] - whole[a]) || a - b; });
      var left = 100 - whole.reduce(function (sum, v) { return sum + v; }, 0);
      for (var i = 0; i < left; i++) {
        whole[order[i]] += 1;
      }
      values.forEach(function (v, i) {
        var field = hundred.querySelector("#hundred_" + v.key);
        if (field) {
          field.value = String(whole[i]);
        }
      });
      showTotal(hundred);
    }
    var swing = document.querySelector(".swing-form");
    if (swing && !swing.hasAttribute("data-edited")) {
      values.forEach(function (v) {
        var field = swing.querySelector("#swing_" + v.key);
        if (field) {
          field.value = String(Math.round((100 * v.value) / top));
        }
      });
    }
  }

  document.addEventListener("input", function (event) {
    var form = event.target && event.target.closest ? event.target.closest(".hundred-form, .swing-form") : null;
    if (form) {
      form.setAttribute("data-edited", "");
    }
  });

  // The 100-point tool's running total.
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target || !target.classList || !target.classList.contains("js-hundred")) {
      return;
    }
    showTotal(target.form);
  });

  function showTotal(form) {
    var total = 0;
    all(form, ".js-hundred").forEach(function (input) {
      total += parseFloat(input.value) || 0;
    });
    total = Math.round(total * 10) / 10;
    var format = new Intl.NumberFormat(document.documentElement.lang || "en", {
      maximumFractionDigits: 1,
    });
    var out = document.getElementById("hundred-total");
    if (!out) {
      return;
    }
    if (Math.abs(total - 100) < 0.05) {
      out.textContent = text("hundred-done");
    } else if (total < 100) {
      out.textContent = fill(text("hundred-left"), {
        total: format.format(total),
        left: format.format(Math.round((100 - total) * 10) / 10),
      });
    } else {
      out.textContent = fill(text("hundred-over"), {
        total: format.format(total),
        over: format.format(Math.round((total - 100) * 10) / 10),
      });
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.classList) {
      return;
    }
    if (target.id === "method" && target.closest("#weights-form")) {
      setAll(".js-draft-method", target.value);
      return;
    }
    if (target.classList.contains("weight-input")) {
      commitDraft();
      return;
    }
    if (target.type === "radio" && target.closest(".ahp-pair")) {
      var reads = target.closest(".ahp-pair").querySelector(".js-ahp-reads");
      if (reads) {
        reads.textContent = target.getAttribute("data-sentence") || "";
      }
    }
  });

  function commitDraft() {
    var draftField = document.querySelector(".js-draft");
    if (!draftField) {
      return;
    }
    var before = draftField.value;
    var now = snapshot();
    if (before === now) {
      return;
    }
    var historyField = document.querySelector(".js-history");
    var entries = historyField && historyField.value ? historyField.value.split(";") : [];
    if (before && entries[entries.length - 1] !== before) {
      entries.push(before);
    }
    setAll(".js-history", entries.slice(-HISTORY_MAX).join(";"));
    setAll(".js-draft", now);
    followSliders();
    all(document, ".js-undo").forEach(function (button) {
      button.disabled = false;
    });
  }

  // 2. The ranked list -------------------------------------------------------------------

  function rocPoints(count) {
    var out = [];
    for (var k = 1; k <= count; k++) {
      var sum = 0;
      for (var i = k; i <= count; i++) {
        sum += 1 / i;
      }
      out.push(Math.round((sum / count) * 1000) / 10);
    }
    return out;
  }

  function rowsOf(list) {
    return all(list, ":scope > .roc-row");
  }

  function describe(row, template) {
    var rows = rowsOf(row.parentNode);
    return fill(template, {
      name: row.getAttribute("data-title") || "",
      position: rows.indexOf(row) + 1,
      count: rows.length,
    });
  }

  function announce(row, name) {
    var live = document.getElementById("roc-live");
    if (live) {
      live.textContent = describe(row, text(name));
    }
  }

  function refresh(list) {
    var rows = rowsOf(list);
    var points = rocPoints(rows.length);
    var format = new Intl.NumberFormat(document.documentElement.lang || "en", {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
    var template = text("row");
    rows.forEach(function (row, i) {
      row.querySelector(".roc-position").textContent = String(i + 1);
      row.querySelector(".js-roc-points").textContent = format.format(points[i]);
      row.querySelector(".js-move-up").disabled = i === 0;
      row.querySelector(".js-move-down").disabled = i === rows.length - 1;
      row.setAttribute("aria-label", describe(row, template));
    });
    var form = list.closest("form");
    var order = form ? form.querySelector(".js-roc-order") : null;
    if (order) {
      order.value = rows
        .map(function (row) {
          return row.getAttribute("data-key");
        })
        .join(",");
    }
  }

  function shift(row, step) {
    var list = row.parentNode;
    var rows = rowsOf(list);
    var to = rows.indexOf(row) + step;
    if (to < 0 || to >= rows.length) {
      return false;
    }
    var focused = document.activeElement;
    moving = true;
    if (step < 0) {
      list.insertBefore(row, rows[to]);
    } else {
      list.insertBefore(row, rows[to].nextSibling);
    }
    if (focused && focused !== document.activeElement && focused.focus) {
      focused.focus(); // moving a node in the DOM takes the focus away from it
    }
    moving = false;
    refresh(list);
    return true;
  }

  function moveTo(row, index) {
    var list = row.parentNode;
    var others = rowsOf(list).filter(function (r) {
      return r !== row;
    });
    moving = true;
    list.insertBefore(row, others[index] || null);
    row.focus();
    moving = false;
    refresh(list);
  }

  var grabbed = null; // {row, from}

  function drop(row, name) {
    row.classList.remove("is-grabbed");
    grabbed = null;
    announce(row, name);
  }

  function onKey(event) {
    var row = event.target;
    if (!row.classList || !row.classList.contains("roc-row")) {
      return;
    }
    var key = event.key;
    var isGrabbed = grabbed && grabbed.row === row;
    if (key === " " || key === "Spacebar" || key === "Enter") {
      event.preventDefault();
      if (isGrabbed) {
        drop(row, "dropped");
      } else {
        grabbed = { row: row, from: rowsOf(row.parentNode).indexOf(row) };
        row.classList.add("is-grabbed");
        announce(row, "picked");
      }
      return;
    }
    if (key === "Escape" && isGrabbed) {
      event.preventDefault();
      moveTo(row, grabbed.from);
      row.focus();
      drop(row, "cancelled");
      return;
    }
    if (key !== "ArrowUp" && key !== "ArrowDown") {
      return;
    }
    event.preventDefault();
    var step = key === "ArrowUp" ? -1 : 1;
    if (isGrabbed || event.altKey) {
      if (shift(row, step)) {
        row.focus();
        announce(row, "moved");
      }
      return;
    }
    var rows = rowsOf(row.parentNode);
    var next = rows[rows.indexOf(row) + step];
    if (next) {
      next.focus();
    }
  }

  document.addEventListener("keydown", onKey);

  document.addEventListener(
    "blur",
    function (event) {
      if (!moving && grabbed && event.target === grabbed.row) {
        drop(grabbed.row, "dropped");
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest(".js-move-up, .js-move-down") : null;
    if (!button || !button.closest(".roc-list")) {
      return;
    }
    event.preventDefault();
    var row = button.closest(".roc-row");
    var up = button.classList.contains("js-move-up");
    if (shift(row, up ? -1 : 1)) {
      announce(row, "moved");
      var again = row.querySelector(up ? ".js-move-up" : ".js-move-down");
      (again.disabled ? row.querySelector(up ? ".js-move-down" : ".js-move-up") : again).focus();
    }
  });

  // Drag by the handle with pointer events (mouse, pen and touch alike).
  var dragging = null; // {row, pointerId}

  document.addEventListener("pointerdown", function (event) {
    var handle = event.target && event.target.closest ? event.target.closest(".roc-handle") : null;
    if (!handle || event.button !== 0) {
      return;
    }
    var row = handle.closest(".roc-row");
    event.preventDefault();
    dragging = { row: row, pointerId: event.pointerId };
    if (handle.setPointerCapture) {
      handle.setPointerCapture(event.pointerId);
    }
    row.classList.add("is-dragging");
    row.parentNode.classList.add("is-sorting");
  });

  document.addEventListener("pointermove", function (event) {
    if (!dragging || event.pointerId !== dragging.pointerId) {
      return;
    }
    event.preventDefault();
    var row = dragging.row;
    var rows = rowsOf(row.parentNode);
    var i = rows.indexOf(row);
    var y = event.clientY;
    if (y < 48) {
      window.scrollBy(0, -16); // near an edge of the screen: scroll, so any row can be reached
    } else if (y > window.innerHeight - 48) {
      window.scrollBy(0, 16);
    }
    var before = rows[i - 1];
    var after = rows[i + 1];
    if (before) {
      var b = before.getBoundingClientRect();
      if (y < b.top + b.height / 2) {
        shift(row, -1);
        return;
      }
    }
    if (after) {
      var a = after.getBoundingClientRect();
      if (y > a.top + a.height / 2) {
        shift(row, 1);
      }
    }
  });

  function endDrag(event) {
    if (!dragging || event.pointerId !== dragging.pointerId) {
      return;
    }
    var row = dragging.row;
    dragging = null;
    row.classList.remove("is-dragging");
    row.parentNode.classList.remove("is-sorting");
    announce(row, "dropped");
  }

  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);

  // Set up the list (on load and whenever htmx brings a new workbench).
  function init(scope) {
    var root = scope && scope.querySelectorAll ? scope : document;
    var lists = all(root, ".roc-list");
    if (root.classList && root.classList.contains("roc-list")) {
      lists.push(root);
    }
    lists.forEach(function (list) {
      list.classList.add("is-enhanced");
      rowsOf(list).forEach(function (row) {
        row.tabIndex = 0;
      });
      refresh(list);
    });
  }

  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
})();
