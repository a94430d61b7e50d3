// Preloaded (`node --require bench/_max-rss.cjs ...`) into a process the bench measures: at
// exit, writes the process's peak resident set size in bytes to $MB_BENCH_MAX_RSS_FILE.
'use strict';
const { writeFileSync } = require('node:fs');

const target = process.env.MB_BENCH_MAX_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}
