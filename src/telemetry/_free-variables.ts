// internal: which outside variables a telemetry function's source text uses, found when the
// bench is made rather than as a ReferenceError in every sample.
//
// A light tokenizer, not a parser: it errs towards silence. A name counts as declared wherever
// it could be one (every name in a parameter list, a destructuring pattern, after let/const/var/
// function/class/catch), so a real closure variable may go unreported (the sampler thread then
// explains it at run time), but a self-contained function is never rejected. When the text holds
// something the tokenizer does not understand, it reports nothing.

interface Token {
  readonly kind: 'name' | 'punct' | 'literal';
  readonly text: string;
}

const KEYWORDS = new Set(
  (
    'break case catch class const continue debugger default delete do else export extends false ' +
    'finally for function if import in instanceof new null return super switch this throw true ' +
    'try typeof var void while with yield let static async await of get set arguments enum ' +
    'implements interface package private protected public'
  ).split(' '),
);

// Tokens after which a `/` starts a regular expression rather than a division.
const BEFORE_REGEX = new Set(
  '( , = : [ ! & | ? { } ; + - * % < > ~ ^ => == === != !== <= >= && || ?? += -= *= /= return typeof instanceof in of new delete void throw case do else yield await'.split(
    ' ',
  ),
);

const PUNCTUATORS = [
  '>>>=',
  '...',
  '===',
  '!==',
  '**=',
  '<<=',
  '>>=',
  '>>>',
  '&&=',
  '||=',
  '??=',
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '?.',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '**',
  '<<',
  '>>',
];

const NAME_START = /[\p{ID_Start}$_]/u;
const NAME_PART = /[\p{ID_Continue}$_\u200c\u200d]/u;

// Split source text into tokens; undefined when it meets something it does not understand.
function tokenize(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  // Open template literals: the brace depth at which each `${` began.
  const templates: number[] = [];
  let braces = 0;
  let i = 0;
  const n = source.length;
  const lastSignificant = () => tokens[tokens.length - 1];
  // Read a template literal's text from i (just after ` or }) up to its end or the next `${`.
  const readTemplate = (): boolean => {
    while (i < n) {
      const c = source[i]!;
      if (c === '\\') i += 2;
      else if (c === '`') {
        i++;
        tokens.push({ kind: 'literal', text: '`' });
        return true;
      } else if (c === '$' && source[i + 1] === '{') {
        i += 2;
        templates.push(braces);
        braces++;
        tokens.push({ kind: 'punct', text: '(' });
        return true;
      } else i++;
    }
    return false;
  };
  while (i < n) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && source[i] !== c) {
        if (source[i] === '\\') i++;
        if (source[i] === '\n') return undefined;
        i++;
      }
      if (i >= n) return undefined;
      i++;
      tokens.push({ kind: 'literal', text: c });
    } else if (c === '`') {
      i++;
      if (!readTemplate()) return undefined;
    } else if (
      c === '}' &&
      templates.length > 0 &&
      templates[templates.length - 1] === braces - 1
    ) {
      templates.pop();
      braces--;
      tokens.push({ kind: 'punct', text: ')' });
      i++;
      if (!readTemplate()) return undefined;
    } else if (c === '/' && regexAllowed(lastSignificant())) {
      i++;
      let inClass = false;
      while (i < n && (inClass || source[i] !== '/')) {
        if (source[i] === '\n') return undefined;
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i++;
      }
      if (i >= n) return undefined;
      i++;
      while (i < n && NAME_PART.test(source[i]!)) i++; // flags
      tokens.push({ kind: 'literal', text: '/' });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      while (i < n && /[0-9a-zA-Z_.]/.test(source[i]!)) i++;
      tokens.push({ kind: 'literal', text: '0' });
    } else if (c === '#') {
      // A private name (#field): never a variable.
      i++;
      while (i < n && NAME_PART.test(source[i]!)) i++;
      tokens.push({ kind: 'literal', text: '#' });
    } else if (NAME_START.test(c)) {
      const start = i;
      i++;
      while (i < n && NAME_PART.test(source[i]!)) i++;
      tokens.push({ kind: 'name', text: source.slice(start, i) });
    } else if (c === '\\') {
      return undefined; // a unicode escape in a name: leave such text alone
    } else {
      const punct = PUNCTUATORS.find((p) => source.startsWith(p, i)) ?? c;
      if (punct === '?.' && /[0-9]/.test(source[i + 2] ?? '')) {
        tokens.push({ kind: 'punct', text: '?' });
        i++;
        continue;
      }
      if (punct === '{') braces++;
      if (punct === '}') braces--;
      tokens.push({ kind: 'punct', text: punct });
      i += punct.length;
    }
  }
  return templates.length === 0 ? tokens : undefined;
}

function regexAllowed(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.kind === 'literal') return false;
  if (previous.kind === 'name') return BEFORE_REGEX.has(previous.text);
  // After `)` or `]` a slash divides; after any other punctuator it starts a pattern.
  return previous.text !== ')' && previous.text !== ']';
}

// Index of the token closing the bracket opened at `open`, or -1.
function matching(tokens: readonly Token[], open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind !== 'punct') continue;
    if (t.text in pairs) depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

// Every name between `from` and `to` (exclusive) counts as declared.
function declareAll(
  tokens: readonly Token[],
  from: number,
  to: number,
  declared: Set<string>,
): void {
  for (let j = from; j < to; j++) if (tokens[j]!.kind === 'name') declared.add(tokens[j]!.text);
}

/**
 * Names the function text uses but never declares, other than keywords. The caller removes
 * globals and helpers. Empty when the text cannot be read with confidence.
 */
export function findOutsideVariables(source: string): string[] {
  const tokens = tokenize(source);
  if (!tokens) return [];
  const declared = new Set<string>();
  const referenced: number[] = [];
  const is = (j: number, text: string) => {
    const t = tokens[j];
    return t !== undefined && t.kind === 'punct' && t.text === text;
  };
  // Parameter lists and patterns: parentheses before `=>`, before a function or method body.
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind === 'punct' && t.text === '(') {
      const close = matching(tokens, j);
      if (close < 0) return [];
      const before = tokens[j - 1];
      const isParams =
        is(close + 1, '=>') ||
        (is(close + 1, '{') &&
          (before === undefined ||
            (before.kind === 'name' &&
              (!KEYWORDS.has(before.text) ||
                ['function', 'catch', 'get', 'set', 'async'].includes(before.text))) ||
            is(j - 1, '*')));
      if (isParams) declareAll(tokens, j + 1, close, declared);
    } else if (t.kind === 'name' && is(j + 1, '=>')) {
      declared.add(t.text);
    } else if (t.kind === 'name' && ['function', 'class'].includes(t.text)) {
      let k = j + 1;
      if (is(k, '*')) k++;
      if (tokens[k]?.kind === 'name') declared.add(tokens[k]!.text);
    } else if (t.kind === 'name' && ['let', 'const', 'var'].includes(t.text)) {
      // Bindings up to `=`, `;`, `in` or `of` at this level; after a `,` at this level, more.
      let depth = 0;
      let binding = true;
      for (let k = j + 1; k < tokens.length; k++) {
        const u = tokens[k]!;
        if (u.kind === 'punct' && ['(', '[', '{'].includes(u.text)) depth++;
        else if (u.kind === 'punct' && [')', ']', '}'].includes(u.text)) {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && u.kind === 'punct' && u.text === ';') break;
        else if (depth === 0 && u.kind === 'punct' && u.text === '=') binding = false;
        else if (depth === 0 && u.kind === 'punct' && u.text === ',') binding = true;
        else if (depth === 0 && u.kind === 'name' && (u.text === 'in' || u.text === 'of')) break;
        if (binding && u.kind === 'name') declared.add(u.text);
      }
    }
  }
  // References: names not after `.`/`?.`, not object keys, not method names.
  const ternaries: number[] = [];
  let depth = 0;
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind === 'punct') {
      if (['(', '[', '{'].includes(t.text)) depth++;
      else if ([')', ']', '}'].includes(t.text)) {
        depth--;
        while (ternaries.length > 0 && ternaries[ternaries.length - 1]! > depth) ternaries.pop();
      } else if (t.text === '?') ternaries.push(depth);
      else if (t.text === ':' && ternaries[ternaries.length - 1] === depth) ternaries.pop();
      continue;
    }
    if (t.kind !== 'name' || KEYWORDS.has(t.text)) continue;
    if (is(j - 1, '.') || is(j - 1, '?.')) continue;
    // A key (`{ rss: ... }`), unless a `?` at this level makes the colon a ternary's.
    if (is(j + 1, ':') && ternaries[ternaries.length - 1] !== depth) continue;
    // A method definition: `name(...) {`.
    if (is(j + 1, '(')) {
      const close = matching(tokens, j + 1);
      if (close > 0 && is(close + 1, '{')) continue;
    }
    referenced.push(j);
  }
  const outside: string[] = [];
  for (const j of referenced) {
    const name = tokens[j]!.text;
    if (!declared.has(name) && !outside.includes(name)) outside.push(name);
  }
  return outside;
}
