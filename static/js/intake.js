// The upload form of the 12345 import: refuse an oversized or wrong file
// before sending it (the server checks again), and show what is happening.
(function () {
  "use strict";
  var form = document.getElementById("intake-upload");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var maxBytes = parseInt(form.dataset.maxBytes || "0", 10);

  function problem(file) {
    if (!file) return "请选择要导入的文件。";
    if (!/\.(xlsx|csv)$/i.test(file.name)) return "仅支持 .xlsx 和 .csv 文件。";
    if (maxBytes && file.size > maxBytes) {
      return "文件过大（" + (file.size / 1048576).toFixed(1) + " MB），上限为 " + Math.round(maxBytes / 1048576) + " MB。";
    }
    return "";
  }

  function show(message) {
    var old = form.querySelector(".intake-client-error");
    if (old) old.remove();
    input.classList.toggle("is-invalid", !!message);
    if (!message) return;
    var div = document.createElement("div");
    div.className = "invalid-feedback d-block intake-client-error";
    div.setAttribute("role", "alert");
    div.textContent = message;
    input.insertAdjacentElement("afterend", div);
  }

  input.addEventListener("change", function () {
    show(problem(input.files[0]));
  });
  form.addEventListener(
    "submit",
    function (event) {
      var message = problem(input.files[0]);
      if (message) {
        show(message);
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
