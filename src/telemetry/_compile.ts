// internal: turning a telemetry function's source text back into a function, on either thread.
//
// Source text is whatever the user's toolchain produced: `function f(p) {...}`, an arrow,
// a method `telemetry(p) {...}` (how a static method prints), and, under tsx/esbuild, code
// calling injected helpers such as `__name(fn, "fn")`. Those helpers are supplied here so they
// are not mistaken for the user's closure variables.

type Compiled = (process: unknown) => unknown;

// esbuild's helpers that can appear inside transformed function bodies.
export const HELPER_NAMES = [
  '__name',
  '__defProp',
  '__publicField',
  '__defNormalProp',
  '__knownSymbol',
];
const __defProp = Object.defineProperty;
const HELPERS: unknown[] = [
  (target: Function, value: string) => __defProp(target, 'name', { value, configurable: true }),
  __defProp,
  (obj: object, key: PropertyKey, value: unknown) => {
    __defProp(obj, key, { enumerable: true, configurable: true, writable: true, value });
    return value;
  },
  (obj: object, key: PropertyKey, value: unknown) =>
    __defProp(obj, key, { enumerable: true, configurable: true, writable: true, value }),
  (name: string, symbol?: symbol) => symbol ?? Symbol.for(`Symbol.${name}`),
];

/**
 * Compile telemetry source text into a function that sees only its argument and globals.
 * Throws a SyntaxError-derived error with a clear message when the text is not a function.
 */
export function compileTelemetrySource(source: string, name: string): Compiled {
  const attempts = [
    `return (${source});`,
    `const o = ({${source}});\nreturn o[Object.keys(o)[0]];`,
  ];
  let lastError: unknown;
  for (const body of attempts) {
    let fn: unknown;
    try {
      fn = new Function(...HELPER_NAMES, `"use strict";\n${body}`)(...HELPERS);
    } catch (error) {
      lastError = error;
      continue;
    }
    if (typeof fn === 'function') return fn as Compiled;
  }
  const detail = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(
    `The telemetry function ${name ? `\`${name}\` ` : ''}cannot be rebuilt from its source text on the sampler thread (${detail}). ` +
      'Telemetry functions are shipped to a worker as source text: use a plain function, arrow function or static method, ' +
      "or put it in a module and pass `telemetryModule: new URL('./sampler.js', import.meta.url)`.",
  );
}

/**
 * Explain a ReferenceError raised by a telemetry function: it used a variable from outside
 * its own body, which does not exist on the sampler thread.
 */
export function explainTelemetryError(error: unknown, fromModule: boolean): string {
  if (!fromModule && error instanceof ReferenceError) {
    const variable = /^(\S+) is not defined/.exec(error.message)?.[1];
    if (variable) {
      return (
        `telemetry function uses \`${variable}\`, which is not available on the sampler thread: ` +
        'telemetry runs in a worker from its source text, so like a static method it may use only its ' +
        `\`process\` argument and globals. Move \`${variable}\` inside the function, or put the function in a module ` +
        "(default export) and pass `telemetryModule: new URL('./sampler.js', import.meta.url)`"
      );
    }
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
