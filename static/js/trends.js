// Trend charts (ECharts), per week and per assessment period: the three rates
// on one axis in %, and the score on a chart of its own (rates and score are
// on different scales, so they never share an axis). A window still running
// when its board was computed is drawn unfinished — a dashed segment up to a
// hollow point labelled 截至目前 — never as a drop of a finished line. The
// server sends each rate as the exact percentage of the stored rate (two
// decimals, as the tables show it); the tooltip shows both decimals.
(function () {
  "use strict";
  const source = document.getElementById("trend-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const charts = [];
  const RUNNING = "截至目前";
  const COLORS = { 响应率: "#2563eb", 解决率: "#16a34a", 满意率: "#d97706", 综合成绩: "#7c3aed" };
  const shown = (suffix) => (v) => (v === null || v === undefined || v === "-" ? "—" : Number(v).toFixed(2) + suffix);

  // One figure as two series of one name (the legend toggles both): solid
  // through the finished windows, dashed from the last finished one to each
  // running one.
  function lines(name, values, finished, labelled) {
    const solid = values.map((v, i) => (finished[i] ? v : null));
    const dashed = values.map((v, i) => {
      // The label once per chart (the axis names the window too), so stacked points stay readable.
      if (!finished[i]) return { value: v, symbol: "emptyCircle", label: { show: labelled && v !== null, formatter: RUNNING, position: "top", color: "#6b7280" } };
      const next = i + 1 < values.length && !finished[i + 1];
      return next ? v : null;
    });
    const common = { name, type: "line", connectNulls: false, symbolSize: 7, color: COLORS[name] };
    const result = [Object.assign({}, common, { data: solid })];
    if (finished.some((f) => !f)) {
      result.push(Object.assign({}, common, { data: dashed, lineStyle: { type: "dashed" }, z: 1, running: true }));
    }
    return result;
  }

  function option(series, figures, axis) {
    const finished = series.finished || series.labels.map(() => true);
    const labels = series.labels.map((label, i) => (finished[i] ? label : label + "\n（" + RUNNING + "）"));
    const all = figures.flatMap(([name, key], index) => lines(name, series[key], finished, index === 0));
    return {
      tooltip: {
        trigger: "axis",
        // One line per figure: the dashed twin repeats the value at the last finished window.
        formatter: (items) => {
          const seen = new Set();
          const rows = items.filter((item) => item.value !== null && item.value !== undefined && !seen.has(item.seriesName) && seen.add(item.seriesName));
          const title = series.labels[items[0].dataIndex] + (finished[items[0].dataIndex] ? "" : "（" + RUNNING + "，未结束）");
          return [title, ...rows.map((item) => item.marker + item.seriesName + "：" + shown(axis.suffix)(item.value))].join("<br>");
        },
      },
      legend: { top: 0, data: figures.map(([name]) => name) },
      grid: { left: 48, right: 24, top: 40, bottom: 52 },
      xAxis: { type: "category", data: labels },
      yAxis: [{ type: "value", name: axis.name, min: (v) => Math.max(0, Math.floor(v.min / 10) * 10), max: 100 }],
      series: all,
    };
  }

  document.querySelectorAll(".trend-chart").forEach((node) => {
    const series = data[node.dataset.series];
    const chart = echarts.init(node);
    if (!series || !series.labels.length) {
      chart.setOption({ title: { text: "暂无榜单", left: "center", top: "middle", textStyle: { color: "#6b7280", fontSize: 14 } } });
      charts.push(chart);
      return;
    }
    if (node.dataset.figures === "score") {
      chart.setOption(option(series, [["综合成绩", "score"]], { name: "成绩", suffix: "" }));
    } else {
      chart.setOption(
        option(series, [["响应率", "response_rate"], ["解决率", "resolution_rate"], ["满意率", "satisfaction_rate"]], { name: "%", suffix: "%" })
      );
    }
    chart.on("click", (params) => {
      const board = series.board[params.dataIndex];
      if (board) window.location.href = "/rankings/boards/" + board + "/";
    });
    charts.push(chart);
  });
  window.trendCharts = charts; // for the browser tests
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
