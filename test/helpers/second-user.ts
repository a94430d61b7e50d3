/**
 * The second user the trust and permission tests run as: nobody (uid 65534) through setpriv.
 * A checkout in a private folder (a 0700 temp folder, a root-only home) is unreadable to that
 * user; tests that run our code as nobody skip then, saying so, instead of failing.
 */
import { spawnSync } from 'node:child_process';

/** Why nobody cannot read `path` (e.g. the built CLI or node_modules/tsx), or undefined when it can. */
export function whyNobodyCannotRead(path: string): string | undefined {
  const probe = spawnSync('setpriv', [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    'test',
    '-r',
    path,
  ]);
  if (probe.error) return `setpriv unavailable: ${probe.error.message}`;
  if (probe.status !== 0)
    return `uid 65534 cannot read ${path} (the checkout is in a private folder)`;
  return undefined;
}
