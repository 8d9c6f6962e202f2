// The hold countdown shown on every scheduling step once a time is held (progressive enhancement: the page
// already says until when the time is held). Counts down from the seconds the server gave, so the device's
// clock does not matter; when the hold lapses it shows the "hold lapsed" choices and hides the payment form.
(function () {
  "use strict";
  var box = document.querySelector("[data-countdown]");
  if (!box) { return; }
  var deadline = Date.now() + parseInt(box.getAttribute("data-countdown"), 10) * 1000;
  var text = box.querySelector("[data-countdown-text]");

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function lapse() {
    box.hidden = true;
    document.querySelectorAll("[data-countdown-lapsed]").forEach(function (el) { el.hidden = false; });
    document.querySelectorAll("[data-countdown-hides]").forEach(function (el) { el.hidden = true; });
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (left === 0) { lapse(); return; }
    text.textContent = " (" + Math.floor(left / 60) + ":" + pad(left % 60) + " left)";
    window.setTimeout(tick, 1000);
  }

  text.setAttribute("role", "timer");
  text.setAttribute("aria-live", "off");
  tick();
}());
