// zhuqi projects: the investment chart (ECharts), the project Gantt (frappe-gantt, read-only)
// and the board (挂图作战, ECharts custom series). Data comes from json_script blocks.
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var LIGHT = { green: "#2e9e44", yellow: "#f0b400", red: "#d62d20", grey: "#adb5bd" };

  function investmentChart() {
    var el = document.getElementById("invest-chart");
    var d = data("invest-data");
    if (!el || !d || !window.echarts) return;
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["计划投资（万元）", "完成投资（万元）", "累计完成率%", "时序进度%"] },
      grid: { left: 56, right: 52, top: 36, bottom: 28 },
      xAxis: { type: "category", data: d.months },
      yAxis: [
        { type: "value", name: "万元", splitLine: { lineStyle: { color: "#eee" } } },
        { type: "value", name: "%", max: 100, min: 0, splitLine: { show: false } }
      ],
      series: [
        { name: "计划投资（万元）", type: "bar", data: d.planned, itemStyle: { color: "#c9d6e8" } },
        { name: "完成投资（万元）", type: "bar", data: d.actual, itemStyle: { color: "#b3261e" } },
        { name: "累计完成率%", type: "line", yAxisIndex: 1, data: d.completion, connectNulls: false, symbolSize: 6, itemStyle: { color: "#2f6db3" } },
        { name: "时序进度%", type: "line", yAxisIndex: 1, data: d.elapsed, lineStyle: { type: "dashed" }, symbol: "none", itemStyle: { color: "#868e96" } }
      ]
    });
    el.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function gantt() {
    var el = document.getElementById("gantt");
    var tasks = data("gantt-data");
    if (!el || !tasks || !tasks.length || !window.Gantt) return;
    var g = new Gantt("#gantt", tasks, {
      view_mode: viewMode(spanDays(tasks)),
      language: "zh",
      bar_height: 22,
      padding: 16,
      custom_popup_html: function (t) {
        return '<div class="p-2 small"><b>' + escapeHtml(t.name) + "</b><br>" + t.start.toString().slice(0, 10) + " ~ " + t._end.toISOString().slice(0, 10) + "</div>";
      }
    });
    el.dataset.ready = "1";
    el.dataset.tasks = String(tasks.length);
    return g;
  }

  function viewMode(days) {
    // pick the scale that fits the card: frappe-gantt's columns are ~120–140 px wide
    if (days > 720) return "Year";
    if (days > 56) return "Month";
    if (days > 14) return "Week";
    return "Day";
  }

  function spanDays(tasks) {
    var min = null, max = null;
    tasks.forEach(function (t) {
      var s = Date.parse(t.start), e = Date.parse(t.end);
      if (min === null || s < min) min = s;
      if (max === null || e > max) max = e;
    });
    return (max - min) / 86400000;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function board() {
    var el = document.getElementById("board-chart");
    var d = data("board-data");
    if (!el || !d || !window.echarts) return;
    var rows = d.rows;
    el.style.height = Math.max(200, rows.length * 24 + 60) + "px";
    var chart = echarts.init(el);
    var names = rows.map(function (r) { return r.name; });
    chart.setOption({
      animation: false,
      tooltip: {
        formatter: function (p) {
          var r = rows[p.value[0]];
          return escapeHtml(r.name) + "<br>" + r.start + " ~ " + r.end + "<br>" + r.stage + (r.lead === null ? "" : " · 超时序 " + r.lead + " 个百分点");
        }
      },
      grid: { left: 220, right: 24, top: 24, bottom: 28 },
      xAxis: { type: "time", position: "top", splitLine: { lineStyle: { color: "#eee" } } },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 200, overflow: "truncate" } },
      series: [{
        type: "custom",
        renderItem: function (params, api) {
          var y = api.value(0);
          var a = api.coord([api.value(1), y]);
          var b = api.coord([api.value(2), y]);
          var h = Math.min(18, api.size([0, 1])[1] * 0.6);
          return { type: "rect", shape: { x: a[0], y: a[1] - h / 2, width: Math.max(2, b[0] - a[0]), height: h }, style: api.style() };
        },
        encode: { x: [1, 2], y: 0 },
        data: rows.map(function (r, i) {
          return { value: [i, r.start, r.end], itemStyle: { color: LIGHT[r.light] || LIGHT.grey } };
        }),
        markLine: { symbol: "none", silent: true, lineStyle: { color: "#b3261e", type: "dashed" }, label: { formatter: "今天" }, data: [{ xAxis: d.today }] }
      }]
    });
    chart.on("click", function (p) { var r = rows[p.value[0]]; if (r && r.url) window.location.href = r.url; });
    el.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });

    var depEl = document.getElementById("dept-chart");
    if (depEl && d.departments.length) {
      var deps = d.departments.filter(function (x) { return x.lead !== null; });
      var c2 = echarts.init(depEl);
      c2.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        grid: { left: 100, right: 40, top: 10, bottom: 40 },
        xAxis: { type: "value", name: "超时序进度（百分点）", nameLocation: "middle", nameGap: 24 },
        yAxis: { type: "category", inverse: true, data: deps.map(function (x) { return x.name; }) },
        series: [{
          type: "bar",
          // the sign of the lead, not the light: behind schedule is red, on or ahead of it green
          data: deps.map(function (x) {
            return {
              value: x.lead,
              itemStyle: { color: x.lead < 0 ? LIGHT.red : LIGHT.green },
              label: { position: x.lead < 0 ? "left" : "right" }
            };
          }),
          label: { show: true, formatter: function (p) { return (p.value > 0 ? "+" : "") + p.value; } }
        }]
      });
      depEl.dataset.ready = "1";
      window.addEventListener("resize", function () { c2.resize(); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    investmentChart();
    gantt();
    board();
  });
})();
