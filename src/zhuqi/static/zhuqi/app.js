// zhuqi UI helpers. No inline scripts anywhere: the Content-Security-Policy forbids them.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-tom-select]").forEach(function (el) {
    new TomSelect(el, { maxOptions: 200, allowEmptyOption: true });
  });
  document.querySelectorAll("[data-auto-submit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) { if (!window.confirm(el.dataset.confirm)) ev.preventDefault(); });
  });
});
document.body && document.body.addEventListener("htmx:configRequest", function (ev) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) ev.detail.headers["X-CSRFToken"] = token.value;
});
