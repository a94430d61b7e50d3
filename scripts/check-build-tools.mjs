// `prepare`'s first step: say in words what is missing when the build cannot run.
//
// npm runs `prepare` after `npm install`/`npm ci` in a checkout, for a git install (after it
// installed the devDependencies) and before `npm pack`. A clone packed before its dependencies
// were installed would otherwise stop on "sh: tsc: not found".
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const missing = ['typescript', 'esbuild'].filter((name) => {
  try {
    require.resolve(`${name}/package.json`);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  process.stderr.write(
    `microbench-ts: building dist/ needs the devDependencies ${missing.join(' and ')}, which are not installed. Run \`npm ci\` (or \`npm install\`) in this folder first, then \`npm pack\` or \`npm run build\` again.\n`,
  );
  process.exit(1);
}
