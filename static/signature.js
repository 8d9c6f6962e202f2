// Enhances a waiver form: a drawing pad that fills the hidden `signature` field with a PNG data URL.
// Without JavaScript the pad stays hidden and the typed name signs.
(function () {
  document.querySelectorAll("canvas[data-signature-pad]").forEach(function (canvas) {
    var form = canvas.closest("form");
    var field = form.querySelector("input[name=signature]");
    var pad = canvas.closest(".signature-pad");
    var context = canvas.getContext("2d");
    var drawing = false, drawn = false;
    pad.hidden = false;
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.strokeStyle = "#1b2a41";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      context.beginPath();
      context.moveTo.apply(context, point(event));
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      context.lineTo.apply(context, point(event));
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointerup", function () { drawing = false; });
    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      field.value = "";
    });
    form.addEventListener("submit", function () {
      if (drawn) field.value = canvas.toDataURL("image/png");
    });
  });
})();
