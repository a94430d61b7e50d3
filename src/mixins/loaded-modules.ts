import { validateEnv, validateOptionKeys } from './_options.js';
import { once } from './_subprocess.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link loadedModules}. */
export interface LoadedModulesOptions {
  /** Environment to read `LOADEDMODULES` from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Environment modules (Lmod / Environment Modules) loaded in the shell: `loaded_modules`
 * (`{name: version}`) parsed from `LOADEDMODULES` (`GCC/12.2.0:OpenMPI/4.1.4`). Each entry is
 * split on its **first** `/` (`GCC/12.2.0-GCCcore-12.2.0` → `GCC: '12.2.0-GCCcore-12.2.0'`); an
 * entry without `/` gets `''`. `{}` when unset. Read once per mixin instance, at the first call.
 */
export function loadedModules(options?: LoadedModulesOptions): Mixin {
  const raw = validateOptionKeys(options, 'loadedModules', ['env']);
  const env = validateEnv(raw.env, 'env');
  const read = once(() => parseLoadedModules(env.LOADEDMODULES ?? ''));
  return defineMixin({
    name: 'loaded-modules',
    description: 'Loaded environment modules (LOADEDMODULES)',
    capture(record) {
      record.loaded_modules = { ...read() };
    },
  });
}

/** `{name: version}` from a `LOADEDMODULES` value (colon-separated `name/version` entries). */
export function parseLoadedModules(value: string): Record<string, string> {
  const modules: Record<string, string> = {};
  for (const raw of value.split(':')) {
    const entry = raw.trim();
    if (!entry) continue;
    const slash = entry.indexOf('/');
    if (slash < 0) modules[entry] = '';
    else modules[entry.slice(0, slash)] = entry.slice(slash + 1);
  }
  return modules;
}
