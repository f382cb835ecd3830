// Charts drawn from data the page carries in <script type="application/json"> (json_script):
// <canvas data-chart="<id of the json>">. Every chart's figures are also in a table on the page.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") {
    return;
  }
  const palette = ["#1f6feb", "#d4a72c", "#2da44e", "#cf222e", "#8250df"];
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    spec.datasets.forEach((dataset, i) => {
      dataset.backgroundColor = dataset.backgroundColor || palette[i % palette.length];
      dataset.borderColor = dataset.borderColor || palette[i % palette.length];
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        indexAxis: spec.indexAxis || "x",
        animation: false,
        responsive: true,
        plugins: { legend: { position: "bottom" } },
        scales: { y: { beginAtZero: true } },
      },
    });
  });
});
