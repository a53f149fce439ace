// The case list export with progress: the file is fetched instead of
// followed, the page says how many cases are being written and how far the
// download has come, then saves the file under the server's name. Without
// JS (or without streams) the form stays a plain GET download.
(function () {
  "use strict";
  var form = document.getElementById("case-export");
  if (!form || !window.fetch || !window.ReadableStream || !window.URL || !URL.createObjectURL) return;
  var box = form.querySelector(".export-progress");
  var label = form.querySelector(".export-progress-label");
  var bar = form.querySelector(".progress-bar");
  var button = form.querySelector("button[type=submit]");
  var XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  function exportUrl() {
    var params = new URLSearchParams(new FormData(form));
    return form.action + (form.action.indexOf("?") < 0 ? "?" : "&") + params.toString();
  }

  function show(text, fraction) {
    box.hidden = false;
    label.textContent = text;
    var percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    bar.style.width = percent + "%";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
  }

  function fileName(response) {
    var header = response.headers.get("Content-Disposition") || "";
    var match = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (match) {
      try {
        return decodeURIComponent(match[1]);
      } catch (e) {
        /* fall through */
      }
    }
    return "案件清单.xlsx";
  }

  function save(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
    }, 60000);
  }

  function kilobytes(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.round(bytes / 1024) + " KB";
  }

  async function download(url) {
    var count = parseInt(form.dataset.count || "0", 10);
    show("正在生成 " + count + " 件…", 0);
    // A refused export (bad filter, too many rows) redirects back to the
    // search page with its message: let the browser follow it to show it.
    var response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
    if (response.type === "opaqueredirect" || !response.ok || (response.headers.get("Content-Type") || "").indexOf(XLSX) !== 0) {
      window.location.href = url;
      return;
    }
    count = parseInt(response.headers.get("X-Export-Count") || String(count), 10);
    var estimate = parseInt(response.headers.get("X-Export-Estimated-Bytes") || "0", 10) || count * 300 + 6000;
    var reader = response.body.getReader();
    var parts = [];
    var received = 0;
    for (;;) {
      var step = await reader.read();
      if (step.done) break;
      parts.push(step.value);
      received += step.value.length;
      // The length is known only at the end: the estimate may be short, so never show 100% early.
      show("正在生成 " + count + " 件… 已接收 " + kilobytes(received), Math.min(0.98, received / estimate));
    }
    save(new Blob(parts, { type: XLSX }), fileName(response));
    show("已导出 " + count + " 件（" + kilobytes(received) + "）。", 1);
    form.dataset.exported = String(received);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    var url = exportUrl();
    download(url)
      .catch(function () {
        // The stream broke off: the plain download tells the browser's own story.
        box.hidden = true;
        window.location.href = url;
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
