// Preloaded (`node --import`) into a process a bench measures: when the process exits, writes what it
// used to the file named by $OCLHUB_BENCH_USAGE_FILE, as JSON: peak resident set size (getrusage maxrss,
// KiB) and CPU time (µs, user and system), worker threads included, child processes not.
// Plain JavaScript so that it also preloads without tsx.
import { writeFileSync } from 'node:fs';

const file = process.env.OCLHUB_BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRSS: usage.maxRSS, userCPUTime: usage.userCPUTime, systemCPUTime: usage.systemCPUTime }));
  });
}
