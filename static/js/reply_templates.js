// The reply form's knowledge-base templates: a button puts its (already
// filled) text into the form's field — the reply text or the handling basis.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fill-field]");
  if (!button) return;
  const form = button.closest("form");
  const field = form && form.querySelector(`[name="${button.dataset.fillField}"]`);
  if (!field) return;
  if (field.value.trim() && !window.confirm("用模板替换已填写的内容？")) return;
  field.value = button.dataset.fillText;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  field.focus();
});
