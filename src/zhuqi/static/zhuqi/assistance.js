// Assistance pages (no inline scripts: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var cat = document.getElementById("id_problem_category");
  if (cat && !cat.placeholder) cat.placeholder = "问题类别，如 用地、用工、融资";
  var prob = document.getElementById("id_problem");
  if (prob && !prob.placeholder) prob.placeholder = "企业反映的具体问题";
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
