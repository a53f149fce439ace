// Trend charts (ECharts): the three rates in % on the left axis, the score on
// the right one, per week and per assessment period. The server sends each
// rate as the exact percentage of the stored rate (two decimals, as the
// tables show it); the tooltip shows it with both decimals, never rounded.
(function () {
  "use strict";
  const source = document.getElementById("trend-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const charts = [];
  document.querySelectorAll(".trend-chart").forEach((node) => {
    const series = data[node.dataset.series];
    const chart = echarts.init(node);
    if (!series || !series.labels.length) {
      chart.setOption({ title: { text: "暂无榜单", left: "center", top: "middle", textStyle: { color: "#6b7280", fontSize: 14 } } });
      charts.push(chart);
      return;
    }
    const shown = (suffix) => (v) => (v === null || v === undefined || v === "-" ? "—" : Number(v).toFixed(2) + suffix);
    const line = (name, values, axis) => ({
      name,
      type: "line",
      data: values,
      yAxisIndex: axis,
      connectNulls: false,
      symbolSize: 7,
      tooltip: { valueFormatter: shown(axis === 0 ? "%" : "") },
    });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 40, bottom: 40 },
      xAxis: { type: "category", data: series.labels },
      yAxis: [
        { type: "value", name: "%", min: (v) => Math.max(0, Math.floor(v.min / 10) * 10), max: 100 },
        { type: "value", name: "成绩", min: (v) => Math.max(0, Math.floor(v.min / 10) * 10), max: 100, splitLine: { show: false } },
      ],
      series: [
        line("响应率", series.response_rate, 0),
        line("解决率", series.resolution_rate, 0),
        line("满意率", series.satisfaction_rate, 0),
        Object.assign(line("综合成绩", series.score, 1), { lineStyle: { type: "dashed", width: 3 } }),
      ],
    });
    chart.on("click", (params) => {
      const board = series.board[params.dataIndex];
      if (board) window.location.href = "/rankings/boards/" + board + "/";
    });
    charts.push(chart);
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
