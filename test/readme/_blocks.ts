/**
 * The README's fenced code blocks, each with what the README test is to do with it.
 *
 * A block is told what to do by an HTML comment on the last non-blank line above its fence
 * (invisible on GitHub):
 *
 *   <!-- readme-test: run -->                  run the block as it is (the default for ts/js)
 *   <!-- readme-test: run as commonjs -->      a js block, run by node as a .cjs file
 *   <!-- readme-test: fixture NAME -->         the block inside test/readme/fixtures/NAME.<ext>.tpl
 *   <!-- readme-test: output -->               a json block: what the block above prints
 *   <!-- readme-test: skip — REASON -->        not run (shell commands, paths, output shown); the
 *                                              reason is required and shown as the test's skip
 *
 * ts blocks run with `node --import tsx`, js blocks with plain `node` (so a "plain JavaScript"
 * block really is plain JavaScript). A block in any other language without a comment is an error
 * (a failing test) that says how to annotate it, so a new block can never go silently untested.
 */

/** What the README test does with one block. */
export type BlockAction =
  | { readonly kind: 'run'; readonly commonjs: boolean }
  | { readonly kind: 'fixture'; readonly name: string }
  | { readonly kind: 'output' }
  | { readonly kind: 'skip'; readonly reason: string }
  /** A missing or bad annotation: the block's test fails with this message. */
  | { readonly kind: 'invalid'; readonly message: string };

/** One fenced block of the README. */
export interface ReadmeBlock {
  /** The fence's language (`ts`, `js`, `sh`, `json`, or '' for none). */
  readonly lang: string;
  /** The block's text, without the fences. */
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The nearest `#`/`##`/`###` heading above it. */
  readonly heading: string;
  readonly action: BlockAction;
}

/** Languages run by default (no comment needed). */
export const RUNNABLE_LANGS: ReadonlySet<string> = new Set(['ts', 'js']);

const ANNOTATION = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;

/**
 * Split README text into its fenced blocks. A block whose annotation is missing or wrong gets
 * the action `invalid` (its own failing test, so the other blocks still run); a fence that never
 * closes throws.
 */
export function readmeBlocks(text: string): ReadmeBlock[] {
  const lines = text.split('\n');
  const blocks: ReadmeBlock[] = [];
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const title = /^#{1,3} (.*)/.exec(line);
    if (title) heading = title[1] ?? heading;
    const fence = /^```(\S*)\s*$/.exec(line);
    if (!fence) continue;
    const lang = fence[1] ?? '';
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end === -1) throw new Error(`README line ${i + 1}: a code fence that never closes`);
    const where = `README line ${i + 1} (under "${heading}")`;
    blocks.push({
      lang,
      code: lines.slice(i + 1, end).join('\n'),
      line: i + 1,
      heading,
      action: safeActionOf(annotationAbove(lines, i), lang, where),
    });
    i = end;
  }
  return blocks;
}

// The annotation text on the last non-blank line above line `i`, if that line is one.
function annotationAbove(lines: readonly string[], i: number): string | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const above = (lines[j] ?? '').trim();
    if (above === '') continue;
    return ANNOTATION.exec(above)?.[1];
  }
  return undefined;
}

function safeActionOf(annotation: string | undefined, lang: string, where: string): BlockAction {
  try {
    return actionOf(annotation, lang, where);
  } catch (error) {
    return { kind: 'invalid', message: (error as Error).message };
  }
}

function actionOf(annotation: string | undefined, lang: string, where: string): BlockAction {
  if (annotation === undefined) {
    if (RUNNABLE_LANGS.has(lang)) return { kind: 'run', commonjs: false };
    throw new Error(
      `${where}: a \`\`\`${lang || '(no language)'} block needs a comment on the line above its fence saying what the README test does with it, e.g. <!-- readme-test: skip — shell commands that install packages --> (see test/readme/_blocks.ts)`,
    );
  }
  const skip = /^skip\b\s*[—–:-]?\s*(.*)$/.exec(annotation);
  if (skip) {
    if (!skip[1]) throw new Error(`${where}: "readme-test: skip" needs a reason after it`);
    return { kind: 'skip', reason: skip[1] };
  }
  if (annotation === 'run' || annotation === 'run as commonjs') {
    if (!RUNNABLE_LANGS.has(lang)) {
      throw new Error(`${where}: only ts and js blocks can run, this one is \`\`\`${lang}`);
    }
    if (annotation === 'run as commonjs' && lang !== 'js') {
      throw new Error(`${where}: "run as commonjs" is for js blocks`);
    }
    return { kind: 'run', commonjs: annotation === 'run as commonjs' };
  }
  const fixture = /^fixture ([\w-]+)$/.exec(annotation);
  if (fixture?.[1]) {
    if (!RUNNABLE_LANGS.has(lang)) {
      throw new Error(`${where}: only ts and js blocks can run in a fixture`);
    }
    return { kind: 'fixture', name: fixture[1] };
  }
  if (annotation === 'output') {
    if (lang !== 'json') throw new Error(`${where}: "output" is for json blocks`);
    return { kind: 'output' };
  }
  throw new Error(
    `${where}: unknown annotation "readme-test: ${annotation}" (run, run as commonjs, fixture NAME, output, skip — REASON)`,
  );
}

/** The block's `...` placeholders: three dots not starting a spread (`...args`, `...[x]`). */
const PLACEHOLDER = /\.\.\.(?![\w$[({'"`])/g;

/**
 * Put a block into its fixture template. The template holds the line `// readme-block` where the
 * block goes, one `// readme-fill: CODE` line per `...` of the block (in order), and any number
 * of `// readme-replace: FROM => TO` lines (literal text of the block to replace first).
 */
export function fillFixture(template: string, block: string, name: string): string {
  const fills: string[] = [];
  let code = block;
  const kept: string[] = [];
  for (const line of template.split('\n')) {
    const fill = /^\/\/ readme-fill: (.*)$/.exec(line);
    const replace = /^\/\/ readme-replace: (.*?) => (.*)$/.exec(line);
    if (fill) fills.push(fill[1] ?? '');
    else if (replace) {
      const [, from = '', to = ''] = replace;
      if (!code.includes(from)) {
        throw new Error(`fixture ${name}: the block no longer contains ${from} (readme-replace)`);
      }
      code = code.split(from).join(to);
    } else kept.push(line);
  }
  const holes = code.match(PLACEHOLDER)?.length ?? 0;
  if (holes !== fills.length) {
    throw new Error(
      `fixture ${name}: the block has ${holes} \`...\` placeholder(s) but the fixture has ${fills.length} "// readme-fill:" line(s); give one per placeholder, in order`,
    );
  }
  let next = 0;
  code = code.replace(PLACEHOLDER, () => fills[next++] ?? '');
  const at = kept.findIndex((line) => line.trim() === '// readme-block');
  if (at === -1) throw new Error(`fixture ${name}: no "// readme-block" line`);
  return [...kept.slice(0, at), code, ...kept.slice(at + 1)].join('\n');
}
