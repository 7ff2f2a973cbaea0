// Draws every `<div data-chart="ID">` with the ECharts option in `<script type="application/json" id="ID">`.
// Used as-is by the web workbench (served from /assets) and inlined into the self-contained report.
// Needs the global `echarts` (echarts/dist/echarts.min.js) loaded first.
(() => {
  const charts = [];
  function draw() {
    for (const el of document.querySelectorAll("[data-chart]")) {
      if (el.getAttribute("data-drawn")) continue;
      const src = document.getElementById(el.getAttribute("data-chart"));
      if (!src) continue;
      const chart = globalThis.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(src.textContent));
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
  globalThis.addEventListener("resize", () => {
    for (const c of charts) c.resize();
  });
})();
