// Keyboard shortcuts and the page viewer. No inline script anywhere (CSP script-src 'self').
(function () {
  "use strict";

  // Forms that ask before they act (data-confirm="...").
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { ev.preventDefault(); return; }
    // "Read this page again as shown": send the viewer's current rotation with the form.
    var turn = form.querySelector && form.classList.contains("reread-page") ? form.querySelector("input.turn") : null;
    if (turn) { turn.value = String(angle); }
  });

  // Page viewer: zoom and rotate every preview of the document together.
  var zoom = 1, angle = 0;
  function applyView() {
    var imgs = document.querySelectorAll("img.preview");
    for (var i = 0; i < imgs.length; i++) {
      imgs[i].style.width = (zoom * 100) + "%";
      imgs[i].style.transform = "rotate(" + angle + "deg)";
      var frame = imgs[i].parentElement;
      // A quarter turn makes the page as tall as it was wide: leave room for it.
      var sideways = angle % 180 !== 0;
      frame.style.padding = sideways ? "15% 0" : "0";
    }
  }
  var actions = {
    "zoom-in": function () { zoom = Math.min(zoom * 1.25, 5); },
    "zoom-out": function () { zoom = Math.max(zoom / 1.25, 0.3); },
    "rotate": function () { angle = (angle + 90) % 360; },
    "reset": function () { zoom = 1; angle = 0; }
  };
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest ? ev.target.closest("[data-view],[data-toggle]") : null;
    if (!t) { return; }
    var view = t.getAttribute("data-view");
    if (view && actions[view]) { actions[view](); applyView(); }
    var toggle = t.getAttribute("data-toggle");
    if (toggle) {
      var el = document.getElementById(toggle);
      if (el) { el.hidden = !el.hidden; }
    }
  });

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) { return; }
    var key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
    // Enter on a focused link or button keeps its own meaning.
    if (key === "Enter" && ev.target && (ev.target.tagName === "A" || ev.target.tagName === "BUTTON")) { return; }
    if (key === "=") { key = "+"; }
    var focusEl = document.querySelector('[data-shortcut-focus="' + key + '"]');
    if (focusEl) { ev.preventDefault(); focusEl.focus(); if (focusEl.select) { focusEl.select(); } return; }
    var el = document.querySelector('[data-shortcut="' + key + '"]') ||
             document.querySelector('[data-shortcut2="' + key + '"]');
    if (!el) { return; }
    ev.preventDefault();
    el.click();
  });
})();
