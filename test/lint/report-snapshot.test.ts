/**
 * The last stored JSON report as a store of project results (lint/report-snapshot.ts), on the demo hub
 * (a real Git repository; an exception names one project, whose evaluations are decoded to apply it):
 * after a commit that changes one project, the untouched projects' results are taken from the last
 * report's body and its index, and the report is byte for byte the one a run without the cache prints.
 * So is it when the index is torn or names other keys, when the body was replaced, and when the body is
 * written to while the run reads it.
 */
import fs from 'node:fs';
import { crc32 } from 'node:zlib';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { checkDeferredReads, deferredReadsHeld, releaseDeferredReads } from '../../src/lint/cache.js';
import { lintHub } from '../../src/lint/engine.js';
import { ReportSnapshot, SNAPSHOT_INDEX } from '../../src/lint/report-snapshot.js';
import { evaluationSegments } from '../../src/report/lint-pieces.js';
import { lintJsonChunks } from '../../src/report/lint-json-stream.js';
import { removeDir } from '../git/helpers.js';
import { openHub } from '../../src/hub/index.js';
import { commitAll, demoHub, REPO_ROOT } from '../e2e/demo-hub.js';

const PROCESS = 'projects/payments-api/.octopus/deployment_process.ocl';

let hub: string;
let out: string;
beforeAll(async () => {
  hub = await demoHub();
  out = path.join(hub, '..', `snapshot-${process.pid}.json`);
}, 120_000);
afterAll(() => {
  if (hub) removeDir(hub);
  fs.rmSync(out, { force: true });
});

const cacheDir = () => path.join(hub, '.oclhub-cache');
const indexFile = () => path.join(cacheDir(), SNAPSHOT_INDEX);
const bodyFile = () => path.join(cacheDir(), 'lint-output.body');

beforeEach(() => {
  fs.rmSync(cacheDir(), { recursive: true, force: true });
});

let changes = 0;
/** A commit changing payments-api's process (and only it). */
function changeOneProject(): void {
  const text = fs.readFileSync(path.join(hub, PROCESS), 'utf8');
  commitAll(hub, { [PROCESS]: text.replace(/name = "Approve[^"]*"/, `name = "Approve ${++changes}"`) }, `change one project (${changes})`);
}

/** `lint --format json --output`; `during` runs at the first progress line (the lint cache and the snapshot are open by then). */
async function lintToFile(during?: () => void): Promise<{ code: number; report: string; stderr: string }> {
  const io = memoryIo(hub);
  let called = false;
  const tty = {
    ...io,
    isTTY: true,
    stderr: (text: string) => {
      if (!called && text.includes('linting ')) {
        called = true;
        during?.();
      }
      io.stderr(text);
    },
  };
  const code = await main(['lint', '--format', 'json', '--output', out], during ? tty : io);
  expect(deferredReadsHeld()).toBe(0);
  return { code, report: fs.readFileSync(out, 'utf8'), stderr: io.err.join('') };
}

/** Changes the index after its header line, its checksum made right again (an index written so). */
function rewriteIndex(change: (text: string) => string): void {
  const text = fs.readFileSync(indexFile(), 'utf8');
  const newline = text.indexOf('\n');
  const rest = change(text.slice(newline + 1));
  expect(rest).not.toBe(text.slice(newline + 1));
  const header = text.slice(0, newline).split(' ');
  header[header.length - 1] = crc32(Buffer.from(rest)).toString(16);
  fs.writeFileSync(indexFile(), `${header.join(' ')}\n${rest}`);
}

async function uncached(): Promise<{ code: number; report: string }> {
  const io = memoryIo(hub);
  const code = await main(['lint', '--format', 'json', '--no-cache'], io);
  return { code, report: io.out.join('') };
}

async function expectUncached(what: string, during?: () => void): Promise<void> {
  const expected = await uncached();
  const got = await lintToFile(during);
  expect(got.code, `${what}: ${got.stderr}`).toBe(expected.code);
  expect(got.report, what).toBe(expected.report);
}

describe('the last stored JSON report as a store of project results', () => {
  it('gives the untouched projects of a one-project commit, the report byte for byte the uncached one', async () => {
    await expectUncached('cold');
    const snapshot = ReportSnapshot.open(cacheDir());
    expect(snapshot).toBeDefined();
    snapshot!.close();
    changeOneProject();

    // The engine as the CLI runs it after such a commit: the untouched project written as a piece is taken
    // from the last report (its line carried to the next index); the changed one is evaluated; the one an
    // exception names was not a piece in that report, and comes from the lint cache.
    // (The keys the CLI computed: its tool version, oclhub.ocl keyed by its text through the configuration cache.)
    const toolVersion = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const options = { cacheDir: cacheDir(), toolVersion, home: 'hub', wholeRunCache: false, keepSources: false, jsonPieces: true, deferStoredPieces: true, now: new Date() };
    const expected = await uncached();
    const { hub: opened } = await openHub({ dir: hub, workingTree: true, configCache: { dir: cacheDir(), toolVersion } });
    try {
      const run = await lintHub(opened!, { ...options, snapshot: ReportSnapshot.open(cacheDir())! });
      const segments = evaluationSegments(run.report)!;
      const fromSnapshot = segments.filter((s) => 'piece' in s && s.origin !== undefined && 'line' in s.origin).map((s) => s.project);
      expect(fromSnapshot).toEqual(['storefront']);
      expect(segments.find((s) => s.project === 'payments-api')).toMatchObject({ origin: { key: expect.any(String) } });
      expect(run.cached).toBe(2);
      expect([...lintJsonChunks(run.report)].join('')).toBe(expected.report);
      checkDeferredReads();
    } finally {
      releaseDeferredReads();
    }

    // The CLI, twice more: each run's index serves the next.
    for (let i = 0; i < 2; i++) {
      changeOneProject();
      await expectUncached(`one project changed (${i})`);
      const lines = fs.readFileSync(indexFile(), 'utf8').split('\n');
      expect(lines[0]).toMatch(/^oclhub-report-pieces\/3 \d+ [\d.]+ \d+ 40 2 [0-9a-f]{1,8}$/);
      expect(lines.slice(2).map((line) => line.slice(0, line.indexOf(',')))).toEqual(['["storefront"', '["payments-api"', '']);
    }
  }, 180_000);

  it('is not taken from, or not trusted, when its index is torn or names other keys, or its body was replaced or is written to meanwhile', async () => {
    await expectUncached('cold');
    // Torn index.
    changeOneProject();
    fs.writeFileSync(indexFile(), fs.readFileSync(indexFile()).subarray(0, Math.floor(fs.statSync(indexFile()).size * 0.7)));
    await expectUncached('torn index');

    // Damaged (an offset one byte off, still JSON): its checksum does not match, and none of it is taken.
    changeOneProject();
    const lines = fs.readFileSync(indexFile(), 'utf8').split('\n');
    lines[1] = lines[1]!.replace(/^\[(\d+)/, (_, first: string) => `[${Number(first) + 1}`);
    fs.writeFileSync(indexFile(), lines.join('\n'));
    await expectUncached('a damaged index');

    // Every key in the index another: no line is its project's result now.
    changeOneProject();
    rewriteIndex((text) => text.replace(/^(\["[^"]+",")[0-9a-f]{64}/gm, (_, head: string) => `${head}${'0'.repeat(64)}`));
    await expectUncached('keys the index does not hold');

    // The project the index holds changed: its piece there is not its result any more.
    const storefront = 'projects/storefront/.octopus/deployment_process.ocl';
    const text = fs.readFileSync(path.join(hub, storefront), 'utf8');
    const changed = text.replace(/name = "([^"]+)"/, 'name = "$1 (renamed)"');
    expect(changed).not.toBe(text);
    commitAll(hub, { [storefront]: changed }, 'change the project the index holds');
    await expectUncached('the project the index holds changed');

    // The body replaced (a new file with the same bytes but one, in a piece the index places): another
    // identity, not the body the index describes.
    changeOneProject();
    const bytes = fs.readFileSync(bodyFile());
    const at = bytes.indexOf('"outcome": "pass', bytes.indexOf('"project": "storefront"'));
    expect(at).toBeGreaterThan(0);
    bytes[at + 13] = 'f'.charCodeAt(0); // "pass" → "fass"
    fs.writeFileSync(`${bodyFile()}.new`, bytes);
    fs.renameSync(`${bodyFile()}.new`, bodyFile());
    await expectUncached('another body');

    // The body written to in place while the run reads it (as its other name, the last report file, may
    // be): nothing read from it is published, and the run done again without it gives the uncached report.
    changeOneProject();
    const fd = fs.openSync(bodyFile(), 'r+');
    try {
      const text = fs.readFileSync(bodyFile());
      const pass = text.indexOf('"outcome": "pass', text.indexOf('"project": "storefront"'));
      await expectUncached('a body written to meanwhile', () => {
        fs.writeSync(fd, Buffer.from('f'), 0, 1, pass + 13);
      });
    } finally {
      fs.closeSync(fd);
    }
    // And the index the last run wrote serves the next.
    changeOneProject();
    await expectUncached('after it all');
    expect(ReportSnapshot.open(cacheDir())).toBeDefined();
    releaseDeferredReads();
  }, 180_000);
});
