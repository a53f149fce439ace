// Hotspot bar chart (ECharts): this period against the previous one for the
// table picked in the select; a click on a bar opens the case search listing
// exactly the cases behind that figure.
(function () {
  "use strict";
  const source = document.getElementById("hotspot-data");
  const node = document.getElementById("hotspot-chart");
  const picker = document.getElementById("hotspot-chart-series");
  if (!source || !node || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(node);
  const shorten = (label) => {
    // Long category paths: keep the deepest levels, which tell the problem apart.
    const parts = String(label).split("->");
    const text = parts.length > 2 ? parts.slice(-2).join("->") : String(label);
    return text.length > 16 ? text.slice(0, 15) + "…" : text;
  };

  // Largest at the top of a horizontal bar chart: rows are drawn bottom-up.
  function reversedIndexes(series) {
    return series.labels.map((_, i) => i).reverse();
  }

  function draw(key) {
    const series = data[key];
    chart.clear();
    if (!series || !series.labels.length) {
      chart.setOption({ title: { text: "本期暂无数据", left: "center", top: "middle", textStyle: { color: "#6b7280", fontSize: 14 } } });
      return;
    }
    const order = reversedIndexes(series);
    const pick = (values) => order.map((i) => values[i]);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: (items) => {
          const i = order[items[0].dataIndex];
          const lines = items.map((item) => item.marker + item.seriesName + "：" + (item.value === null || item.value === undefined ? "—" : item.value));
          return echarts.format.encodeHTML(series.labels[i]) + "<br>" + lines.join("<br>");
        },
      },
      legend: { top: 0 },
      grid: { left: 8, right: 32, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: key === "communities_rate" ? 0 : 1 },
      yAxis: { type: "category", data: pick(series.labels), axisLabel: { formatter: shorten } },
      series: [
        { name: "上期", type: "bar", data: pick(series.previous), itemStyle: { color: "#b8c2cf" } },
        { name: "本期", type: "bar", data: pick(series.current), itemStyle: { color: "#1f5fae" }, label: { show: true, position: "right" } },
      ],
    });
  }

  chart.on("click", (params) => {
    const series = data[picker.value];
    const i = reversedIndexes(series)[params.dataIndex];
    const links = params.seriesName === "本期" ? series.links : series.previous_links;
    if (links[i]) window.location.href = links[i];
  });
  picker.addEventListener("change", () => draw(picker.value));
  draw(picker.value);
  window.addEventListener("resize", () => chart.resize());
})();
