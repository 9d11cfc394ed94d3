// zhuqi cockpit: the subdivisions coloured by the chosen metric. Where every subdivision has an
// outline (Region.boundary, GeoJSON in lon/lat) ECharts' registerMap draws them as a choropleth;
// otherwise a ranked bar chart. A click opens that subdivision's cockpit. Data: json_script
// "cockpit-data" (labels translated by the server).
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function colours(worseHigh) {
    var good = "#d8ecd9", mid = "#ffd27a", bad = "#d9534f";
    return worseHigh ? [good, mid, bad] : [bad, mid, good];
  }

  function mapOption(d, dark) {
    var features = d.areas.map(function (a) {
      return { type: "Feature", properties: { name: a.name }, geometry: a.boundary };
    });
    echarts.registerMap("zq-region", { type: "FeatureCollection", features: features });
    var values = d.areas.map(function (a) { return a.value; }).filter(function (v) { return v !== null; });
    var max = values.length ? Math.max.apply(null, values) : 1;
    var min = values.length ? Math.min.apply(null, values) : 0;
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return p.name + "<br>" + d.metric + "：" + (p.value === null || isNaN(p.value) ? d.labels.none : p.value + d.labels.unit);
        },
      },
      visualMap: {
        min: min, max: max === min ? min + 1 : max, calculable: false, orient: "horizontal",
        left: "center", bottom: 0, text: [String(max), String(min)],
        inRange: { color: colours(d.lower_is_better) },
        textStyle: { color: dark ? "#ddd" : "#333" },
      },
      series: [{
        type: "map", map: "zq-region", roam: false, selectedMode: false,
        label: { show: true, fontSize: dark ? 14 : 11, color: dark ? "#fff" : "#222" },
        itemStyle: { borderColor: dark ? "#111" : "#fff", borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#5b8def" } },
        data: d.areas.map(function (a) { return { name: a.name, value: a.value }; }),
      }],
    };
  }

  function barOption(d, dark) {
    var areas = d.areas.slice().reverse(); // the first ranked on top
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { color: dark ? "#ccc" : "#666" }, splitLine: { lineStyle: { color: dark ? "#333" : "#eee" } } },
      yAxis: { type: "category", data: areas.map(function (a) { return a.name; }), axisLabel: { color: dark ? "#eee" : "#333" } },
      series: [{
        type: "bar", name: d.metric, barMaxWidth: 18,
        data: areas.map(function (a) { return a.value; }),
        itemStyle: { color: d.lower_is_better ? "#d9534f" : "#2f7d32" },
        label: { show: true, position: "right", color: dark ? "#eee" : "#333",
                 formatter: function (p) { return p.value === null ? d.labels.none : p.value + d.labels.unit; } },
      }],
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("[data-testid=metric-select]");
    if (select) select.addEventListener("change", function () { select.form.submit(); });
    var d = data("cockpit-data");
    var el = document.getElementById("cockpit-chart");
    if (!d || !el || !window.echarts) return;
    var dark = document.body.classList.contains("zq-screen");
    var rows = d.map ? d.areas.length : d.areas.length;
    if (!d.map) el.style.height = Math.max(160, rows * (dark ? 34 : 26) + 24) + "px";
    var chart = echarts.init(el);
    chart.setOption(d.map ? mapOption(d, dark) : barOption(d, dark));
    chart.on("click", function (p) {
      var a = d.map ? d.areas.filter(function (x) { return x.name === p.name; })[0]
                    : d.areas[d.areas.length - 1 - p.dataIndex];
      if (a && a.url) window.location.href = a.url;
    });
    el.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
