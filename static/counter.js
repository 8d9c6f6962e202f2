// Characters left in a text box with a limit, as you type (progressive enhancement: without JavaScript the page
// states the limit next to the box and the box has maxlength). Each note with data-counts="<box id>" becomes the
// live count of that box; the browser counts a line break as one character, and so does the server.
(function () {
  "use strict";

  function number(n) { return n.toLocaleString("en-CA"); }

  function wire(note) {
    var box = document.getElementById(note.getAttribute("data-counts"));
    var limit = box ? parseInt(box.getAttribute("maxlength"), 10) : NaN;
    if (!limit) { return; }
    note.setAttribute("aria-live", "polite");

    function update() {
      var left = limit - box.value.length;
      note.textContent = left >= 0
        ? number(left) + " of " + number(limit) + " characters left."
        : number(-left) + " characters over the limit of " + number(limit) + ".";
      note.classList.toggle("error", left < 0);
    }

    box.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("[data-counts]").forEach(wire);
})();
