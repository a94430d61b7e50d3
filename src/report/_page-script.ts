// internal: the report page's own script (plain ES2017, run in the browser next to inlined uPlot).
//
// It reads the chart data from <script type="application/json" id="mb-data">, creates each chart
// only when its placeholder comes near the viewport (IntersectionObserver), keeps widths in step
// with the window, redraws on a light/dark switch, and exposes `window.mbReport` for tests:
// { total, created, errors, firstBatchMs, renderAll(), inspect() }.

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
  var state = { total: figures.length, created: 0, errors: [], firstBatchMs: null };
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
        return elapsed ? fmtElapsed(v, 0) : '#' + v;
      }
    }];
    c.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.color,
        fill: c.series.length === 1 && elapsed && /^#[0-9a-f]{6}$/i.test(s.color) ? s.color + '22' : undefined,
        width: 1.5,
        spanGaps: true,
        points: elapsed ? { size: 4 } : { show: true, size: 7, fill: s.color },
        value: function (u, v) { return v == null ? '\\u2013' : fmtValue(v) + unit; }
      });
    });
    var xAxis = {
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1 },
      label: c.xLabel,
      labelSize: 22,
      incrs: elapsed ? ELAPSED_INCRS : COUNT_INCRS,
      values: function (u, splits) {
        var span = u.scales.x.max - u.scales.x.min;
        return splits.map(function (v) { return elapsed ? fmtElapsed(v, span) : String(v); });
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
    var opts = {
      width: width,
      height: CHART_HEIGHT,
      scales: { x: { time: false } },
      series: series,
      axes: [xAxis, yAxis],
      legend: { live: c.series.length <= 16, isolate: c.series.length > 8 },
      cursor: { drag: { x: true, y: false } }
    };
    if (c.series.length > 1) {
      opts.focus = { alpha: 0.3 };
      opts.cursor.focus = { prox: 24 };
    }
    if (!elapsed) {
      opts.scales.x.range = function (u, min, max) { return [min - 0.5, max + 0.5]; };
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
        slots: x.u.data[0].length, width: x.u.width, height: x.u.height };
    });
  };

  if ('IntersectionObserver' in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          createChart(entry.target);
        }
      });
      if (state.firstBatchMs === null) state.firstBatchMs = performance.now();
    }, { rootMargin: '400px 0px' });
    figures.forEach(function (f) { observer.observe(f); });
  } else {
    state.renderAll();
    state.firstBatchMs = performance.now();
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

  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  if (dark && dark.addEventListener) {
    dark.addEventListener('change', function () {
      var again = created.slice();
      created.length = 0;
      state.created = 0;
      again.forEach(function (x) {
        x.u.destroy();
        x.fig.removeAttribute('data-state');
        createChart(x.fig);
      });
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
