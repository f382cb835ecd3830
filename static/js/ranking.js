// The ranking page (ipup/ranking.html): one horizontal bar chart per domain, weighted against
// raw score, drawn from the json_script "ranking-charts". The same figures are in the table
// under each chart, which is what screen readers and printouts use.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("ranking-charts");
  if (typeof Chart === "undefined" || !source) {
    return;
  }
  const data = JSON.parse(source.textContent);
  const shorten = (label) => (label.length > 60 ? `${label.slice(0, 57)}…` : label);
  document.querySelectorAll("canvas[data-ranking]").forEach((canvas) => {
    const domain = data.domains[Number(canvas.dataset.ranking)];
    if (!domain) {
      return;
    }
    // Room for two bars per need; set through the CSSOM, which the CSP allows.
    canvas.parentElement.style.height = `${4 + domain.labels.length * 2.6}rem`;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: domain.labels.map(shorten),
        datasets: [
          { label: data.labels.weighted, data: domain.weighted, backgroundColor: "#1f6feb" },
          { label: data.labels.raw, data: domain.raw, backgroundColor: "#b6c8e0" },
        ],
      },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { title: (items) => domain.labels[items[0].dataIndex] } },
        },
        scales: { x: { min: 0, suggestedMax: data.max } },
      },
    });
  });
});
