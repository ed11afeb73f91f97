// The standings' charts: each canvas names the JSON block holding its group's units and totals.
// Drawn when a page loads and whenever htmx brings new content in.
(function () {
  "use strict";
  function draw(root) {
    if (typeof Chart === "undefined") return;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (Chart.getChart(canvas)) return;
      var data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
      // One bar per unit, laid sideways so that long unit names read on a phone.
      canvas.parentNode.style.height = 60 + 28 * data.units.length + "px";
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.units,
          datasets: [{ label: data.title, data: data.totals, backgroundColor: "#b3262d" }],
        },
        options: {
          indexAxis: "y",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false }, title: { display: true, text: data.title } },
        },
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof htmx !== "undefined") {
      htmx.onLoad(draw);
    } else {
      draw(document);
    }
  });
})();

// An upload's progress: htmx reports the bytes sent; the form's <progress> shows them, and the
// paragraph holding it is shown while the request runs (htmx-request on the indicator).
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.querySelector("#working progress");
  if (bar && event.detail.lengthComputable) {
    bar.value = Math.round((100 * event.detail.loaded) / event.detail.total);
  }
});
