/* Report charts: a <canvas class="report-chart" data-chart="{json}"> is drawn with the
   vendored Chart.js, which is fetched only when the first chart appears (its URL in
   data-chart-script). The same figures are in the table beside it. No inline script. */
(function () {
  "use strict";

  var loading = null;

  function library(src) {
    if (window.Chart) return Promise.resolve(window.Chart);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.Chart); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function draw(canvas) {
    if (canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    var spec = JSON.parse(canvas.dataset.chart);
    library(canvas.dataset.chartScript).then(function (Chart) {
      new Chart(canvas, {
        type: spec.type,
        data: {
          labels: spec.labels,
          datasets: [{ label: spec.label, data: spec.data, backgroundColor: "#4f7cac",
                       borderColor: "#2f5d8c", spanGaps: true, tension: 0.2 }]
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   scales: { y: { beginAtZero: true,
                                  ticks: spec.whole ? { precision: 0 } : {} } } }
      });
      canvas.dataset.ready = "1";
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas.report-chart").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
})();
