// zhuqi 亩均: the region ranking's chart (ECharts): 亩均税收 of each region this year beside last
// year's published figure; a bar opens that region's level below. Data from the json_script
// block "mu-region-data"; labels are translated by the server.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var src = document.getElementById("mu-region-data");
    var el = document.getElementById("mu-region-chart");
    if (!src || !el || !window.echarts) return;
    var d = JSON.parse(src.textContent);
    var rows = d.rows || [];
    var L = d.labels;
    var hasLast = rows.some(function (r) { return r.last !== null; });
    var series = [
      { name: L.this_year, type: "bar", data: rows.map(function (r) { return r.tax_per_mu; }), itemStyle: { color: "#b3261e" } }
    ];
    if (hasLast) {
      series.push({ name: L.last_year, type: "bar", data: rows.map(function (r) { return r.last; }), itemStyle: { color: "#c9d6e8" } });
    }
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: { left: 60, right: 16, top: 32, bottom: 70 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value", name: L.unit, splitLine: { lineStyle: { color: "#eee" } } },
      series: series
    });
    chart.on("click", function (p) {
      var r = rows[p.dataIndex];
      if (r && r.url) window.location.href = r.url;
    });
    el.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
