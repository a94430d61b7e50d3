/**
 * The report model → one self-contained HTML page (pure: a string out). Tables and the
 * comparison's box plot are plain HTML/SVG; charts are drawn in the browser by the inlined uPlot
 * from one JSON blob: the visible ones first, then all the others in the background, and every
 * one before printing, so a full-page capture or a PDF never has an empty box. A print stylesheet
 * puts one chart per row, keeps charts and table rows whole across pages, and opens every table.
 * A Content-Security-Policy forbids every network request, so the page works offline.
 */

import { formatP } from '../compare/compare.js';
import { PAGE_SCRIPT } from './_page-script.js';
import { formatBytes, formatSeconds } from './_units.js';
import type {
  ChartModel,
  IterationStats,
  ListingItem,
  MetadataRow,
  ReportComparison,
  ReportGroup,
  ReportModel,
  ReportRun,
  SubTimingRow,
} from './shape.js';

/** The chart library's code and style, inlined into the page. */
export interface ReportAssets {
  /** uPlot's IIFE build (defines the global `uPlot`). */
  readonly uplotScript: string;
  readonly uplotCss: string;
}

/** The tag every report carries near its top: how `report` knows a file is one of its own. */
export const REPORT_MARKER = '<meta name="generator" content="microbench-ts">';

const MAX_WARNINGS_SHOWN = 50;

const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:";

const PAGE_CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0;
  --panel: #f6f8fa; --axis: #59636e; --grid: rgba(31, 35, 40, 0.09); --warn: #9a6700; --bad: #d1242f;
  --ok: #1a7f37; --accent: #0969da; --differs: rgba(212, 167, 44, 0.16); --box: #4e79a7; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23;
    --axis: #9198a1; --grid: rgba(240, 246, 252, 0.1); --warn: #d29922; --bad: #f85149; --ok: #3fb950;
    --accent: #4493f8; --differs: rgba(187, 128, 9, 0.18); --box: #6b9bd1; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 1440px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 18px; padding-bottom: 8px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 10px; display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
a { color: var(--accent); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.muted { color: var(--muted); }
.hint { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
.kind { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em;
  border: 1px solid var(--border); border-radius: 10px; padding: 1px 8px; color: var(--muted); }
.warnings { border: 1px solid var(--warn); border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.warnings summary { color: var(--warn); font-weight: 600; cursor: pointer; }
.warnings ul { margin: 6px 0 0; padding-left: 20px; }
nav.toc ul { margin: 6px 0 0; padding-left: 20px; columns: 2 320px; }
.controls { font-size: 13px; margin: 8px 0 0; display: flex; gap: 16px; flex-wrap: wrap; }
section.group, section.comparison { border-top: 1px solid var(--border); padding: 18px 0 22px; }
.table-wrap { max-height: 420px; overflow: auto; border: 1px solid var(--border); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--panel); z-index: 1; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.value { word-break: break-word; white-space: pre-wrap; }
table.stats { width: auto; }
tr.gap td { color: var(--muted); font-style: italic; background: var(--panel); }
.badge { font-size: 11px; border-radius: 8px; padding: 0 6px; border: 1px solid currentColor; }
.status-ok { color: var(--ok); }
.status-bad { color: var(--bad); }
.status-warn { color: var(--warn); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr));
  gap: 16px; margin: 16px 0; }
figure.chart { margin: 0; border: 1px solid var(--border); border-radius: 6px; padding: 10px 10px 6px;
  min-height: 320px; min-width: 0; }
figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 8px;
  margin: 0 4px 6px; font-weight: 600; }
figcaption .note { font-weight: 400; font-size: 12px; color: var(--muted); text-align: right; }
.plot { width: 100%; min-height: 260px; }
.uplot { font-family: inherit; width: 100%; }
.u-legend { font-size: 12px; color: var(--fg); }
.u-legend .u-series > * { padding: 2px 4px; }
.u-select { background: rgba(127, 127, 127, 0.2); }
.u-hz .u-cursor-x, .u-hz .u-cursor-y { border-color: var(--muted); }
svg.boxplot { width: 100%; height: auto; max-width: 1100px; display: block; margin: 10px 0; }
svg.boxplot text { fill: var(--fg); font: 12px system-ui, sans-serif; }
svg.boxplot .axis { stroke: var(--border); }
svg.boxplot .tick { fill: var(--muted); }
svg.boxplot .whisker { stroke: var(--muted); stroke-width: 1.5; }
svg.boxplot .box { fill: var(--box); fill-opacity: 0.35; stroke: var(--box); stroke-width: 1.5; }
svg.boxplot .median { stroke: var(--fg); stroke-width: 2.5; }
details.meta { margin-top: 6px; }
details.meta > summary { cursor: pointer; font-weight: 600; margin-bottom: 8px; }
tr.differs > td { background: var(--differs); }
table.only-differs tr.same { display: none; }
label.filter { font-size: 12px; color: var(--muted); display: inline-flex; gap: 6px; margin: 0 0 8px; }
footer { max-width: 1440px; margin: 0 auto; padding: 12px 24px 28px; color: var(--muted); font-size: 12px; }
@media print {
  @page { size: A4; margin: 12mm; }
  :root { color-scheme: light; --bg: #ffffff; --fg: #000000; --muted: #444c56; --border: #b0b8c1;
    --panel: #f0f2f4; --axis: #444c56; --grid: rgba(0, 0, 0, 0.12); }
  body { font-size: 10.5pt; }
  header, main, footer { max-width: none; padding-left: 0; padding-right: 0; }
  .noprint, label.filter, .hint { display: none !important; }
  section.group { break-before: page; }
  h2, h3, figcaption { break-after: avoid; }
  .charts { display: block; margin: 8px 0; }
  figure.chart { break-inside: avoid; min-height: 0; margin: 0 0 10px; padding: 6px; }
  .plot { min-height: 0; }
  .uplot, .u-wrap { width: 100% !important; height: auto !important; }
  .u-wrap canvas { position: static !important; width: 100% !important; height: auto !important; }
  .u-over, .u-under, .u-cursor-x, .u-cursor-y { display: none !important; }
  .table-wrap { max-height: none; overflow: visible; border: none; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 5px; }
  thead { display: table-header-group; }
  thead th { position: static; }
  tr, svg.boxplot { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

/** Render the report model as a complete HTML document that needs nothing but itself. */
export function renderReport(model: ReportModel, assets: ReportAssets): string {
  const payload = { version: 2, charts: Object.fromEntries(allCharts(model).map(chartPayload)) };
  const parts = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    REPORT_MARKER,
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(model.title)}</title>`,
    `<style>${escapeStyle(assets.uplotCss)}</style>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    renderHeader(model),
    '<main>',
    model.comparison === null ? '' : renderComparison(model.comparison, model.groups),
    ...model.groups.map(renderGroup),
    '</main>',
    '<footer>Made by microbench-ts. Charts: uPlot. Statistics use successful iterations only. ' +
      'Long series are drawn min/max-decimated and long run lists are shortened; the full data is ' +
      'in the results files.</footer>',
    `<script type="application/json" id="mb-data">${escapeJsonForScript(JSON.stringify(payload))}</script>`,
    `<script>${escapeScript(assets.uplotScript)}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ];
  return parts.join('\n');
}

/** Escape text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Make JSON safe inside `<script type="application/json">`: every `<` becomes `\u003c`, so no
 * `</script` or `<!--` can end or confuse the element; the JSON still parses to the same value.
 */
export function escapeJsonForScript(json: string): string {
  return json
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

// Guard inlined code against a literal closing tag.
function escapeScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

// Guard inlined CSS against a literal closing tag.
function escapeStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

// Every chart of every group.
function allCharts(model: ReportModel): ChartModel[] {
  return model.groups.flatMap((g) => g.charts);
}

// What the page script needs of a chart (the title and note live in the HTML).
function chartPayload(c: ChartModel): [string, unknown] {
  return [
    c.id,
    {
      groupId: c.groupId,
      xKind: c.xKind,
      xLabel: c.xLabel,
      yLabel: c.yLabel,
      unit: c.unit,
      yFromZero: c.yFromZero,
      series: c.series,
      data: c.data,
      ...(c.parts === undefined ? {} : { parts: c.parts }),
    },
  ];
}

// Title, counts, sources, warnings, the table of contents and the chart controls.
function renderHeader(model: ReportModel): string {
  const facts = [
    `${count(model.recordCount, 'record')}`,
    `${count(model.groups.length, 'function/command', 'functions/commands')}`,
    `${count(model.sampleCount, 'telemetry sample')}`,
  ];
  if (model.generatedAt !== '') facts.unshift(`generated ${escapeHtml(model.generatedAt)}`);
  const sources =
    model.sources.length === 0
      ? ''
      : `<p class="muted">From ${model.sources
          .map(
            (s) =>
              `<code>${escapeHtml(s.file)}</code> (${count(s.records, 'record')}` +
              `${s.skippedLines > 0 ? `, <span class="status-warn">${count(s.skippedLines, 'corrupt line')} skipped</span>` : ''})`,
          )
          .join(', ')}</p>`;
  const warnings =
    model.warnings.length === 0
      ? ''
      : `<details class="warnings" open><summary>${count(model.warnings.length, 'problem')} reading the input</summary><ul>${model.warnings
          .slice(0, MAX_WARNINGS_SHOWN)
          .map((w) => `<li class="mono">${escapeHtml(w)}</li>`)
          .join('')}${
          model.warnings.length > MAX_WARNINGS_SHOWN
            ? `<li>… and ${model.warnings.length - MAX_WARNINGS_SHOWN} more</li>`
            : ''
        }</ul></details>`;
  const toc =
    model.groups.length < 2
      ? ''
      : `<nav class="toc"><ul>${model.groups
          .map(
            (g) =>
              `<li><a href="#${g.id}">${escapeHtml(g.name)}</a> <span class="muted">(${count(g.runCount, 'run')})</span></li>`,
          )
          .join('')}</ul></nav>`;
  const empty = model.groups.length === 0 ? '<p>No records to show.</p>' : '';
  return [
    '<header>',
    `<h1>${escapeHtml(model.title)}</h1>`,
    `<p class="muted">${facts.join(' · ')}</p>`,
    sources,
    warnings,
    toc,
    empty,
    '<div class="controls noprint"><label><input type="checkbox" id="mb-zoom-y"> zoom y-axes to the data ' +
      '(durations and memory start at zero otherwise)</label></div>',
    '<p class="hint">Charts: drag to zoom, double-click to reset, click a legend entry to hide or show it (with many series: to show only it). ' +
      'Telemetry time runs from each series’ first sample. Red rings mark failed iterations.</p>',
    '</header>',
  ].join('\n');
}

// The benchmarks side by side: a table relative to the reference and a box plot from zero.
function renderComparison(comparison: ReportComparison, groups: readonly ReportGroup[]): string {
  const links = new Map(groups.map((g) => [g.id, g]));
  const rows = comparison.rows.map((r) => {
    const isReference = r.name === comparison.reference;
    const times = (v: number): string => `${v.toFixed(v >= 10 ? 1 : 3)}×`;
    const ratio = isReference
      ? '<span class="muted">reference</span>'
      : `${times(r.ratio)}${r.ratioCi === null ? '' : ` <span class="muted">[${times(r.ratioCi[0])} … ${times(r.ratioCi[1])}]</span>`}`;
    const verdict =
      r.verdict === null
        ? '–'
        : `<span class="${r.verdict === 'slower' ? 'status-bad' : r.verdict === 'faster' ? 'status-ok' : 'muted'}">${r.verdict}</span>` +
          `${r.pValue === null ? '' : ` <span class="muted">p ${formatP(r.pValue)}</span>`}`;
    return (
      '<tr>' +
      `<td><a href="#${r.groupId}"><code>${escapeHtml(links.get(r.groupId)?.name ?? r.name)}</code></a></td>` +
      `<td class="num">${grouped(r.count)}</td>` +
      `<td class="num">${seconds(r.medianS)}</td>` +
      `<td class="num">${seconds(r.meanS)}</td>` +
      `<td class="num">${seconds(r.p5S)} … ${seconds(r.p95S)}</td>` +
      `<td class="num">${ratio}</td>` +
      `<td>${verdict}</td>` +
      `<td class="num">${r.failed > 0 ? `<span class="status-bad">${grouped(r.failed)}</span>` : '0'}</td>` +
      '</tr>'
    );
  });
  const against =
    comparison.referenceKind === 'baseline'
      ? `the baseline <code>${escapeHtml(comparison.reference)}</code>`
      : `the fastest, <code>${escapeHtml(comparison.reference)}</code>`;
  return [
    '<section class="comparison" id="comparison">',
    `<h2>Comparison <span class="muted">${count(comparison.rows.length, 'benchmark')}, medians relative to ${against}</span></h2>`,
    '<div class="table-wrap"><table class="compare"><thead><tr><th>benchmark</th><th class="num">n</th>' +
      '<th class="num">median</th><th class="num">mean</th><th class="num">5th … 95th percentile</th>' +
      '<th class="num">median ratio [95% CI]</th><th>verdict</th><th class="num">failed</th></tr></thead>' +
      `<tbody>${rows.join('')}</tbody></table></div>`,
    comparison.warnings.length === 0
      ? ''
      : `<ul class="compare-warnings">${comparison.warnings.map((w) => `<li class="status-warn">${escapeHtml(w)}</li>`).join('')}</ul>`,
    renderBoxPlot(comparison),
    '<p class="hint">Ratio of medians with a seeded bootstrap 95 % interval; verdict from a two-sided Mann–Whitney U test ' +
      '(same: not significant or within 2 %), as `microbench compare`. Boxes: 25th to 75th percentile, the thick line the median; ' +
      'whiskers: 5th to 95th percentile. Successful iterations only; the axis starts at zero.</p>',
    '</section>',
  ].join('\n');
}

// Horizontal box plots on one axis from zero, as inline SVG (drawn on screen and on paper alike).
function renderBoxPlot(comparison: ReportComparison): string {
  const rows = comparison.rows;
  const left = 230;
  const right = 30;
  const width = 1000;
  const rowHeight = 30;
  const top = 10;
  const plotHeight = rows.length * rowHeight;
  const height = top + plotHeight + 34;
  let max = 0;
  for (const r of rows) max = Math.max(max, r.p95S);
  const ticks = niceTicks(max);
  const end = ticks[ticks.length - 1]!;
  const x = (v: number): number => left + ((width - left - right) * v) / end;
  const out: string[] = [
    `<svg class="boxplot" viewBox="0 0 ${width} ${height}" role="img" aria-label="duration distribution of each benchmark">`,
  ];
  for (const t of ticks) {
    out.push(
      `<line class="axis" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top}" y2="${top + plotHeight}"/>`,
      `<text class="tick" x="${x(t).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle">${escapeHtml(formatSeconds(t))}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowHeight + rowHeight / 2;
    const name = r.name.length > 32 ? `${r.name.slice(0, 31)}…` : r.name;
    out.push(
      `<text x="${left - 10}" y="${y + 4}" text-anchor="end">${escapeHtml(name)}</text>`,
      `<line class="whisker" x1="${x(r.p5S).toFixed(1)}" x2="${x(r.p95S).toFixed(1)}" y1="${y}" y2="${y}"/>`,
      `<line class="whisker" x1="${x(r.p5S).toFixed(1)}" x2="${x(r.p5S).toFixed(1)}" y1="${y - 6}" y2="${y + 6}"/>`,
      `<line class="whisker" x1="${x(r.p95S).toFixed(1)}" x2="${x(r.p95S).toFixed(1)}" y1="${y - 6}" y2="${y + 6}"/>`,
      `<rect class="box" x="${x(r.p25S).toFixed(1)}" y="${y - 9}" width="${Math.max(1, x(r.p75S) - x(r.p25S)).toFixed(1)}" height="18"/>`,
      `<line class="median" x1="${x(r.medianS).toFixed(1)}" x2="${x(r.medianS).toFixed(1)}" y1="${y - 9}" y2="${y + 9}"/>`,
    );
  });
  out.push(
    `<text class="tick" x="${(left + width - right) / 2}" y="${height - 2}" text-anchor="middle">duration</text>`,
    '</svg>',
  );
  return out.join('');
}

// Round tick values from 0 to at least `max` (1, 2 or 5 times a power of ten apart).
function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let k = 0; ticks.length === 0 || ticks[ticks.length - 1]! < max; k++) {
    ticks.push(Number((k * step).toPrecision(12)));
  }
  return ticks;
}

// One function or command: statistics, charts, sub-timings, runs, metadata.
function renderGroup(group: ReportGroup): string {
  const noTelemetry =
    group.samples === 0
      ? '<p class="muted">No telemetry in these records: only durations and metadata.</p>'
      : group.telemetryRunsDrawn < group.telemetryRuns
        ? `<p class="muted">Telemetry charts draw ${group.telemetryRunsDrawn} of ${grouped(group.telemetryRuns)} runs with telemetry: the first and the last.</p>`
        : '';
  return [
    `<section class="group" id="${group.id}">`,
    `<h2><span class="kind">${group.kind}</span> <code>${escapeHtml(group.name)}</code>` +
      ` <span class="muted">${count(group.runCount, 'run')} · ${count(group.stats.count, 'successful iteration')} · ${count(group.samples, 'sample')}</span></h2>`,
    renderStats(group.stats, group),
    group.charts.length === 0
      ? ''
      : `<div class="charts">${group.charts.map(renderChart).join('\n')}</div>`,
    noTelemetry,
    renderSubTimings(group.subTimings),
    renderRuns(group),
    renderMetadata(group),
    '</section>',
  ].join('\n');
}

// The group's statistics over successful iterations, and its failures.
function renderStats(s: IterationStats, group: ReportGroup): string {
  const cells: [string, string][] = [
    ['n', grouped(s.count)],
    ['mean', seconds(s.meanS)],
    ['median', seconds(s.medianS)],
    ['stdev', seconds(s.stdevS)],
    ['min', seconds(s.minS)],
    ['5th pct', seconds(s.p5S)],
    ['95th pct', seconds(s.p95S)],
    ['max', seconds(s.maxS)],
  ];
  const bad = (n: number): string =>
    n > 0 ? `<span class="status-bad">${grouped(n)}</span>` : '0';
  cells.push(
    ['failed', bad(s.failed)],
    ['timed out', bad(s.timedOut)],
    ['interrupted', bad(s.interrupted)],
  );
  cells.push(['runs with failures', `${bad(group.failedRuns)} of ${grouped(group.runCount)}`]);
  return (
    '<div class="table-wrap"><table class="stats"><thead><tr>' +
    cells.map(([h]) => `<th class="num">${h}</th>`).join('') +
    '</tr></thead><tbody><tr>' +
    cells.map(([, v]) => `<td class="num">${v}</td>`).join('') +
    '</tr></tbody></table></div>'
  );
}

// Sub-timings (bench.time) per name.
function renderSubTimings(rows: readonly SubTimingRow[]): string {
  if (rows.length === 0) return '';
  const total = rows.reduce((n, r) => n + r.totalS, 0);
  const body = rows
    .map(
      (r) =>
        '<tr>' +
        `<td class="mono">${escapeHtml(r.name)}</td>` +
        `<td class="num">${grouped(r.runs)}</td>` +
        `<td class="num">${grouped(r.count)}</td>` +
        `<td class="num">${seconds(r.meanS)}</td>` +
        `<td class="num">${seconds(r.minS)}</td>` +
        `<td class="num">${seconds(r.maxS)}</td>` +
        `<td class="num">${seconds(r.totalS)}</td>` +
        `<td class="num">${total > 0 ? ((100 * r.totalS) / total).toFixed(1) : '–'} %</td>` +
        '</tr>',
    )
    .join('');
  return (
    '<h3>Sub-timings <span class="muted">(bench.time)</span></h3>' +
    '<div class="table-wrap"><table class="subtimings"><thead><tr><th>part</th><th class="num">runs</th>' +
    '<th class="num">times</th><th class="num">mean</th><th class="num">min</th><th class="num">max</th>' +
    `<th class="num">total</th><th class="num">share</th></tr></thead><tbody>${body}</tbody></table></div>`
  );
}

// The runs table: the listed runs, with the runs between them counted.
function renderRuns(group: ReportGroup): string {
  const listed = group.listing.filter((i) => i.type === 'run').length;
  const rows = group.listing.map((item) => renderListingItem(item));
  const title =
    listed === group.runCount
      ? `Runs <span class="muted">(${grouped(group.runCount)})</span>`
      : `Runs <span class="muted">(${listed} of ${grouped(group.runCount)} listed: the first, the last` +
        `${group.outlierRuns > 0 ? ` and the most extreme of ${count(group.outlierRuns, 'outlier')}` : ''})</span>`;
  return (
    `<h3>${title}</h3>` +
    '<div class="table-wrap"><table class="runs"><thead><tr>' +
    '<th class="num">run</th><th>source</th><th>start time</th><th>host</th>' +
    '<th class="num">n</th><th class="num">median</th><th class="num">mean</th><th class="num">min</th><th class="num">max</th>' +
    '<th class="num">peak rss</th><th class="num">samples</th><th>status</th>' +
    `</tr></thead><tbody>${rows.join('')}</tbody></table></div>`
  );
}

// One row of the runs table.
function renderListingItem(item: ListingItem<ReportRun>): string {
  if (item.type === 'gap') {
    return `<tr class="gap"><td colspan="12">… ${count(item.count, 'run')} not listed</td></tr>`;
  }
  const r = item.row;
  const samples =
    r.samples === 0
      ? '–'
      : `${grouped(r.samples)}${r.samplesTotal !== null && r.samplesTotal > r.samples ? ` of ${grouped(r.samplesTotal)}` : ''}` +
        `${r.sampleErrors > 0 ? ` <span class="status-warn">(${count(r.sampleErrors, 'error')})</span>` : ''}`;
  const badge =
    item.outlier === null
      ? ''
      : ` <span class="badge status-warn">${item.outlier === 'slow' ? 'slow outlier' : 'fast outlier'}</span>`;
  return (
    `<tr${item.outlier === null ? '' : ' class="outlier"'}>` +
    `<td class="num">${r.number}${badge}</td>` +
    `<td class="mono">${r.source === null ? '–' : escapeHtml(r.source)}</td>` +
    `<td class="mono">${r.startTime === null ? '–' : escapeHtml(r.startTime)}</td>` +
    `<td>${r.hostname === null ? '–' : escapeHtml(r.hostname)}</td>` +
    `<td class="num">${r.count}${r.unsuccessful > 0 ? ` <span class="status-bad">+${r.unsuccessful} failed</span>` : ''}</td>` +
    `<td class="num">${seconds(r.medianS)}</td>` +
    `<td class="num">${seconds(r.meanS)}</td>` +
    `<td class="num">${seconds(r.minS)}</td>` +
    `<td class="num">${seconds(r.maxS)}</td>` +
    `<td class="num">${r.peakRssBytes === null ? '–' : formatBytes(r.peakRssBytes)}</td>` +
    `<td class="num">${samples}</td>` +
    `<td>${renderStatus(r)}</td>` +
    '</tr>'
  );
}

// ok / exception / interrupted / failed, coloured.
function renderStatus(run: ReportRun): string {
  const s = run.status;
  switch (s.type) {
    case 'ok':
      return '<span class="status-ok">ok</span>';
    case 'exception':
      return `<span class="status-bad">${escapeHtml(s.name)}: ${escapeHtml(s.message)}</span>`;
    case 'interrupted':
      return `<span class="status-warn">interrupted${s.detail === '' ? '' : ` (${escapeHtml(s.detail)})`}</span>`;
    case 'failed':
      return `<span class="status-bad">exit ${escapeHtml(s.returncodes.join(', '))}</span>`;
  }
}

// A chart placeholder: the page script draws into `.plot`.
function renderChart(chart: ChartModel): string {
  return (
    `<figure class="chart" data-chart="${chart.id}">` +
    `<figcaption><span>${escapeHtml(chart.title)}</span><span class="note">${escapeHtml(chart.note)}</span></figcaption>` +
    '<div class="plot"></div></figure>'
  );
}

// The metadata tally: one row per key, its value, or its values with how many runs hold each.
function renderMetadata(group: ReportGroup): string {
  const rows = group.metadata;
  if (rows.length === 0) return '';
  const differing = rows.filter((r) => !r.same).length;
  const tableId = `${group.id}-meta`;
  const several = group.runCount > 1;
  const body = rows.map((row) => renderMetadataRow(row, group.runCount)).join('');
  const filter =
    several && differing > 0
      ? `<label class="filter"><input type="checkbox" data-only-differs="${tableId}"> only fields that differ between runs</label>`
      : '';
  const summary = several
    ? `Metadata (${count(rows.length, 'field')}, ${differing} differ between runs)`
    : `Metadata (${count(rows.length, 'field')})`;
  return (
    `<details class="meta"${several ? ' open' : ''}><summary>${summary}</summary>${filter}` +
    `<div class="table-wrap"><table id="${tableId}"><thead><tr><th>field</th><th>value</th>` +
    `${several ? '<th class="num">runs</th>' : ''}</tr></thead><tbody>${body}</tbody></table></div></details>`
  );
}

// One metadata row.
function renderMetadataRow(row: MetadataRow, runs: number): string {
  const key = `<td class="mono">${escapeHtml(row.key)}</td>`;
  if (row.same) {
    const runsCell = runs > 1 ? `<td class="num">all</td>` : '';
    return `<tr class="same">${key}<td class="value mono">${escapeHtml(row.values[0]!.text)}</td>${runsCell}</tr>`;
  }
  const lines = row.values.map((v) => `${v.text}   (${count(v.runs, 'run')})`);
  if (row.otherRuns > 0) lines.push(`… other values (${count(row.otherRuns, 'run')})`);
  if (row.runs < runs) lines.push(`(absent in ${count(runs - row.runs, 'run')})`);
  return (
    `<tr class="differs">${key}<td class="value mono">${escapeHtml(lines.join('\n'))}</td>` +
    `<td class="num">${grouped(row.runs)}</td></tr>`
  );
}

// A duration cell: adaptive unit, `–` for NaN.
function seconds(value: number): string {
  return Number.isNaN(value) ? '–' : formatSeconds(value);
}

// "3 records", "1 record".
function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${grouped(n)} ${n === 1 ? singular : plural}`;
}

// 12,345 with thousands separators.
function grouped(n: number): string {
  return n.toLocaleString('en-US');
}
