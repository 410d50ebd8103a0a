// Preloaded (`node --require`) into a process a bench measures: when the process exits, writes what it
// used to the file named by $OCLHUB_BENCH_USAGE_FILE, as JSON: peak resident set size (getrusage maxrss,
// KiB) and CPU time (µs, user and system), worker threads included, child processes not.
// Plain CommonJS so that it also preloads without tsx, and without starting Node's ES-module loader,
// which a CommonJS entry such as bin/oclhub.js does not pay when users run it (`--import` would start
// it in every timed process: a few milliseconds of each start-up, and bin/oclhub.js run through it).
'use strict';
const { writeFileSync } = require('node:fs');

const file = process.env.OCLHUB_BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRSS: usage.maxRSS, userCPUTime: usage.userCPUTime, systemCPUTime: usage.systemCPUTime }));
  });
}
