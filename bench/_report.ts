// internal: what each measurement group returns, and how it is printed (console, Markdown).

/** Options every measurement group receives. */
export interface BenchArgs {
  /** Fewer rounds and shorter windows (`npm run bench -- --quick`). */
  readonly quick: boolean;
}

/** A table of results: header cells and rows of already formatted cells. */
export interface Table {
  readonly caption?: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** One DESIGN §7 target and what this run measured for it. */
export interface Check {
  /** The target, e.g. `wrapper overhead per call, in-memory ≤ 3 µs`. */
  readonly target: string;
  /** The measured value, formatted. */
  readonly measured: string;
  readonly pass: boolean;
  /** Why it misses (known cause, suspected fix); shown only when it misses. */
  readonly missNote?: string;
}

/** What a measurement group returns. */
export interface Section {
  readonly title: string;
  /** How it was measured, in a sentence or two. */
  readonly method: string;
  readonly tables: readonly Table[];
  readonly checks: readonly Check[];
  readonly notes: readonly string[];
}

/** `met` or `MISSED`. */
export function renderVerdict(pass: boolean): string {
  return pass ? 'met' : 'MISSED';
}

/** A table as aligned plain text. */
export function renderTableText(table: Table): string {
  const widths = table.head.map((h, i) =>
    Math.max(h.length, ...table.rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(table.head), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of table.rows) out.push(line(row));
  return `${table.caption ? `${table.caption}\n` : ''}${out.map((l) => `  ${l}`).join('\n')}`;
}

/** A table in GitHub Markdown (first column left-aligned, the others right-aligned). */
export function renderTableMarkdown(table: Table): string {
  const escapeCell = (cell: string) => cell.replace(/\|/g, '\\|');
  const lines = [
    `| ${table.head.map(escapeCell).join(' | ')} |`,
    `|${table.head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ];
  return `${table.caption ? `${table.caption}\n\n` : ''}${lines.join('\n')}`;
}

/** A section for the console. */
export function renderSectionText(section: Section): string {
  const parts = [`== ${section.title} ==`];
  for (const table of section.tables) parts.push(renderTableText(table));
  for (const check of section.checks) {
    parts.push(
      `  [${renderVerdict(check.pass)}] ${check.target}: ${check.measured}` +
        (!check.pass && check.missNote ? `\n           ${check.missNote}` : ''),
    );
  }
  for (const note of section.notes) parts.push(`  note: ${note}`);
  return parts.join('\n');
}

/** A section for BENCHMARKS.md. */
export function renderSectionMarkdown(section: Section): string {
  const parts = [`## ${section.title}`, section.method];
  for (const table of section.tables) parts.push(renderTableMarkdown(table));
  for (const check of section.checks) {
    parts.push(
      `- **${check.pass ? 'Target met' : 'Target MISSED'}**: ${check.target}; measured ${check.measured}.` +
        (!check.pass && check.missNote ? ` ${check.missNote}` : ''),
    );
  }
  for (const note of section.notes) parts.push(`- ${note}`);
  return parts.join('\n\n');
}
