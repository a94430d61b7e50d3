// internal: the report page's own script (plain ES2017, run in the browser next to inlined uPlot).
//
// It reads the chart data from <script type="application/json" id="mb-data">, creates the charts
// near the viewport first (IntersectionObserver) and then every other one in small batches in the
// background, so a full-page capture or a PDF never meets an empty box; `beforeprint` and a print
// media query create whatever is left at once. It keeps widths in step with the window, redraws on
// a light/dark switch and on the "zoom y-axes" toggle, and exposes `window.mbReport` for tests:
// { total, created, errors, firstBatchMs, allDrawnMs, renderAll(), inspect() }.

/** The script's source text, inlined into the report by `renderReport`. */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var CHART_HEIGHT = 240;
  var ELAPSED_INCRS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
  var COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000];
  var payload = JSON.parse(document.getElementById('mb-data').textContent);
  var charts = payload.charts;
  var figures = Array.prototype.slice.call(document.querySelectorAll('figure[data-chart]'));
  var created = [];
  var state = { total: figures.length, created: 0, errors: [], firstBatchMs: null, allDrawnMs: null,
    zoomY: false };
  window.mbReport = state;

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }
  function pad2(n) {
    return n < 10 ? '0' + n : String(n);
  }
  function trimFixed(v, digits) {
    var s = v.toFixed(digits);
    if (s.indexOf('.') >= 0) s = s.replace(/0+$/, '').replace(/[.]$/, '');
    return s;
  }
  function fmtValue(v) {
    if (v == null) return '\\u2013';
    var a = Math.abs(v);
    if (a === 0) return '0';
    if (a >= 1e6 || a < 1e-3) return v.toPrecision(4);
    if (a >= 100) return trimFixed(v, 1);
    if (a >= 10) return trimFixed(v, 2);
    return trimFixed(v, 3);
  }
  function fmtElapsed(v, span) {
    var sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    if (span < 120) return sign + trimFixed(v, span < 1 ? 3 : span < 10 ? 2 : 1) + ' s';
    if (span < 7200) {
      var m = Math.floor(v / 60);
      var s = Math.round(v - m * 60);
      if (s === 60) { m++; s = 0; }
      return sign + m + 'm' + (s ? ' ' + pad2(s) + 's' : '');
    }
    var h = Math.floor(v / 3600);
    var mm = Math.round((v - h * 3600) / 60);
    if (mm === 60) { h++; mm = 0; }
    return sign + h + 'h' + (mm ? ' ' + pad2(mm) + 'm' : '');
  }
  function axisSize(u, values, axisIdx, cycleNum) {
    var axis = u.axes[axisIdx];
    if (cycleNum > 1) return axis._size;
    var width = 0;
    if (values) {
      u.ctx.font = axis.font[0];
      for (var i = 0; i < values.length; i++) {
        width = Math.max(width, u.ctx.measureText(values[i]).width / (window.devicePixelRatio || 1));
      }
    }
    return Math.max(40, Math.ceil(width) + 18);
  }

  function buildOptions(c, width) {
    var axisColor = cssVar('--axis') || '#666';
    var gridColor = cssVar('--grid') || 'rgba(127,127,127,0.15)';
    var unit = c.unit ? ' ' + c.unit : '';
    var elapsed = c.xKind === 'elapsed';
    var series = [{
      label: c.xLabel,
      value: function (u, v) {
        if (v == null) return '\\u2013';
        if (elapsed) return fmtElapsed(v, 0);
        return c.xKind === 'duration' ? fmtValue(v) + ' ' + c.xLabel.replace(/^.*[(]|[)]$/g, '') : '#' + v;
      }
    }];
    var bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.85, 60] }) : null;
    var noPath = function () { return null; };
    c.series.forEach(function (s, si) {
      var style = s.style || 'line';
      var spec = {
        label: s.label,
        stroke: s.color,
        width: style === 'line' ? 1.5 : 0,
        spanGaps: style === 'line',
        value: function (u, v, sidx, idx) {
          if (c.parts && idx != null) v = c.parts[si][idx];
          return v == null ? '\u2013' : fmtValue(v) + unit;
        }
      };
      if (style === 'line') {
        spec.fill = c.series.length === 1 && /^#[0-9a-f]{6}$/i.test(s.color) ? s.color + '22' : undefined;
        spec.points = { size: 4 };
      } else if (style === 'points') {
        spec.paths = noPath;
        spec.points = { show: true, size: 6, width: 1, stroke: s.color, fill: s.color };
      } else if (style === 'marks') {
        spec.paths = noPath;
        spec.points = { show: true, size: 10, width: 2, stroke: s.color, fill: 'transparent' };
      } else {
        spec.paths = bars || undefined;
        spec.fill = s.color + (s.color.charAt(0) === '#' ? 'cc' : '');
        spec.width = 1;
        spec.points = { show: false };
      }
      series.push(spec);
    });
    var xAxis = {
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1 },
      label: c.xLabel,
      labelSize: 22,
      incrs: elapsed ? ELAPSED_INCRS : c.xKind === 'duration' ? undefined : COUNT_INCRS,
      values: function (u, splits) {
        var span = u.scales.x.max - u.scales.x.min;
        return splits.map(function (v) {
          return elapsed ? fmtElapsed(v, span) : c.xKind === 'duration' ? fmtValue(v) : String(v);
        });
      }
    };
    var yAxis = {
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1 },
      label: c.yLabel,
      labelSize: 22,
      size: axisSize
    };
    var yScale = {};
    if (c.yFromZero && !state.zoomY) {
      yScale.range = function (u, min, max) {
        var top = max > 0 ? max : 1;
        return [Math.min(0, min), top * 1.05];
      };
    }
    var opts = {
      width: width,
      height: CHART_HEIGHT,
      scales: { x: { time: false }, y: yScale },
      series: series,
      axes: [xAxis, yAxis],
      legend: { live: c.series.length <= 16, isolate: c.series.length > 8 },
      cursor: { drag: { x: true, y: false } }
    };
    if (c.series.length > 1) {
      opts.focus = { alpha: 0.3 };
      opts.cursor.focus = { prox: 24 };
    }
    if (c.xKind === 'duration') {
      opts.scales.x.range = function (u, min, max) {
        var half = c.data[0].length > 1 ? (c.data[0][1] - c.data[0][0]) / 2 : Math.max(Math.abs(min) * 0.05, 1e-9);
        return [min - half, max + half];
      };
    } else if (!elapsed) {
      opts.scales.x.range = function (u, min, max) {
        var pad = c.series.some(function (s) { return s.style === 'bars'; }) ? Math.max(0.5, (max - min) / (2 * Math.max(1, c.data[0].length - 1))) : 0.5;
        return [min - pad, max + pad];
      };
    } else {
      opts.cursor.sync = { key: c.groupId };
    }
    return opts;
  }

  function createChart(fig) {
    if (fig.getAttribute('data-state')) return;
    var c = charts[fig.getAttribute('data-chart')];
    var plot = fig.querySelector('.plot');
    if (!c || !plot) return;
    try {
      var u = new uPlot(buildOptions(c, Math.max(240, plot.clientWidth)), c.data, plot);
      created.push({ fig: fig, plot: plot, u: u, c: c });
      fig.setAttribute('data-state', 'rendered');
      state.created++;
    } catch (e) {
      fig.setAttribute('data-state', 'error');
      state.errors.push(String((e && e.message) || e));
      plot.textContent = 'This chart could not be drawn: ' + String((e && e.message) || e);
    }
  }

  state.renderAll = function () {
    figures.forEach(createChart);
    noteAllDrawn();
    return state.created;
  };
  state.inspect = function () {
    return created.map(function (x) {
      var points = 0;
      for (var i = 1; i < x.u.data.length; i++) {
        var col = x.u.data[i];
        for (var j = 0; j < col.length; j++) if (col[j] != null) points++;
      }
      return { id: x.fig.getAttribute('data-chart'), series: x.u.series.length - 1, points: points,
        slots: x.u.data[0].length, width: x.u.width, height: x.u.height,
        yMin: x.u.scales.y ? x.u.scales.y.min : null };
    });
  };

  function noteAllDrawn() {
    if (state.allDrawnMs === null && state.created + state.errors.length >= state.total) {
      state.allDrawnMs = performance.now();
      document.documentElement.setAttribute('data-charts', 'drawn');
    }
  }
  var observer = null;
  if ('IntersectionObserver' in window) {
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          createChart(entry.target);
        }
      });
      if (state.firstBatchMs === null) state.firstBatchMs = performance.now();
      noteAllDrawn();
    }, { rootMargin: '400px 0px' });
    figures.forEach(function (f) { observer.observe(f); });
  }
  // Then every chart not drawn yet, a few at a time, so the page stays responsive and a
  // full-page capture taken a moment after load finds no empty box.
  var backgroundIndex = 0;
  function drawSomeMore() {
    var started = performance.now();
    while (backgroundIndex < figures.length && performance.now() - started < 30) {
      var fig = figures[backgroundIndex++];
      if (observer) observer.unobserve(fig);
      createChart(fig);
    }
    if (state.firstBatchMs === null) state.firstBatchMs = performance.now();
    noteAllDrawn();
    if (backgroundIndex < figures.length) setTimeout(drawSomeMore, 0);
  }
  setTimeout(drawSomeMore, 0);

  // Before printing: draw everything now (the print stylesheet scales each canvas to the page).
  function drawForPrint() {
    state.renderAll();
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (d) {
      if (!d.open) { d.setAttribute('data-opened-for-print', ''); d.open = true; }
    });
  }
  window.addEventListener('beforeprint', drawForPrint);
  window.addEventListener('afterprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details[data-opened-for-print]'), function (d) {
      d.removeAttribute('data-opened-for-print');
      d.open = false;
    });
  });
  var printMedia = window.matchMedia ? window.matchMedia('print') : null;
  if (printMedia && printMedia.addEventListener) {
    printMedia.addEventListener('change', function (e) { if (e.matches) drawForPrint(); });
  }

  var resizePending = false;
  window.addEventListener('resize', function () {
    if (resizePending) return;
    resizePending = true;
    requestAnimationFrame(function () {
      resizePending = false;
      created.forEach(function (x) {
        x.u.setSize({ width: Math.max(240, x.plot.clientWidth), height: CHART_HEIGHT });
      });
    });
  });

  function redrawAll() {
    var again = created.slice();
    created.length = 0;
    state.created = 0;
    again.forEach(function (x) {
      x.u.destroy();
      x.fig.removeAttribute('data-state');
      createChart(x.fig);
    });
  }
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  if (dark && dark.addEventListener) dark.addEventListener('change', redrawAll);
  var zoom = document.getElementById('mb-zoom-y');
  if (zoom) {
    zoom.addEventListener('change', function () {
      state.zoomY = zoom.checked;
      redrawAll();
    });
  }

  var onlyDiff = document.querySelectorAll('input[data-only-differs]');
  Array.prototype.forEach.call(onlyDiff, function (box) {
    box.addEventListener('change', function () {
      var table = document.getElementById(box.getAttribute('data-only-differs'));
      if (table) table.classList.toggle('only-differs', box.checked);
    });
  });
})();
`;
