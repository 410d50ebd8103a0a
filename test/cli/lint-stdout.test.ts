/**
 * `oclhub lint --format json` printed to standard output (a CI step's `> report.json` or `| jq`): the
 * report's bytes are handed over as they are (CliIo `stdoutBytes`), in two slabs taken in turn, each
 * written over only once standard output and the stored copy are done with it; the same bytes as
 * `--output` writes, and as the lint cache's stored copy. On a generated hub whose report is several
 * slabs long, the CLI run in-process.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHub } from '../../bench/generate-hub.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { RENDERED_BODY } from '../../src/lint/fast-rerun.js';

let work: string;
let hub: string;
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'oclhub-lint-stdout-'));
  hub = path.join(work, 'hub');
  // About 30 KB of report a project: several 1 MiB slabs.
  await generateHub(hub, 110, 4, 25, { packed: true });
}, 300_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('oclhub lint --format json to standard output', () => {
  it('prints the report\'s bytes as they are, in two slabs taken in turn, each written over only once the stream is done with it', async () => {
    const env = { CI: '1', OCLHUB_CACHE_DIR: path.join(work, 'cache-file') };
    const file = path.join(work, 'report.json');
    const toFile = await main(['lint', '--format', 'json', '--jobs', '1', '--output', file], { ...memoryIo(hub), env });
    expect(toFile).toBe(1); // the generated hub has blocking findings
    const expected = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(expected)).toBeGreaterThan(3 << 20);

    const io = { ...memoryIo(hub), env: { CI: '1', OCLHUB_CACHE_DIR: path.join(work, 'cache-stdout') } };
    const slabs = new Set<ArrayBufferLike>();
    const printed: string[] = [];
    let calls = 0;
    let overwritten = 0;
    // A stream that is done with the bytes a turn of the event loop later, as a file or pipe is: they must be the same bytes then.
    io.stdoutBytes = (bytes) => {
      calls++;
      slabs.add(bytes.buffer);
      const text = Buffer.from(bytes).toString('utf8');
      printed.push(text);
      return new Promise((resolve) =>
        setImmediate(() => {
          if (Buffer.from(bytes).toString('utf8') !== text) overwritten++;
          resolve();
        }),
      );
    };
    expect(await main(['lint', '--format', 'json', '--jobs', '1'], io)).toBe(1);
    expect(printed.join('') + io.out.join('')).toBe(expected);
    expect(io.out.join('')).toBe(''); // nothing of the report went through text
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(slabs.size).toBeLessThanOrEqual(2);
    expect(overwritten).toBe(0);
    // The lint cache's stored copy (re-printed by a re-run) is the same bytes.
    expect(readFileSync(path.join(work, 'cache-stdout', 'lint', RENDERED_BODY), 'utf8')).toBe(expected);
  }, 300_000);
});
