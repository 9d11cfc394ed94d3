/* Chain pages: the 产业链全景图 (an ECharts tree; a click on a link lists its enterprises), the
   招商路径图 (target enterprises by home region, stacked by status) and the confirmations of
   the link page. No inline scripts (CSP): data comes from json_script blocks. */
(function () {
  "use strict";

  document.querySelectorAll("form.zq-confirm").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.dataset.confirm || "确定？")) ev.preventDefault();
    });
  });

  var GAP_COLORS = { strengthen: "#0d6efd", extend: "#fd7e14", fill: "#dc3545" };
  var PLAIN = "#6c757d";

  // a gap link is a solid dot in its colour, another link a hollow grey one; a first-level
  // link's label starts with its position (上游/中游/下游)
  function paint(node, depth) {
    var color = GAP_COLORS[node.gap] || PLAIN;
    node.symbol = node.gap ? "circle" : "emptyCircle";
    node.itemStyle = { color: color, borderColor: color };
    var prefix = depth === 1 && node.position ? node.position + " · " : "";
    node.label = { formatter: prefix + node.name + "（" + node.value + "）" };
    (node.children || []).forEach(function (c) { paint(c, depth + 1); });
    return node;
  }

  var treeEl = document.getElementById("zq-chain-chart");
  var treeData = document.getElementById("zq-chain-data");
  if (treeEl && treeData && window.echarts) {
    var data = JSON.parse(treeData.textContent);
    var root = paint(data.tree, 0);
    root.symbol = "roundRect";
    root.symbolSize = 16;
    root.itemStyle = { color: "#212529", borderColor: "#212529" };
    var narrow = treeEl.clientWidth < 576;
    var leaves = 0;
    (function count(n) { if (!n.children || !n.children.length) { leaves += 1; } else { n.children.forEach(count); } })(root);
    // the height follows the number of leaves, so a small chain is not lost in white space
    treeEl.style.height = Math.max(220, Math.min(1600, leaves * (narrow ? 44 : 40) + 60)) + "px";
    var chart = window.echarts.init(treeEl);
    chart.setOption({
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: function (p) {
          var d = p.data;
          var extra = [d.position, d.gapLabel].filter(Boolean).join(" · ");
          return d.name + (extra ? "<br>" + extra : "") + "<br>本地企业 " + d.value + " 家";
        }
      },
      series: [{
        type: "tree",
        data: [root],
        top: 30, bottom: 20,
        left: narrow ? 16 : 60, right: narrow ? 120 : 240,
        orient: "LR",
        symbolSize: narrow ? 12 : 14,
        initialTreeDepth: -1,
        expandAndCollapse: false,
        roam: false,
        label: { position: "top", align: "left", distance: 6, fontSize: narrow ? 12 : 14, color: "#212529" },
        leaves: { label: { position: "right", verticalAlign: "middle", align: "left" } },
        lineStyle: { color: "#adb5bd", width: 1.5, curveness: 0.4 }
      }]
    });
    chart.on("click", function (p) {
      if (p.seriesType === "tree" && p.data && p.data.id) {
        window.location.href = treeEl.dataset.drill + p.data.id + "#rows";
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var STATUS_COLORS = { planned: "#6c757d", contacting: "#0d6efd", lead: "#198754", dropped: "#adb5bd" };
  var pathsEl = document.getElementById("zq-paths-chart");
  var pathsData = document.getElementById("zq-paths-data");
  if (pathsEl && pathsData && window.echarts) {
    var d = JSON.parse(pathsData.textContent);
    pathsEl.style.height = Math.max(200, Math.min(1200, d.homes.length * 40 + 70)) + "px";
    var bars = window.echarts.init(pathsEl);
    bars.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 10, right: 20, top: 36, bottom: 10, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: d.homes },
      series: d.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "n", data: s.data, barMaxWidth: 28, itemStyle: { color: STATUS_COLORS[s.key] } };
      })
    });
    window.addEventListener("resize", function () { bars.resize(); });
  }
})();
