// Enterprise pages. The "enter list" form posts to the URL of the chosen list.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-enter-list]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.action = form.querySelector("select[name=list_url]").value;
    });
  });
});
