// zhuqi indicators: the dispatch view's charts (ECharts): cumulative actual against the target
// curve by month or 旬, year-on-year bars by group, the groups' completion ranking. Data comes
// from the json_script block "dispatch-data"; labels are translated by the server.
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function mount(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el);
    chart.setOption(option);
    if (onClick) chart.on("click", onClick);
    el.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function go(groups) {
    return function (p) {
      var g = groups[p.dataIndex];
      if (g && g.url) window.location.href = g.url;
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var d = data("dispatch-data");
    if (!d) return;
    var L = d.labels;
    var s = d.series;
    mount("ind-curve", {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [L.actual, L.target, L.last_year] },
      grid: { left: 80, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "category", data: s.labels.map(function (x) { return x.replace(/^\d{4}年/, ""); }) },
      yAxis: { type: "value", name: d.unit, splitLine: { lineStyle: { color: "#eee" } } },
      series: [
        { name: L.actual, type: "line", data: s.actual, symbolSize: 6, connectNulls: true, itemStyle: { color: "#b3261e" } },
        { name: L.target, type: "line", data: s.target, lineStyle: { type: "dashed" }, symbol: "none", itemStyle: { color: "#2f6db3" } },
        { name: L.last_year, type: "line", data: s.last_year, symbol: "none", connectNulls: true, itemStyle: { color: "#adb5bd" } }
      ]
    });
    var groups = d.groups || [];
    mount("ind-yoy", {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [L.this_year, L.last_year] },
      grid: { left: 80, right: 16, top: 32, bottom: 60 },
      xAxis: { type: "category", data: groups.map(function (g) { return g.name; }), axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value", name: d.unit, splitLine: { lineStyle: { color: "#eee" } } },
      series: [
        { name: L.this_year, type: "bar", data: groups.map(function (g) { return g.actual; }), itemStyle: { color: "#b3261e" } },
        { name: L.last_year, type: "bar", data: groups.map(function (g) { return g.last_year; }), itemStyle: { color: "#c9d6e8" } }
      ]
    }, go(groups));
    // ranked by completion where the groups have targets, else by same-panel growth
    var key = groups.some(function (g) { return g.completion !== null; }) ? "completion" : "growth";
    var ranked = groups.filter(function (g) { return g[key] !== null; })
      .sort(function (a, b) { return b[key] - a[key]; });
    mount("ind-rank", {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 96, right: 40, top: 8, bottom: 24 },
      xAxis: { type: "value", name: "%" },
      yAxis: { type: "category", inverse: true, data: ranked.map(function (g) { return g.name; }) },
      series: [{
        name: L[key], type: "bar", data: ranked.map(function (g) { return g[key]; }),
        itemStyle: { color: "#2f6db3" }, label: { show: true, position: "right" }
      }]
    }, go(ranked));
  });
})();
