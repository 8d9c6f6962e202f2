// The scheduling calendar (progressive enhancement: every day is a plain link that works without this).
// Choosing a day loads that day's free times in place, keeps the address in step for Back, and moves the
// focus to the list; the arrow keys move between the days of the grid.
(function () {
  "use strict";
  var calendar = document.querySelector("[data-calendar]");
  var slots = document.getElementById("slots");
  if (!calendar || !slots || !window.fetch || !window.DOMParser) { return; }

  function show(url, push) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var fresh = page.getElementById("slots");
      if (!fresh) { throw new Error("no slots"); }
      slots.innerHTML = fresh.innerHTML;
      calendar.querySelectorAll("a.sched-day").forEach(function (link) {
        var chosen = link.href === url;
        link.classList.toggle("chosen", chosen);
        if (chosen) { link.setAttribute("aria-current", "date"); } else { link.removeAttribute("aria-current"); }
      });
      if (push) { history.pushState({ day: url }, "", url); }
      var heading = document.getElementById("slots-title");
      if (heading) { heading.focus(); }
    }).catch(function () { window.location.href = url; });
  }

  calendar.addEventListener("click", function (event) {
    var link = event.target.closest("a.sched-day");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    show(link.href, true);
  });

  window.addEventListener("popstate", function () { show(window.location.href, false); });

  var steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
  calendar.addEventListener("keydown", function (event) {
    if (!(event.key in steps)) { return; }
    var cells = Array.prototype.slice.call(calendar.querySelectorAll("td"));
    var index = cells.indexOf(event.target.closest("td"));
    for (var i = index + steps[event.key]; i >= 0 && i < cells.length; i += steps[event.key]) {
      var link = cells[i].querySelector("a.sched-day");
      if (link) { event.preventDefault(); link.focus(); return; }
    }
  });
}());
