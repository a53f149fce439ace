// The workbench's small behaviours: one submit per form, live deadline countdowns.
(function () {
  "use strict";

  // A form is sent once: the second click on a slow connection does nothing
  // (the services refuse a real second request anyway, with a clear message).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    // Disable after the browser has collected the form data, so the clicked
    // button's name and value are still sent.
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        if (button.tagName === "BUTTON") {
          button.dataset.label = button.innerHTML;
          button.innerHTML = '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>提交中…';
        }
      });
    }, 0);
  });

  // Coming back with the Back button restores the page from cache: make the form usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitting='1']").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        if (button.dataset.label) button.innerHTML = button.dataset.label;
      });
    });
  });

  // A form sent back with errors: put the cursor in the first field to fix, so
  // a keyboard user (and a screen reader) lands on it, not at the top of the page.
  function focusFirstError() {
    if (document.querySelector("[autofocus]")) return;
    var field = document.querySelector("form input.is-invalid, form select.is-invalid, form textarea.is-invalid");
    if (field) field.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusFirstError);
  else focusFirstError();

  // A partial update that ended on the login page (the session ran out): show
  // the login page itself rather than a login form inside the list.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === "/accounts/login/") {
      event.detail.shouldSwap = false;
      var here = window.location.pathname + window.location.search;
      window.location.assign("/accounts/login/?next=" + encodeURIComponent(here));
    }
  });

  function duration(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days) return days + "天" + hours + "小时";
    if (hours) return hours + "小时" + mins + "分";
    return mins + "分钟";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".deadline[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.dataset.deadline) - now;
      if (isNaN(left)) return;
      var state = left < 0 ? "overdue" : left < 86400000 ? "soon" : "ok";
      el.classList.remove("deadline-overdue", "deadline-soon", "deadline-ok");
      el.classList.add("deadline-" + state);
      var text = el.querySelector(".deadline-text");
      if (text) text.textContent = (left < 0 ? "已超时 " : "剩余 ") + duration(left);
    });
  }

  tick();
  window.setInterval(tick, 30000);
  document.addEventListener("htmx:afterSwap", tick);

  // A button marked data-print prints the page (no inline handlers: the CSP allows script files only).
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (button) window.print();
  });
})();
