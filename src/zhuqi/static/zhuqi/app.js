// zhuqi UI helpers. No inline scripts anywhere: the Content-Security-Policy forbids them.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-tom-select]").forEach(function (el) {
    new TomSelect(el, { maxOptions: 200, allowEmptyOption: true });
  });
  document.querySelectorAll("[data-auto-submit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // a text field's limit is said while typing (nothing is cut silently); the server refuses too
  document.querySelectorAll("[data-maxlength]").forEach(function (el) {
    var limit = parseInt(el.dataset.maxlength, 10);
    var note = document.createElement("div");
    note.className = "small";  // text-danger only while shown (pages look up .text-danger errors)
    note.setAttribute("data-testid", "length-note");
    note.hidden = true;
    el.insertAdjacentElement("afterend", note);
    var check = function () {
      var n = Array.from(el.value).length;
      note.hidden = n <= limit;
      note.classList.toggle("text-danger", n > limit);
      note.textContent = n > limit ? el.dataset.maxlengthNote.replace("{count}", String(n)) : "";
      el.classList.toggle("is-invalid", n > limit);
    };
    el.addEventListener("input", check);
    check();
  });
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) { if (!window.confirm(el.dataset.confirm)) ev.preventDefault(); });
  });
});
document.body && document.body.addEventListener("htmx:configRequest", function (ev) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) ev.detail.headers["X-CSRFToken"] = token.value;
});
