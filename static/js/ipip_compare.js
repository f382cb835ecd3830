// The IPIP checklist comparison (ipip/checklist_comparison.html): one bar per project and stage,
// drawn from the json_script "ipip-comparison-chart". The table under the chart holds the same
// figures for screen readers and printouts.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("ipip-comparison-chart");
  const canvas = document.getElementById("ipip-comparison-canvas");
  if (typeof Chart === "undefined" || !source || !canvas) {
    return;
  }
  const data = JSON.parse(source.textContent);
  const colours = ["#1f6feb", "#6cb6ff", "#2da44e", "#bf8700", "#8250df"];
  // Room for the bars of every project; set through the CSSOM, which the CSP allows.
  canvas.parentElement.style.height = `${6 + data.labels.length * 3}rem`;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map((set, i) => ({ ...set, backgroundColor: colours[i % colours.length] })),
    },
    options: {
      indexAxis: "y",
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: "bottom" } },
      scales: { x: { min: 0, max: 100 } },
    },
  });
});
