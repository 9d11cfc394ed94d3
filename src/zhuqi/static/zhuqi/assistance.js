// Assistance pages (no inline scripts: CSP).
document.addEventListener("DOMContentLoaded", function () {
  // visit form: one more problem row (a Django formset: clone the empty form, count it)
  var add = document.getElementById("add-problem");
  var tpl = document.getElementById("problem-template");
  var total = document.getElementById("id_problems-TOTAL_FORMS");
  if (add && tpl && total) {
    add.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      var html = tpl.innerHTML.replace(/__prefix__/g, String(n));
      document.getElementById("problem-rows").insertAdjacentHTML("beforeend", html);
      total.value = String(n + 1);
      var rows = document.querySelectorAll("[data-testid=visit-problem-row]");
      var select = rows[rows.length - 1].querySelector("select");
      if (select) select.focus();
    });
  }
  var photos = document.getElementById("id_photos");
  if (photos) {
    photos.addEventListener("change", function () {
      var list = document.getElementById("photo-names");
      if (!list) {
        list = document.createElement("div");
        list.id = "photo-names";
        list.className = "small text-muted mt-1";
        photos.parentNode.appendChild(list);
      }
      // the browser names a single file itself; list them when there are several
      list.textContent = photos.files.length > 1
        ? Array.prototype.map.call(photos.files, function (f) { return f.name; }).join("、")
        : "";
    });
  }
});
