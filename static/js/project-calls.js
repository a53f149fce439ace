// A project's class: calls per week for the same number of weeks before and
// after its start (ECharts), drawn from the figures the table shows.
(function () {
  "use strict";
  const source = document.getElementById("project-calls-data");
  const node = document.getElementById("project-calls-chart");
  if (!source || !node || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(node);
  chart.setOption({
    tooltip: {
      trigger: "axis",
      formatter: (items) => {
        const i = items[0].dataIndex;
        return data.labels[i] + "<br>" + items.map((item) =>
          item.marker + item.seriesName + "（" + (item.seriesIndex === 0 ? data.before_dates[i] : data.after_dates[i]) + "起）：" + item.value
        ).join("<br>");
      },
    },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "立项前", type: "bar", data: data.before, itemStyle: { color: "#b8c2cf" } },
      { name: "立项后", type: "bar", data: data.after, itemStyle: { color: "#1f5fae" }, label: { show: true, position: "top" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
  node.dataset.ready = "1";
})();
