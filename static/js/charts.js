/* Draws the dashboards' Plotly figures. Each <div data-figure="ID"> takes its figure from the JSON that
   Django's json_script wrote in <script id="ID" type="application/json">; the figures are built on the
   server (reports/charts.py), nothing is computed here. On a narrow screen the figure's `narrow` layout
   overrides apply (shorter labels, smaller font); Plotly's responsive mode follows the width. */
(function () {
  "use strict";
  var NARROW = 600;
  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };

  function copy(value) {
    return JSON.parse(JSON.stringify(value));
  }

  function override(layout, changes) {
    Object.keys(changes || {}).forEach(function (path) {
      var keys = path.split(".");
      var node = layout;
      keys.slice(0, -1).forEach(function (key) {
        if (typeof node[key] !== "object" || node[key] === null) { node[key] = {}; }
        node = node[key];
      });
      node[keys[keys.length - 1]] = changes[path];
    });
    return layout;
  }

  // The div gets the figure's height: Plotly's responsive resize measures the div, which would
  // otherwise collapse to its CSS min-height.
  function layoutFor(el, figure) {
    var layout = copy(figure.layout);
    if (el.clientWidth < NARROW) { override(layout, figure.narrow); }
    if (layout.height) { el.style.height = layout.height + "px"; }
    return layout;
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || !window.Plotly) { return null; }
    var figure = JSON.parse(source.textContent);
    el.isNarrow = el.clientWidth < NARROW;
    window.Plotly.newPlot(el, figure.data, layoutFor(el, figure), CONFIG);
    return { el: el, figure: figure };
  }

  var charts = Array.prototype.map.call(document.querySelectorAll("[data-figure]"), draw).filter(Boolean);

  // Printing (issue #17): the page is narrower on paper (A4 landscape, print.css) than on screen, and a
  // Plotly figure keeps the width it was drawn at — cut at the right edge. Before printing, each chart is
  // redrawn at the width its box has in the printed layout; afterwards, at the screen's again.
  // A browser may announce printing (beforeprint) before it lays the page out for paper: the class
  // "printing" then gives the page the printed geometry on screen (nav.css) while the charts are measured.
  var root = document.documentElement;
  function fitAll() {
    var printMedia = window.matchMedia && window.matchMedia("print").matches;
    if (!printMedia) { root.classList.add("printing"); }
    charts.forEach(function (chart) {
      var width = Math.floor(chart.el.getBoundingClientRect().width);
      if (width > 0) { window.Plotly.relayout(chart.el, { width: width }); }
    });
  }
  function unfitAll() {
    root.classList.remove("printing");
    charts.forEach(function (chart) {
      window.Plotly.relayout(chart.el, { width: null, autosize: true });
    });
  }
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    var onChange = function (event) { if (event.matches) { fitAll(); } else { unfitAll(); } };
    if (printing.addEventListener) { printing.addEventListener("change", onChange); }
    else if (printing.addListener) { printing.addListener(onChange); }
  }
  window.addEventListener("beforeprint", fitAll);
  window.addEventListener("afterprint", unfitAll);

  // Crossing the phone width (a rotated phone, a resized window) switches between the two layouts.
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) {
        var narrow = chart.el.clientWidth < NARROW;
        if (narrow !== chart.el.isNarrow) {
          chart.el.isNarrow = narrow;
          window.Plotly.react(chart.el, chart.figure.data, layoutFor(chart.el, chart.figure), CONFIG);
        }
      });
    }, 150);
  });
})();
