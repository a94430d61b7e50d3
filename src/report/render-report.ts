/**
 * The report model → one self-contained HTML page (pure: a string out). Tables are plain HTML;
 * charts are drawn in the browser by the inlined uPlot from one JSON blob, lazily as they scroll
 * into view. A Content-Security-Policy forbids every network request, so the page works offline
 * and never phones home.
 */

import { PAGE_SCRIPT } from './_page-script.js';
import { formatBytes, formatSeconds } from './_units.js';
import type { ChartModel, MetadataRow, ReportGroup, ReportModel, ReportRun } from './shape.js';

/** The chart library's code and style, inlined into the page. */
export interface ReportAssets {
  /** uPlot's IIFE build (defines the global `uPlot`). */
  readonly uplotScript: string;
  readonly uplotCss: string;
}

/** Runs above this count get a single "value" column in the metadata table instead of one per run. */
const MAX_METADATA_COLUMNS = 8;
const MAX_WARNINGS_SHOWN = 50;

const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:";

const PAGE_CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0;
  --panel: #f6f8fa; --axis: #59636e; --grid: rgba(31, 35, 40, 0.09); --warn: #9a6700; --bad: #d1242f;
  --ok: #1a7f37; --accent: #0969da; --differs: rgba(212, 167, 44, 0.16); }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23;
    --axis: #9198a1; --grid: rgba(240, 246, 252, 0.1); --warn: #d29922; --bad: #f85149; --ok: #3fb950;
    --accent: #4493f8; --differs: rgba(187, 128, 9, 0.18); }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 1440px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 18px; padding-bottom: 8px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 10px; display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; }
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
section.group { border-top: 1px solid var(--border); padding: 18px 0 22px; }
.table-wrap { max-height: 360px; overflow: auto; border: 1px solid var(--border); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--panel); z-index: 1; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.value { word-break: break-word; white-space: pre-wrap; }
.status-ok { color: var(--ok); }
.status-bad { color: var(--bad); }
.status-warn { color: var(--warn); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr));
  gap: 16px; margin: 16px 0; }
figure.chart { margin: 0; border: 1px solid var(--border); border-radius: 6px; padding: 10px 10px 6px;
  min-height: 320px; min-width: 0; }
figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 8px;
  margin: 0 4px 6px; font-weight: 600; }
figcaption .note { font-weight: 400; font-size: 12px; color: var(--muted); }
.plot { width: 100%; min-height: 260px; }
.uplot { font-family: inherit; width: 100%; }
.u-legend { font-size: 12px; color: var(--fg); }
.u-legend .u-series > * { padding: 2px 4px; }
.u-select { background: rgba(127, 127, 127, 0.2); }
.u-hz .u-cursor-x, .u-hz .u-cursor-y { border-color: var(--muted); }
details.meta { margin-top: 6px; }
details.meta > summary { cursor: pointer; font-weight: 600; margin-bottom: 8px; }
tr.differs > td { background: var(--differs); }
table.only-differs tr.same { display: none; }
label.filter { font-size: 12px; color: var(--muted); display: inline-flex; gap: 6px; margin: 0 0 8px; }
footer { max-width: 1440px; margin: 0 auto; padding: 12px 24px 28px; color: var(--muted); font-size: 12px; }
`;

/** Render the report model as a complete HTML document that needs nothing but itself. */
export function renderReport(model: ReportModel, assets: ReportAssets): string {
  const payload = { version: 1, charts: Object.fromEntries(allCharts(model).map(chartPayload)) };
  const parts = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="microbench-ts">',
    `<title>${escapeHtml(model.title)}</title>`,
    `<style>${escapeStyle(assets.uplotCss)}</style>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    renderHeader(model),
    '<main>',
    ...model.groups.map(renderGroup),
    '</main>',
    '<footer>Made by microbench-ts. Charts: uPlot. Long series are drawn min/max-decimated; ' +
      'the full samples are in the results file.</footer>',
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

// What the page script needs of a chart (the title lives in the HTML).
function chartPayload(c: ChartModel): [string, unknown] {
  return [
    c.id,
    {
      groupId: c.groupId,
      xKind: c.xKind,
      xLabel: c.xLabel,
      yLabel: c.yLabel,
      unit: c.unit,
      series: c.series,
      data: c.data,
    },
  ];
}

// Title, counts, sources, warnings and the table of contents.
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
              `<li><a href="#${g.id}">${escapeHtml(g.name)}</a> <span class="muted">(${count(g.runs.length, 'run')})</span></li>`,
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
    '<p class="hint">Charts: drag to zoom, double-click to reset, click a legend entry to hide or show it (with many runs: to show only it). ' +
      'Telemetry time runs from each run’s first sample.</p>',
    '</header>',
  ].join('\n');
}

// One function or command: runs table, charts, metadata.
function renderGroup(group: ReportGroup): string {
  const samples = group.runs.reduce((n, r) => n + r.samples, 0);
  const noTelemetry =
    samples === 0
      ? '<p class="muted">No telemetry in these records: only durations and metadata.</p>'
      : '';
  return [
    `<section class="group" id="${group.id}">`,
    `<h2><span class="kind">${group.kind}</span> <code>${escapeHtml(group.name)}</code>` +
      ` <span class="muted">${count(group.runs.length, 'run')} · ${count(samples, 'sample')}</span></h2>`,
    renderRunsTable(group.runs),
    noTelemetry,
    group.charts.length === 0
      ? ''
      : `<div class="charts">${group.charts.map(renderChart).join('\n')}</div>`,
    renderMetadata(group),
    '</section>',
  ].join('\n');
}

// The runs of a group, one row each.
function renderRunsTable(runs: readonly ReportRun[]): string {
  const seconds = (v: number): string => (Number.isNaN(v) ? '–' : formatSeconds(v));
  const rows = runs.map((r) => {
    const samples =
      r.samples === 0
        ? '–'
        : `${grouped(r.samples)}${r.samplesTotal !== null && r.samplesTotal > r.samples ? ` of ${grouped(r.samplesTotal)}` : ''}` +
          `${r.sampleErrors > 0 ? ` <span class="status-warn">(${count(r.sampleErrors, 'error')})</span>` : ''}`;
    return (
      '<tr>' +
      `<td class="num">${r.number}</td>` +
      `<td class="mono">${r.source === null ? '–' : escapeHtml(r.source)}</td>` +
      `<td class="mono">${r.startTime === null ? '–' : escapeHtml(r.startTime)}</td>` +
      `<td>${r.hostname === null ? '–' : escapeHtml(r.hostname)}</td>` +
      `<td class="num">${r.stats.count}</td>` +
      `<td class="num">${seconds(r.stats.meanS)}</td>` +
      `<td class="num">${seconds(r.stats.minS)}</td>` +
      `<td class="num">${seconds(r.stats.maxS)}</td>` +
      `<td class="num">${seconds(r.stats.stdevS)}</td>` +
      `<td class="num">${r.peakRssBytes === null ? '–' : formatBytes(r.peakRssBytes)}</td>` +
      `<td class="num">${samples}</td>` +
      `<td>${renderStatus(r)}</td>` +
      '</tr>'
    );
  });
  return (
    '<div class="table-wrap"><table class="runs"><thead><tr>' +
    '<th class="num">run</th><th>source</th><th>start time</th><th>host</th>' +
    '<th class="num">n</th><th class="num">mean</th><th class="num">min</th><th class="num">max</th>' +
    '<th class="num">stdev</th><th class="num">peak rss</th><th class="num">samples</th><th>status</th>' +
    `</tr></thead><tbody>${rows.join('')}</tbody></table></div>`
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

// A chart placeholder: the page script draws into `.plot` when it scrolls into view.
function renderChart(chart: ChartModel): string {
  const drawn = chart.data[0].length;
  const note = chart.decimated
    ? `${grouped(chart.rawPoints)} points, drawn as ${grouped(drawn)} min/max slots`
    : `${count(chart.rawPoints, 'point')}`;
  return (
    `<figure class="chart" data-chart="${chart.id}">` +
    `<figcaption><span>${escapeHtml(chart.title)}</span><span class="note">${note}</span></figcaption>` +
    '<div class="plot"></div></figure>'
  );
}

// Flattened metadata: one column per run (few runs) or a value column listing what differs.
function renderMetadata(group: ReportGroup): string {
  const rows = group.metadata;
  if (rows.length === 0) return '';
  const differing = rows.filter((r) => !r.same).length;
  const tableId = `${group.id}-meta`;
  const runs = group.runs.length;
  const wide = runs > 1 && runs <= MAX_METADATA_COLUMNS;
  const head = wide
    ? `<th>field</th>${group.runs.map((r) => `<th>${escapeHtml(r.label)}</th>`).join('')}`
    : '<th>field</th><th>value</th>';
  const body = rows.map((row) => renderMetadataRow(row, wide, runs)).join('');
  const filter =
    runs > 1 && differing > 0
      ? `<label class="filter"><input type="checkbox" data-only-differs="${tableId}"> only fields that differ between runs</label>`
      : '';
  const summary =
    runs > 1
      ? `Metadata (${count(rows.length, 'field')}, ${differing} differ between runs)`
      : `Metadata (${count(rows.length, 'field')})`;
  return (
    `<details class="meta"${runs === 1 ? '' : ' open'}><summary>${summary}</summary>${filter}` +
    `<div class="table-wrap"><table id="${tableId}"><thead><tr>${head}</tr></thead>` +
    `<tbody>${body}</tbody></table></div></details>`
  );
}

// One metadata row.
function renderMetadataRow(row: MetadataRow, wide: boolean, runs: number): string {
  const cls = row.same ? 'same' : 'differs';
  const key = `<td class="mono">${escapeHtml(row.key)}</td>`;
  const cell = (v: string | null): string =>
    v === null
      ? '<td class="value muted">(absent)</td>'
      : `<td class="value mono">${escapeHtml(v)}</td>`;
  if (row.same) {
    const v = row.values[0] ?? null;
    return `<tr class="${cls}">${key}${v === null ? `<td class="value muted" colspan="${wide ? runs : 1}">(absent)</td>` : `<td class="value mono" colspan="${wide ? runs : 1}">${escapeHtml(v)}</td>`}</tr>`;
  }
  if (wide) return `<tr class="${cls}">${key}${row.values.map(cell).join('')}</tr>`;
  const list = row.values.map((v, i) => `run ${i + 1}: ${v === null ? '(absent)' : v}`).join('\n');
  return `<tr class="${cls}">${key}<td class="value mono">${escapeHtml(list)}</td></tr>`;
}

// "3 records", "1 record".
function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${grouped(n)} ${n === 1 ? singular : plural}`;
}

// 12,345 with thousands separators.
function grouped(n: number): string {
  return n.toLocaleString('en-US');
}
