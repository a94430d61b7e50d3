// End to end: the report opened in headless Chromium (Debian's `chromium`, driven by
// playwright-core) draws every chart with data, makes no network request, and a report of
// 100 records × 10,000 samples opens (its timings are printed, not asserted).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { BenchRecord } from '../../src/record/record.js';
import { writeReport } from '../../src/report/write-report.js';
import {
  cliRecord,
  isoAt,
  libraryRecord,
  withoutTelemetry,
  writeManyRecords,
} from './_fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT_DIR = fileURLToPath(new URL('../../test-output/', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const haveChromium = existsSync(CHROMIUM);
const missing = `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium; .ci/run does) to run the report's browser test`;

if (!haveChromium && process.env.CI) {
  test('chromium is installed for the report browser test', () => {
    assert.fail(`${missing}. CI is set, so this is a failure, not a skip.`);
  });
}

/** The in-page objects the test reads (the test tsconfig has no DOM types). */
interface PageGlobals {
  mbReport?: {
    total: number;
    created: number;
    errors: string[];
    allDrawnMs: number | null;
    firstBatchMs: number | null;
    renderAll(): number;
    inspect(): { id: string; series: number; points: number }[];
  };
  document: {
    querySelectorAll(selector: string): ArrayLike<PageElement>;
    getElementById(id: string): { textContent: string | null } | null;
  };
}

/** Just enough of an element and a canvas. */
interface PageElement {
  getBoundingClientRect(): { width: number; right: number };
  querySelector(selector: string): {
    width: number;
    height: number;
    getContext(kind: '2d'): {
      getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
    };
  } | null;
}

/** A page with every request recorded and every non-local one blocked. */
interface WatchedPage {
  page: Page;
  requests: string[];
  pageErrors: string[];
}

describe('HTML report in headless Chromium', { skip: haveChromium ? false : missing }, () => {
  let dir = '';
  let context: BrowserContext;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mb-report-e2e-'));
    mkdirSync(OUTPUT_DIR, { recursive: true });
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
    });
  });

  after(async () => {
    await context?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  // Open a report file, recording requests and page errors.
  async function open(path: string, colorScheme: 'light' | 'dark' = 'light'): Promise<WatchedPage> {
    const page = await context.newPage();
    const requests: string[] = [];
    const pageErrors: string[] = [];
    await page.route('**', (route) => {
      const url = route.request().url();
      requests.push(url);
      if (/^(file|data|blob):/.test(url)) return route.continue();
      return route.abort();
    });
    page.on('request', (r) => {
      if (!requests.includes(r.url())) requests.push(r.url());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.emulateMedia({ colorScheme });
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).mbReport !== undefined);
    return { page, requests, pageErrors };
  }

  // Create every chart and return what each one holds.
  async function renderAll(page: Page): Promise<{ id: string; series: number; points: number }[]> {
    return page.evaluate(() => {
      const report = (globalThis as unknown as PageGlobals).mbReport!;
      report.renderAll();
      return report.inspect();
    });
  }

  test('draws every chart with data points, needs no network, shows bad input', async () => {
    const results = join(dir, 'results.jsonl');
    const records: BenchRecord[] = [
      libraryRecord({ name: 'trainModel', samples: 120, intervalS: 0.5, durations: [60] }),
      libraryRecord({
        name: 'trainModel',
        startS: 200,
        samples: 150,
        intervalS: 0.5,
        durations: [75],
        rssBytes: 300 * 1024 * 1024,
        extra: { node_version: 'v20.21.0', git: { commit: 'def456', branch: 'main', dirty: true } },
      }),
      libraryRecord({
        name: 'trainModel',
        startS: 500,
        samples: 100,
        intervalS: 0.5,
        durations: [50],
      }),
      cliRecord({ iterations: 3, samples: 12 }),
      withoutTelemetry(libraryRecord({ name: 'noTelemetry', startS: 900, durations: [0.2, 0.25] })),
    ];
    const lines = records.map((r) => JSON.stringify(r));
    lines.splice(2, 0, '{"function_name": "half a line');
    writeFileSync(results, `${lines.join('\n')}\n`);
    const html = join(dir, 'report.html');
    const result = await writeReport(results, html, { title: 'Training benchmark' });
    assert.equal(result.records, 5);

    const { page, requests, pageErrors } = await open(html);
    const charts = await renderAll(page);
    assert.equal(charts.length, result.charts);
    for (const c of charts) {
      assert.ok(c.series > 0, `chart ${c.id} has series`);
      assert.ok(c.points > 0, `chart ${c.id} has data points`);
    }
    const inked = await page.evaluate(() =>
      Array.from(
        (globalThis as unknown as PageGlobals).document.querySelectorAll('figure[data-chart]'),
        (fig) => {
          const canvas = fig.querySelector('canvas');
          if (canvas === null) return 0;
          const pixels = canvas
            .getContext('2d')!
            .getImageData(0, 0, canvas.width, canvas.height).data;
          let inkedPixels = 0;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) inkedPixels++;
          return inkedPixels;
        },
      ),
    );
    assert.equal(inked.length, charts.length);
    for (const n of inked) assert.ok(n > 500, `every canvas is drawn on (${inked.join(', ')})`);
    assert.deepEqual(pageErrors, []);
    const external = requests.filter((u) => !/^(file|data|blob):/.test(u));
    assert.deepEqual(external, [], 'no request leaves the machine');
    assert.ok(requests.length >= 1);
    const text = (await page.textContent('body')) ?? '';
    assert.match(text, /results\.jsonl:3: skipped corrupt line/);
    assert.match(text, /No telemetry in these records/);
    const yLabels = await page.evaluate(() =>
      Object.values(
        JSON.parse(
          (globalThis as unknown as PageGlobals).document.getElementById('mb-data')!.textContent!,
        ).charts as Record<string, { yLabel: string }>,
      ).map((c) => c.yLabel),
    );
    assert.ok(yLabels.includes('rss (MiB)'), `bytes are charted in MiB: ${yLabels.join(', ')}`);
    assert.ok(yLabels.includes('cpu_percent (%)'));
    await page.screenshot({ path: join(OUTPUT_DIR, 'report.png'), fullPage: true });
    await page.close();

    const dark = await open(html, 'dark');
    await renderAll(dark.page);
    assert.deepEqual(dark.pageErrors, []);
    await dark.page.screenshot({ path: join(OUTPUT_DIR, 'report-dark.png') });
    await dark.page.close();
  });

  // How many canvas pixels each chart has drawn on (0: an empty box).
  async function inkPerChart(page: Page): Promise<number[]> {
    return page.evaluate(() =>
      Array.from(
        (globalThis as unknown as PageGlobals).document.querySelectorAll('figure[data-chart]'),
        (fig) => {
          const canvas = fig.querySelector('canvas');
          if (canvas === null) return 0;
          const pixels = canvas
            .getContext('2d')!
            .getImageData(0, 0, canvas.width, canvas.height).data;
          let inked = 0;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) inked++;
          return inked;
        },
      ),
    );
  }

  test('100,000 records: every chart is drawn in a full-page capture and in page.pdf()', async (t) => {
    const results = join(dir, 'many.jsonl');
    writeManyRecords(results, 100_000);
    const html = join(dir, 'many.html');
    const result = await writeReport(results, html);
    rmSync(results);
    assert.ok(result.bytes <= 5 * 1000 * 1000);
    assert.ok(result.charts >= 20, `${result.charts} charts`);

    // Full-page capture without scrolling: the charts below the fold are drawn in the background.
    const t0 = performance.now();
    const { page, pageErrors } = await open(html);
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).mbReport!.allDrawnMs !== null,
    );
    const drawnMs = performance.now() - t0;
    await page.screenshot({ path: join(OUTPUT_DIR, 'report-100k.png'), fullPage: true });
    const state = await page.evaluate(() => {
      const r = (globalThis as unknown as PageGlobals).mbReport!;
      return { total: r.total, created: r.created, errors: r.errors };
    });
    assert.deepEqual(state, { total: result.charts, created: result.charts, errors: [] });
    const ink = await inkPerChart(page);
    assert.equal(ink.length, result.charts);
    for (const n of ink) assert.ok(n > 500, `every chart is drawn on (${ink.join(', ')})`);
    // Durations start at zero unless zoomed; the toggle zooms them.
    const yMins = await page.evaluate(() =>
      (globalThis as unknown as { mbReport: { inspect(): { yMin: number }[] } }).mbReport
        .inspect()
        .map((c) => c.yMin),
    );
    assert.ok(yMins.filter((y) => y === 0).length >= 8, `y from zero: ${yMins.join(', ')}`);
    await page.click('#mb-zoom-y');
    const zoomed = await page.evaluate(() =>
      (globalThis as unknown as { mbReport: { inspect(): { yMin: number }[] } }).mbReport
        .inspect()
        .map((c) => c.yMin),
    );
    assert.ok(
      zoomed.filter((y) => y > 0).length > yMins.filter((y) => y > 0).length,
      `zoomed: ${zoomed.join(', ')}`,
    );
    assert.deepEqual(pageErrors, []);
    t.diagnostic(
      `100,000 records: report ${(result.bytes / 1e6).toFixed(2)} MB, ${result.charts} charts, ` +
        `opened with every chart drawn in ${drawnMs.toFixed(0)} ms`,
    );
    await page.close();

    // Printing straight after load: beforeprint draws whatever is left, the print stylesheet
    // scales every chart to the page.
    const printing = await open(html);
    const pdfPath = join(OUTPUT_DIR, 'report-100k.pdf');
    await printing.page.pdf({ path: pdfPath, format: 'A4' });
    const printed = await printing.page.evaluate(
      () => (globalThis as unknown as PageGlobals).mbReport!.created,
    );
    assert.equal(printed, result.charts, 'every chart drawn for print');
    await printing.page.emulateMedia({ media: 'print' });
    const inPrint = await inkPerChart(printing.page);
    for (const n of inPrint) assert.ok(n > 500, `drawn in print media (${inPrint.join(', ')})`);
    const overflow = await printing.page.evaluate(() => {
      const doc = (globalThis as unknown as PageGlobals).document;
      const main = doc.querySelectorAll('main')[0]!.getBoundingClientRect();
      return Array.from(doc.querySelectorAll('figure[data-chart]'), (fig) => {
        const canvas = fig.querySelector('canvas') as unknown as PageElement;
        return canvas.getBoundingClientRect().right - main.right;
      }).filter((d) => d > 1);
    });
    assert.deepEqual(overflow, [], 'no chart sticks out of the printed page');
    const pdf = readFileSync(pdfPath, 'latin1');
    const images = pdf.match(/\/Subtype\s*\/Image/g)?.length ?? 0;
    const pages = pdf.match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    assert.ok(
      images >= result.charts,
      `the PDF holds ${images} images for ${result.charts} charts`,
    );
    assert.ok(pages >= 4, `${pages} pages`);
    assert.deepEqual(printing.pageErrors, []);
    await printing.page.close();
  });

  test('a report of 100 records × 10,000 samples opens and draws', async (t) => {
    const records: BenchRecord[] = [];
    for (let r = 0; r < 100; r++) records.push(syntheticRecord(`fn${r % 10}`, r * 20_000, 10_000));
    const html = join(dir, 'big.html');
    const t0 = performance.now();
    const result = await writeReport(records, html);
    const writeMs = performance.now() - t0;
    records.length = 0;

    const t1 = performance.now();
    const { page, requests, pageErrors } = await open(html);
    const loadMs = performance.now() - t1;
    const firstBatchMs = await page.evaluate(
      () => (globalThis as unknown as PageGlobals).mbReport!.firstBatchMs,
    );
    const t2 = performance.now();
    const charts = await renderAll(page);
    const renderAllMs = performance.now() - t2;
    assert.equal(charts.length, result.charts);
    for (const c of charts) assert.ok(c.points > 0, `chart ${c.id} has data points`);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(
      requests.filter((u) => !/^(file|data|blob):/.test(u)),
      [],
    );
    const summary =
      `100 records × 10,000 samples: report ${(result.bytes / 1024 / 1024).toFixed(1)} MiB, ` +
      `${result.charts} charts; writeReport ${writeMs.toFixed(0)} ms; page load ${loadMs.toFixed(0)} ms; ` +
      `first visible charts at ${firstBatchMs?.toFixed(0)} ms after navigation; ` +
      `creating all remaining charts ${renderAllMs.toFixed(0)} ms`;
    t.diagnostic(summary);
    writeFileSync(join(OUTPUT_DIR, 'report-timing.txt'), `${summary}\n`);
    await page.screenshot({ path: join(OUTPUT_DIR, 'report-large.png') });
    await page.close();
  });
});

// A record with 10,000 samples of rss, cpu_percent and num_threads at a 0.1 s interval.
function syntheticRecord(name: string, startS: number, samples: number): BenchRecord {
  const telemetry = new Array(samples);
  for (let i = 0; i < samples; i++) {
    telemetry[i] = {
      timestamp: quickIso(startS + i * 0.1),
      rss: 200e6 + 50e6 * Math.sin(i / 500) + (i % 97) * 1e5,
      cpu_percent: 50 + 45 * Math.sin(i / 50),
      num_threads: 8 + (i % 3),
    };
  }
  return {
    ...libraryRecord({ name, startS, samples: 0, durations: [samples * 0.1] }),
    telemetry,
  };
}

// isoAt for a million timestamps: the date and time to the minute are formatted once per minute.
let minute = Number.NaN;
let minutePrefix = '';
function quickIso(seconds: number): string {
  const m = Math.floor(seconds / 60);
  if (m !== minute) {
    minute = m;
    minutePrefix = isoAt(m * 60).slice(0, 17);
  }
  const micros = Math.min(59_999_999, Math.round((seconds - m * 60) * 1e6));
  const s = Math.floor(micros / 1e6);
  return `${minutePrefix}${String(s).padStart(2, '0')}.${String(micros % 1e6).padStart(6, '0')}+00:00`;
}
