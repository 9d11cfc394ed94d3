/* Case pages: figures chart, routing suggestion while typing, confirmations, multi-selects.
   No inline scripts (CSP): data comes from json_script blocks and data-* attributes. */
(function () {
  "use strict";

  // Confirm before destructive forms (withdraw, delete rule).
  document.querySelectorAll("form.zq-confirm").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.dataset.confirm || "确定？")) ev.preventDefault();
    });
  });

  // Multi-selects (assisting departments) with Tom Select when vendored.
  if (window.TomSelect) {
    document.querySelectorAll("select.zq-multi").forEach(function (el) {
      new window.TomSelect(el, { plugins: ["remove_button"], maxOptions: 200 });
    });
  }

  // Routing suggestion while an official types the description.
  var box = document.getElementById("zq-suggest");
  if (box) {
    var title = document.getElementById("id_title");
    var desc = document.getElementById("id_description");
    var cat = document.getElementById("id_category");
    var timer = null;
    var auto = null; // the category the script selected, if any
    var ask = function () {
      var text = ((title && title.value) || "") + " " + ((desc && desc.value) || "");
      if (text.trim().length < 6) { box.textContent = ""; return; }
      fetch(box.dataset.url + "?text=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (!s.category) { box.textContent = ""; box.dataset.preselect = ""; return; }
          // the server words the hint (translated); below the threshold nothing is selected
          box.textContent = s.hint;
          box.dataset.preselect = s.preselect ? "yes" : "no";
          box.classList.toggle("text-warning-emphasis", !s.preselect);
          if (!cat) return;
          // pre-select into an empty choice, or replace (or clear) only what the script chose
          if (s.preselect && (!cat.value || cat.value === auto)) { cat.value = String(s.category); auto = cat.value; }
          else if (!s.preselect && auto && cat.value === auto) { cat.value = ""; auto = null; }
        })
        .catch(function () { box.textContent = ""; });
    };
    [title, desc].forEach(function (el) {
      if (el) el.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 500); });
    });
  }

  // Figures chart: 办结率 and 最终满意率 by the chosen dimension.
  var chartEl = document.getElementById("zq-chart");
  var dataEl = document.getElementById("zq-chart-data");
  if (chartEl && dataEl && window.echarts) {
    var data = JSON.parse(dataEl.textContent);
    var chart = window.echarts.init(chartEl);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["办结率", "最终满意率"] },
      grid: { left: 40, right: 10, bottom: 70, top: 30 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 40, interval: 0, fontSize: 11 } },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: "办结率", type: "bar", barMaxWidth: 36, data: data.close, itemStyle: { color: "#b3261e" } },
        { name: "最终满意率", type: "line", data: data.sat, itemStyle: { color: "#198754" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
})();
