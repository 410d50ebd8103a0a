/**
 * The re-run fast path (lint/fast-rerun.ts) against the full `oclhub lint` on the demo hub (a real Git
 * repository with published, activated policies): what it serves is byte for byte what the full path
 * prints or writes, with the same exit code; and each change a report depends on makes it decline.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { identityOf, observeHub, optimizerSwitchable, parseRerunArgs, rerunFromCache, sha, showsWrittenIdentity, startStoredCopy, writtenIdentity, youngGenerationSwitchable, type RerunIo } from '../../src/lint/fast-rerun.js';
import { expiryStateUntil } from '../../src/lint/report-key.js';
import { colorWanted } from '../../src/cli/io.js';
import { rerunColors } from '../../src/lint/fast-rerun.js';
import { commitAll, git, initRepo, removeDir, tempDir } from '../git/helpers.js';
import { demoHub } from '../e2e/demo-hub.js';

const VERSION = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function full(cwd: string, argv: string[], env: Record<string, string> = {}) {
  const io = { ...memoryIo(cwd), env };
  const code = await main(['lint', ...argv], io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

async function fast(cwd: string, args: string[], more: Partial<RerunIo> = {}) {
  const out: Buffer[] = [];
  const err: string[] = [];
  const code = await rerunFromCache({ args, cwd, env: {}, stdoutIsTTY: false, toolVersion: VERSION, stdout: (b) => void out.push(Buffer.from(b)), stderr: (t) => void err.push(t), ...more });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: err.join('') };
}

/** Sets every working-tree file's times an hour back, as a checkout made earlier leaves them (not "racily clean"). */
function backdate(dir: string): void {
  const then = new Date(Date.now() - 3600_000);
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === '.git' || entry.name === '.oclhub-cache') continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      fs.utimesSync(full, then, then);
    }
  };
  walk(dir);
  fs.utimesSync(dir, then, then);
}

let hub: string;
let out: string;
const PROCESS = 'projects/payments-api/.octopus/deployment_process.ocl';

beforeAll(async () => {
  hub = await demoHub();
  out = tempDir('oclhub-fast-rerun-');
}, 120_000);
afterAll(() => {
  if (hub) removeDir(hub);
  if (out) removeDir(out);
});

beforeEach(async () => {
  // Each test starts from a fresh record of a clean, back-dated tree.
  fs.rmSync(path.join(hub, '.oclhub-cache'), { recursive: true, force: true });
  backdate(hub);
});

describe('oclhub lint re-run fast path', () => {
  it('prints exactly what the full path prints, with its exit code, for every format', async () => {
    for (const format of ['json', 'text', 'sarif', 'junit', 'github', 'gitlab']) {
      const first = await full(hub, ['--format', format]);
      expect(first.code, first.stderr).toBeLessThan(2);
      const again = await fast(hub, ['--format', format]);
      expect(again.code, format).toBe(first.code);
      expect(again.stdout).toBe(first.stdout);
      expect(again.stderr).toBe('');
      // The full path's own re-run (its rendered-report cache) prints the same too.
      expect((await full(hub, ['--format', format])).stdout).toBe(first.stdout);
    }
  }, 120_000);

  it('writes --output as the full path does, to any file, and appends the GitHub job summary', async () => {
    const a = path.join(out, 'a/report.json');
    const first = await full(hub, ['--format=json', '--output', a]);
    const b = path.join(out, 'b/c/report.json');
    const again = await fast(hub, ['--format', 'json', '--output', b]);
    expect(again.code).toBe(first.code);
    expect(again.stdout).toBe('');
    expect(fs.readFileSync(b)).toEqual(fs.readFileSync(a));
    expect(fs.readdirSync(path.dirname(b))).toEqual(['report.json']); // no temporary file left
    expect(fs.statSync(b).mode).toBe(fs.statSync(a).mode); // the kernel's copy keeps the mode the full path gives
    // Over an existing file, as the full path replaces one (a new file: the one there was the stored report's second name).
    fs.rmSync(b);
    fs.writeFileSync(b, 'an older report\n');
    expect((await fast(hub, ['--format', 'json', '--output', b])).code).toBe(first.code);
    expect(fs.readFileSync(b)).toEqual(fs.readFileSync(a));

    const summaryFull = path.join(out, 'summary-full.md');
    const summaryFast = path.join(out, 'summary-fast.md');
    const byFull = await full(hub, ['--format', 'github'], { GITHUB_STEP_SUMMARY: summaryFull });
    const byFast = await fast(hub, ['--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summaryFast } });
    expect(byFast.code).toBe(byFull.code);
    expect(byFast.stdout).toBe(byFull.stdout);
    expect(fs.readFileSync(summaryFast, 'utf8')).toBe(fs.readFileSync(summaryFull, 'utf8'));
  }, 60_000);

  it('declines, leaving it as it is, when the --output name became a FIFO or a symbolic link since the last run', async () => {
    const file = path.join(out, 'turned/report.json');
    const first = await full(hub, ['--format', 'json', '--output', file]);
    const report = fs.readFileSync(file);
    fs.unlinkSync(file);
    let fifo = true;
    try {
      execFileSync('mkfifo', [file]);
    } catch {
      fifo = false;
      console.log('fast-rerun: FIFO case skipped: no mkfifo on this machine');
    }
    if (fifo) {
      // Renamed over, the FIFO would be gone and its reader left waiting; the full path writes it in place.
      expect((await fast(hub, ['--format', 'json', '--output', file])).code).toBeUndefined();
      expect(fs.lstatSync(file).isFIFO()).toBe(true);
      fs.unlinkSync(file);
    }
    const real = path.join(out, 'turned/real.json');
    fs.writeFileSync(real, 'an older report\n');
    fs.symlinkSync(real, file);
    expect((await fast(hub, ['--format', 'json', '--output', file])).code).toBeUndefined();
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
    // The full path then writes through the link, as it always has.
    expect((await full(hub, ['--format', 'json', '--output', file])).code).toBe(first.code);
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real)).toEqual(report);
  }, 60_000);

  it('serves from a stat check when nothing moved, and from content when only times moved', async () => {
    const first = await full(hub, ['--format', 'json']);
    expect((await fast(hub, ['--format', 'json'])).stdout).toBe(first.stdout);
    // Touched, same content: the stat moved, the blob id did not.
    const later = new Date();
    fs.utimesSync(path.join(hub, PROCESS), later, later);
    expect((await fast(hub, ['--format', 'json'])).stdout).toBe(first.stdout);
    // A file that is not OCL changes nothing lint reads; a new folder's sibling file neither.
    fs.writeFileSync(path.join(hub, 'README.md'), 'notes\n');
    expect((await fast(hub, ['--format', 'json'])).code).toBe(first.code);
    // A file added then removed again leaves the folder's names as they were.
    const extra = path.join(hub, 'projects/payments-api/.octopus/extra.ocl');
    fs.writeFileSync(extra, 'step "x" {}\n');
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    fs.rmSync(extra);
    expect((await fast(hub, ['--format', 'json'])).stdout).toBe(first.stdout);
  }, 60_000);

  it('declines after a change of content, even of the same size with the time put back', async () => {
    await full(hub, ['--format', 'json']);
    const file = path.join(hub, PROCESS);
    const before = fs.statSync(file);
    const text = fs.readFileSync(file, 'utf8');
    const changed = text.replace(/name = "([^"])/, (_m, c: string) => `name = "${c === 'Z' ? 'Y' : 'Z'}`);
    expect(changed).not.toBe(text);
    expect(changed.length).toBe(text.length);
    fs.writeFileSync(file, changed);
    fs.utimesSync(file, before.atime, before.mtime);
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    // The copy to --output started before the check failed is dropped: no report, no temporary file.
    const folder = fs.mkdtempSync(path.join(out, 'declined-'));
    expect((await fast(hub, ['--format', 'json', '--output', path.join(folder, 'report.json')])).code).toBeUndefined();
    expect(fs.readdirSync(folder)).toEqual([]);
    // Nor is a folder created for it.
    expect((await fast(hub, ['--format', 'json', '--output', path.join(folder, 'new/report.json')])).code).toBeUndefined();
    expect(fs.readdirSync(folder)).toEqual([]);
    fs.writeFileSync(file, text);
    // The full path sees the tree as the commit again and records anew.
    const again = await full(hub, ['--format', 'json']);
    expect((await fast(hub, ['--format', 'json'])).stdout).toBe(again.stdout);
  }, 60_000);

  it('declines after a same-size edit made within the same second as the recorded run (racily clean)', async () => {
    const file = path.join(hub, PROCESS);
    const text = fs.readFileSync(file, 'utf8');
    // Written just before the run (not back-dated): its stat is too close to the verification to vouch for it.
    fs.writeFileSync(file, text);
    const first = await full(hub, ['--format', 'json']);
    expect((await fast(hub, ['--format', 'json'])).stdout).toBe(first.stdout); // read again (racy), same content: served
    const before = fs.statSync(file);
    const changed = text.replace(/name = "([^"])/, (_m, c: string) => `name = "${c === 'Z' ? 'Y' : 'Z'}`);
    expect(changed.length).toBe(text.length);
    fs.writeFileSync(file, changed);
    // As a file system with a one-second clock leaves it: the same size and modification time as recorded.
    fs.utimesSync(file, before.atime, before.mtime);
    expect(fs.statSync(file).size).toBe(before.size);
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    fs.writeFileSync(file, text);
  }, 60_000);

  it('declines after a new commit, a new tag or a new OCL file in a new folder', async () => {
    await full(hub, ['--format', 'json']);
    fs.mkdirSync(path.join(hub, 'projects/new-one/.octopus'), { recursive: true });
    fs.writeFileSync(path.join(hub, 'projects/new-one/.octopus/deployment_process.ocl'), 'step "a" {\n    name = "A"\n}\n');
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    fs.rmSync(path.join(hub, 'projects/new-one'), { recursive: true });

    await full(hub, ['--format', 'json']);
    expect((await fast(hub, ['--format', 'json'])).code).not.toBeUndefined();
    git(hub, ['tag', 'policies/unrelated/v9.9.9']);
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    git(hub, ['tag', '-d', 'policies/unrelated/v9.9.9']);

    const before = await full(hub, ['--format', 'json']);
    expect((await fast(hub, ['--format', 'json'])).code).not.toBeUndefined();
    commitAll(hub, { 'notes.txt': 'a commit that changes no OCL\n' }, 'notes');
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    const after = await full(hub, ['--format', 'json']);
    expect(after.stdout).not.toBe(before.stdout); // the report names the new commit
    expect((await fast(hub, ['--format', 'json'])).stdout).toBe(after.stdout);
  }, 60_000);

  it('says a run is a re-run when the lint cache holds the report of that invocation, served or not', async () => {
    const calls = async (args: string[]) => {
      let rerun = 0;
      const { code } = await fast(hub, args, { rerun: () => void rerun++ });
      return { code, rerun };
    };
    // No report yet; then one of another invocation.
    expect(await calls(['--format', 'json'])).toEqual({ code: undefined, rerun: 0 });
    await full(hub, ['--format', 'text']);
    expect(await calls(['--format', 'json'])).toEqual({ code: undefined, rerun: 0 });
    // This invocation's report: served, and after a commit declined (the CLI runs as a re-run).
    const first = await full(hub, ['--format', 'json']);
    expect(await calls(['--format', 'json'])).toEqual({ code: first.code, rerun: 1 });
    commitAll(hub, { 'notes.txt': 'a commit for the re-run\n' }, 'notes');
    expect(await calls(['--format', 'json'])).toEqual({ code: undefined, rerun: 1 });
    // Options the fast path leaves to the CLI: not known to be a re-run.
    expect(await calls(['--format', 'json', '--project', 'payments-api'])).toEqual({ code: undefined, rerun: 0 });
  }, 60_000);

  it('declines when an expiry of oclhub.ocl may have changed state, another tool version, or other settings', async () => {
    const first = await full(hub, ['--format', 'text']);
    const record = JSON.parse(fs.readFileSync(path.join(hub, '.oclhub-cache/lint-rerun.json'), 'utf8')) as { from: number; until: number };
    expect(record.until).toBeLessThan(Number.MAX_SAFE_INTEGER); // the demo has an exception with an expiry
    expect((await fast(hub, ['--format', 'text'], { now: record.until - 1 })).stdout).toBe(first.stdout);
    expect((await fast(hub, ['--format', 'text'], { now: record.until })).code).toBeUndefined();
    expect((await fast(hub, ['--format', 'text'], { now: record.from - 1 })).code).toBeUndefined();
    expect((await fast(hub, ['--format', 'text'], { toolVersion: '99.0.0' })).code).toBeUndefined();
    expect((await fast(hub, ['--format', 'text'], { env: { FORCE_COLOR: '1' } })).code).toBeUndefined();
    expect((await fast(hub, ['--format', 'text'], { env: { OCLHUB_CACHE_DIR: out } })).code).toBeUndefined();
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    expect((await fast(hub, ['--format', 'text', '--fail-on', 'warn'])).code).toBeUndefined();
    expect((await fast(path.join(hub, 'projects'), ['--format', 'text'])).code).toBeUndefined();
    expect((await fast(hub, ['--format', 'text'])).stdout).toBe(first.stdout);
  }, 60_000);

  it('declines on a torn or replaced record or report, and on an output it cannot write', async () => {
    const first = await full(hub, ['--format', 'json']);
    const cache = path.join(hub, '.oclhub-cache');
    const recordFile = path.join(cache, 'lint-rerun.json');
    const reportFile = path.join(cache, 'lint-output.txt');
    const record = fs.readFileSync(recordFile);
    fs.writeFileSync(recordFile, record.subarray(0, record.length >> 1));
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    fs.writeFileSync(recordFile, record);
    expect((await fast(hub, ['--format', 'json'])).stdout).toBe(first.stdout);
    const report = fs.readFileSync(reportFile);
    const stat = fs.statSync(reportFile);
    fs.writeFileSync(reportFile, report.subarray(0, report.length - 100));
    fs.utimesSync(reportFile, stat.atime, stat.mtime);
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    fs.writeFileSync(reportFile, report);
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined(); // rewritten: not the file recorded
    fs.rmSync(reportFile);
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();

    // The body (the report's bytes, copied by the kernel to --output) is the one the head names, or nothing is served.
    const output = path.join(out, 'body-check.json');
    await full(hub, ['--format', 'json']);
    const bodyFile = path.join(cache, 'lint-output.body');
    const body = fs.readFileSync(bodyFile);
    const bodyStat = fs.statSync(bodyFile);
    fs.writeFileSync(bodyFile, body.subarray(0, body.length - 1));
    fs.utimesSync(bodyFile, bodyStat.atime, bodyStat.mtime);
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    expect((await fast(hub, ['--format', 'json', '--output', output])).code).toBeUndefined();
    fs.writeFileSync(bodyFile, body);
    expect((await fast(hub, ['--format', 'json', '--output', output])).code).toBeUndefined(); // rewritten: another inode or time
    fs.rmSync(bodyFile);
    expect((await fast(hub, ['--format', 'json', '--output', output])).code).toBeUndefined();
    expect(fs.existsSync(output)).toBe(false);
    expect(fs.readdirSync(out).filter((name) => name.includes('.tmp-'))).toEqual([]);

    await full(hub, ['--format', 'json']);
    const blocker = path.join(out, 'blocker');
    fs.writeFileSync(blocker, 'a file where a folder is wanted\n');
    const r = await fast(hub, ['--format', 'json', '--output', path.join(blocker, 'report.json')]);
    expect(r.code).toBeUndefined();
    expect(r.stdout).toBe('');
    const byFull = await full(hub, ['--format', 'json', '--output', path.join(blocker, 'report.json')]);
    expect(byFull.code).toBe(2);
    expect(byFull.stderr).toMatch(/cannot write/);
  }, 60_000);
});

describe('a report file the re-run wrote is left as it is while its stat vouches for it', () => {
  const recordOf = () => JSON.parse(fs.readFileSync(path.join(hub, '.oclhub-cache/lint-rerun.json'), 'utf8')) as { output?: { file: string; identity: number[] } };
  const statOf = (file: string) => {
    const info = fs.statSync(file);
    return [info.dev, info.ino, info.size, info.mtimeMs, info.ctimeMs];
  };

  it('copies once, then leaves it; copies again after any change to it, and declines on other settings', async () => {
    // Copied only to another file system than the lint cache's (on the same one, the report file is a
    // second name of the stored report: see the next test).
    const elsewhere = otherFileSystemFolder();
    if (elsewhere === undefined) {
      console.log('fast-rerun: copied report case skipped: no writable folder on another file system than the temporary folder');
      return;
    }
    const expected = (await full(hub, ['--format', 'json'])).stdout;
    const file = path.join(elsewhere, 'kept/report.json');
    const args = ['--format', 'json', '--output', file];
    /** Re-runs until the record vouches for the file (a copy renamed in the clock tick of its last write cannot: it is racy). */
    const settle = async () => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const r = await fast(hub, args);
        expect(r.code).not.toBeUndefined();
        expect(fs.readFileSync(file, 'utf8')).toBe(expected);
        const output = recordOf().output;
        if (output && output.file === file && JSON.stringify(output.identity) === JSON.stringify(statOf(file))) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('the re-run never recorded the report file it wrote');
    };
    /** A re-run after `change`: the file is written again, with the report's bytes. */
    const rewritten = async (what: string, change: () => void) => {
      await settle();
      change();
      const before = fs.existsSync(file) ? statOf(file) : undefined;
      const r = await fast(hub, args);
      expect(r.code, what).not.toBeUndefined();
      expect(fs.readFileSync(file, 'utf8'), what).toBe(expected);
      expect(statOf(file), what).not.toEqual(before);
    };

    await settle();
    // Left as it is: not even renamed over (same inode, same times).
    const kept = statOf(file);
    for (let i = 0; i < 3; i++) {
      const r = await fast(hub, args);
      expect(r.code).not.toBeUndefined();
      expect(statOf(file)).toEqual(kept);
    }
    expect(fs.readdirSync(path.dirname(file))).toEqual(['report.json']);

    await rewritten('edited by hand', () => fs.appendFileSync(file, '\n// a note\n'));
    await rewritten('truncated', () => fs.truncateSync(file, 10));
    await rewritten('emptied', () => fs.writeFileSync(file, ''));
    await rewritten('removed', () => fs.rmSync(file));
    await rewritten('replaced by another file', () => {
      const other = path.join(elsewhere, 'kept/other.json');
      fs.writeFileSync(other, expected);
      fs.renameSync(other, file);
    });
    await rewritten('same size, other content, fresh time', () => {
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text.replace('"summary"', '"summarx"'));
      expect(fs.statSync(file).size).toBe(Buffer.byteLength(text));
    });
    await rewritten('same size, other content, time put back (to the millisecond)', () => {
      const before = fs.statSync(file);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"summary"', '"summarx"'));
      fs.utimesSync(file, before.atime, before.mtime);
    });
    // Another output file is written (and then vouched for instead); the first one is then copied again.
    const second = path.join(elsewhere, 'kept/second.json');
    expect((await fast(hub, ['--format', 'json', '--output', second])).code).not.toBeUndefined();
    expect(fs.readFileSync(second, 'utf8')).toBe(expected);

    // Another tool version or other options: not this record's report at all (the full path decides).
    await settle();
    fs.appendFileSync(file, 'x');
    expect((await fast(hub, args, { toolVersion: '99.0.0' })).code).toBeUndefined();
    expect((await fast(hub, [...args, '--fail-on', 'warn'])).code).toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).toBe(`${expected}x`); // a declining re-run writes nothing
    // A new report (another commit): the file is written with it, whatever the record said of the old one.
    await settle();
    commitAll(hub, { 'notes.txt': 'another commit\n' }, 'another commit');
    const next = await full(hub, ['--format', 'json']);
    expect(next.stdout).not.toBe(expected);
    expect((await fast(hub, args)).code).not.toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).toBe(next.stdout);
  }, 120_000);

  it('writes the report file as a second name of the stored report, then leaves it; an edit in place makes the re-run decline', async () => {
    const expected = (await full(hub, ['--format', 'json'])).stdout;
    const body = path.join(hub, '.oclhub-cache/lint-output.body');
    const file = path.join(out, 'relinked/report.json');
    const args = ['--format', 'json', '--output', file];
    const sameFile = (a: string, b: string) => fs.statSync(a).ino === fs.statSync(b).ino && fs.statSync(a).dev === fs.statSync(b).dev;
    if (fs.statSync(out).dev !== fs.statSync(hub).dev) {
      console.log('fast-rerun: linked re-run case skipped: the hub and the report folder are on two file systems');
      return;
    }
    const first = await fast(hub, args);
    expect(first.code).not.toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
    expect(sameFile(file, body)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['report.json']);
    expect(recordOf().output).toBeUndefined(); // the stored report vouches for itself
    const kept = statOf(file);
    const again = await fast(hub, args);
    expect(again.code).toBe(first.code);
    expect(statOf(file)).toEqual(kept);

    // Written to in place: the stored report changed with it, so the re-run declines and the full path writes the report anew.
    fs.appendFileSync(file, '\n// a note\n');
    expect((await fast(hub, args)).code).toBeUndefined();
    expect((await fast(hub, ['--format', 'json'])).code).toBeUndefined();
    expect((await full(hub, args)).code).toBe(first.code);
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);

    // Replaced by another file, or removed: linked again.
    await full(hub, ['--format', 'json']);
    fs.writeFileSync(`${file}.other`, 'another file\n');
    fs.renameSync(`${file}.other`, file);
    expect((await fast(hub, args)).code).toBe(first.code);
    expect(sameFile(file, body)).toBe(true);
    fs.rmSync(file);
    expect((await fast(hub, args)).code).toBe(first.code);
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
    expect(sameFile(file, body)).toBe(true);

    // A new report (another commit) replaces the stored one; the report file keeps the old report until written.
    commitAll(hub, { 'notes.txt': 'a commit for the linked report\n' }, 'linked report commit');
    const next = await full(hub, ['--format', 'json']);
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
    expect((await fast(hub, args)).code).not.toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).toBe(next.stdout);
    expect(sameFile(file, body)).toBe(true);
  }, 120_000);

  it("leaves the full path's report file as it is when the stored report is that file under a second name", async () => {
    const file = path.join(out, 'linked/report.json');
    const args = ['--format', 'json', '--output', file];
    const body = path.join(hub, '.oclhub-cache/lint-output.body');
    const sameFile = (a: string, b: string) => fs.statSync(a).ino === fs.statSync(b).ino && fs.statSync(a).dev === fs.statSync(b).dev;
    // The full path links its report file as the stored report when the file's stat can vouch for it
    // (its last write in an earlier clock tick than the link): most often, not always.
    let first: Awaited<ReturnType<typeof full>> | undefined;
    for (let attempt = 0; attempt < 20 && !(first && sameFile(file, body)); attempt++) {
      fs.rmSync(path.join(hub, '.oclhub-cache'), { recursive: true, force: true });
      first = await full(hub, args);
    }
    if (!sameFile(file, body)) {
      console.log('fast-rerun: linked report case skipped: the full path never linked its report file here');
      return;
    }
    const expected = fs.readFileSync(file);
    const kept = statOf(file);
    for (let i = 0; i < 3; i++) {
      const r = await fast(hub, args);
      expect(r.code).toBe(first!.code);
      // Not written, not renamed over: the same file with the same times, still the stored report.
      expect(statOf(file)).toEqual(kept);
      expect(sameFile(file, body)).toBe(true);
    }
    expect(fs.readdirSync(path.dirname(file))).toEqual(['report.json']);
    expect(recordOf().output).toBeUndefined(); // nothing to remember: the stored report vouches for itself
    // Another name of the same report is left as it is too (`ln report.json copy.json`).
    const second = path.join(out, 'linked/second.json');
    fs.linkSync(file, second);
    expect((await fast(hub, ['--format', 'json', '--output', second])).code).toBe(first!.code);
    expect(sameFile(second, body)).toBe(true);
    fs.rmSync(second);
    // Written to in place (by anyone): the stored report is no longer what was stored, and a re-run
    // declines, leaving the file as it is for the full path (which writes the report anew).
    fs.appendFileSync(file, '\n');
    expect((await fast(hub, args)).code).toBeUndefined();
    expect(fs.readFileSync(file)).toEqual(Buffer.concat([expected, Buffer.from('\n')]));
    expect((await full(hub, args)).code).toBe(first!.code);
    expect(fs.readFileSync(file)).toEqual(expected);
    // A copy of the same bytes under that name is another file: the re-run writes the stored report over it.
    await full(hub, args);
    fs.copyFileSync(file, `${file}.copy`);
    fs.renameSync(`${file}.copy`, file);
    expect(sameFile(file, body)).toBe(false);
    expect((await fast(hub, args)).code).toBe(first!.code);
    expect(fs.readFileSync(file)).toEqual(expected);
  }, 120_000);

  it('vouches for a written file only when its last write came before the rename (Git\'s racy rule)', () => {
    const written = { dev: 1, ino: 7, size: 10, mtimeMs: 1000.5, ctimeMs: 1000.5 };
    expect(writtenIdentity(written, { ...written, ctimeMs: 1004 })).toEqual([1, 7, 10, 1000.5, 1004]);
    expect(writtenIdentity(written, { ...written, ctimeMs: 1000.5 })).toBeUndefined(); // renamed in the same tick
    expect(writtenIdentity(written, { ...written, ctimeMs: 1004, mtimeMs: 1004 })).toBeUndefined(); // written again after
    expect(writtenIdentity(written, { ...written, ctimeMs: 1004, size: 11 })).toBeUndefined();
    expect(writtenIdentity(written, { ...written, ctimeMs: 1004, ino: 8 })).toBeUndefined();
    expect(writtenIdentity(written, { ...written, ctimeMs: 1004, dev: 2 })).toBeUndefined();
    expect(writtenIdentity(written, undefined)).toBeUndefined();
    expect(showsWrittenIdentity({ ...written, ctimeMs: 1004 }, [1, 7, 10, 1000.5, 1004])).toBe(true);
    for (const other of [{ ctimeMs: 1005 }, { mtimeMs: 1000 }, { size: 9 }, { ino: 9 }, { dev: 3 }]) {
      expect(showsWrittenIdentity({ ...written, ctimeMs: 1004, ...other }, [1, 7, 10, 1000.5, 1004])).toBe(false);
    }
    expect(showsWrittenIdentity(undefined, [1, 7, 10, 1000.5, 1004])).toBe(false);
    expect(showsWrittenIdentity({ ...written, ctimeMs: 1004 }, [1, 7, 10, 1000.5])).toBe(false);
    expect(showsWrittenIdentity({ ...written, ctimeMs: 1004 }, 'x')).toBe(false);
  });
});

describe('startStoredCopy', () => {
  it('renames into place only the temporary file it created, holding the whole copy', async () => {
    const folder = fs.mkdtempSync(path.join(out, 'stored-copy-'));
    const source = path.join(folder, 'stored.body');
    fs.writeFileSync(source, 'the report\n'.repeat(1000));
    // Stored by an earlier run: its last write in an earlier clock tick than anything done here.
    const earlier = new Date(Date.now() - 3_600_000);
    fs.utimesSync(source, earlier, earlier);
    const identity = identityOf(fs.statSync(source));
    const target = path.join(folder, 'report.json');
    const temporaries = () => fs.readdirSync(folder).filter((name) => name.includes('.tmp-'));

    const copy = startStoredCopy(source, identity, target, false);
    expect(copy).toBeDefined();
    expect(await copy!.finish()).toBe(true);
    expect(fs.readFileSync(target)).toEqual(fs.readFileSync(source));
    expect(fs.statSync(target).ino).toBe(identity[2]); // in the same file system: a second name, no bytes written
    expect(temporaries()).toEqual([]);

    // The report file written to in place is the stored file written to: it no longer shows its identity, and nothing is started.
    fs.appendFileSync(target, 'x');
    expect(startStoredCopy(source, identity, target, false)).toBeUndefined();
    fs.rmSync(target);
    fs.writeFileSync(source, 'the report\n'.repeat(1000));
    fs.utimesSync(source, earlier, earlier);
    const rewritten = identityOf(fs.statSync(source));

    // Another file took the temporary name while the copy ran (whichever of the two the copy went
    // into): nothing is renamed over the report, and the temporary name is cleared.
    fs.writeFileSync(target, 'the report as it was\n');
    const raced = startStoredCopy(source, rewritten, target, false)!;
    const [temp] = temporaries();
    fs.renameSync(path.join(folder, temp!), path.join(folder, 'aside'));
    fs.writeFileSync(path.join(folder, temp!), 'not the copy\n');
    expect(await raced.finish()).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe('the report as it was\n');
    expect(temporaries()).toEqual([]);

    // A copy started and then not wanted leaves nothing behind either.
    const dropped = startStoredCopy(source, rewritten, target, false)!;
    await dropped.discard();
    expect(temporaries()).toEqual([]);
    expect(fs.readFileSync(target, 'utf8')).toBe('the report as it was\n');
  });
});

describe('sha', () => {
  it("is sha-256 of each part as <length>:<part>, the bytes the lint cache's keys were made of", () => {
    const parts = ['rendered', '', 'ü € 😀', 'a:b', '7'];
    const text = parts.map((part) => `${part.length}:${part}`).join('');
    expect(sha(parts)).toBe(createHash('sha256').update(text).digest('hex'));
    expect(sha([])).toBe(createHash('sha256').update('').digest('hex'));
    expect(sha(['ab', 'c'])).not.toBe(sha(['a', 'bc']));
  });
});

describe('optimizerSwitchable', () => {
  it('leaves V8\'s tiers alone when the process was given any flag about them, or on an unknown V8', () => {
    expect(optimizerSwitchable({}, [], '11.3.244.8-node.38')).toBe(true);
    expect(optimizerSwitchable({}, ['--import', '/bench/_resource-usage.mjs', '--max-old-space-size=4096'], '12.4.254.21')).toBe(true);
    expect(optimizerSwitchable({ NODE_OPTIONS: '--enable-source-maps' }, [], '13.6.233.10')).toBe(true);
    for (const flag of ['--jitless', '--no-opt', '--opt', '--max-opt=2', '--always-turbofan', '--no-turbofan', '--maglev', '--no_opt', '--always-sparkplug', '--v8-options']) {
      expect(optimizerSwitchable({}, [flag], '11.3.244.8'), flag).toBe(false);
      expect(optimizerSwitchable({ NODE_OPTIONS: `--enable-source-maps ${flag}` }, [], '11.3.244.8'), flag).toBe(false);
    }
    expect(optimizerSwitchable({}, [], '10.2.154.26')).toBe(false);
    expect(optimizerSwitchable({}, [], '14.1.0')).toBe(false);
  });
});

describe('youngGenerationSwitchable', () => {
  it("leaves V8's young generation alone when the process was given any flag about it or the garbage collector, or on an unknown V8", () => {
    expect(youngGenerationSwitchable({}, [], '11.3.244.8-node.38')).toBe(true);
    expect(youngGenerationSwitchable({}, ['--import', '/bench/_resource-usage.mjs', '--max-old-space-size=4096', '--cpu-prof'], '12.4.254.21')).toBe(true);
    expect(youngGenerationSwitchable({ NODE_OPTIONS: '--enable-source-maps' }, [], '13.6.233.10')).toBe(true);
    for (const flag of ['--max-semi-space-size=64', '--min_semi_space_size=8', '--semi-space-growth-factor=4', '--trace-gc', '--expose-gc', '--gc-interval=100', '--trace-gc-nvp', '--single-threaded-gc', '--max-young-generation-size=32']) {
      expect(youngGenerationSwitchable({}, [flag], '11.3.244.8'), flag).toBe(false);
      expect(youngGenerationSwitchable({ NODE_OPTIONS: `--enable-source-maps ${flag}` }, [], '11.3.244.8'), flag).toBe(false);
    }
    expect(youngGenerationSwitchable({}, [], '10.2.154.26')).toBe(false);
    expect(youngGenerationSwitchable({}, [], '14.1.0')).toBe(false);
  });
});

describe('oclhub lint --format json after one project changed', () => {
  it('prints what an uncached run prints, re-using the unchanged projects of the last report', async () => {
    const first = await full(hub, ['--format', 'json']);
    expect(fs.readdirSync(path.join(hub, '.oclhub-cache')).some((name) => /^lint-results\.[0-9a-f]\.json$/.test(name))).toBe(true);
    expect(first.stdout).toBe((await full(hub, ['--format', 'json', '--no-cache'])).stdout);
    const file = path.join(hub, PROCESS);
    const text = fs.readFileSync(file, 'utf8');
    for (const [round, name] of ['Approve it', 'Approve again'].entries()) {
      commitAll(hub, { [PROCESS]: text.replace('name = "Approve"', `name = "${name}"`) }, `change ${round}`);
      const cached = await full(hub, ['--format', 'json']);
      const uncached = await full(hub, ['--format', 'json', '--no-cache']);
      expect(cached.code).toBe(uncached.code);
      expect(cached.stdout).toBe(uncached.stdout);
      const output = path.join(out, `changed-${round}.json`);
      await full(hub, ['--format', 'json', '--output', output]);
      expect(fs.readFileSync(output, 'utf8')).toBe(uncached.stdout);
      // The report stored by that run (the kernel's copy of the report file) is what a re-run serves.
      expect((await fast(hub, ['--format', 'json'])).stdout).toBe(uncached.stdout);
      const again = path.join(out, `changed-${round}-again.json`);
      expect((await fast(hub, ['--format', 'json', '--output', again])).code).toBe(uncached.code);
      expect(fs.readFileSync(again, 'utf8')).toBe(uncached.stdout);
    }
  }, 120_000);
});

describe('oclhub lint after oclhub.ocl changed (its validation is cached by text)', () => {
  it('prints what an uncached run prints when oclhub.ocl changes, and when it changes back', async () => {
    const first = await full(hub, ['--format', 'json']);
    expect(fs.existsSync(path.join(hub, '.oclhub-cache/hub-config.json'))).toBe(true);
    const config = fs.readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8');
    // An exception that expired long ago: SEM033, from validation at the time of the run.
    const expired = `${config}\nexception "long-gone" {\n    policy = "no_disabled_steps"\n    project = "payments-api"\n    reason = "old"\n    expires = "2020-01-01"\n}\n`;
    for (const [round, text] of [expired, config].entries()) {
      commitAll(hub, { 'oclhub.ocl': text }, `oclhub.ocl ${round}`);
      const cached = await full(hub, ['--format', 'json']);
      const uncached = await full(hub, ['--format', 'json', '--no-cache']);
      expect(cached.code).toBe(uncached.code);
      expect(cached.stdout).toBe(uncached.stdout);
      if (round === 0) expect(cached.stdout).toContain('SEM033');
      // Again with the entry just stored (a hit), after a commit that does not touch oclhub.ocl.
      commitAll(hub, { 'notes.txt': `round ${round}\n` }, `notes ${round}`);
      const hit = await full(hub, ['--format', 'json']);
      expect(hit.stdout).toBe((await full(hub, ['--format', 'json', '--no-cache'])).stdout);
    }
    expect(first.code).toBeLessThan(2);
  }, 120_000);
});

describe('observeHub', () => {
  it('reads HEAD through loose and packed refs, in a main and a linked working tree, and sees a new tag', () => {
    const main = initRepo({ 'oclhub.ocl': 'base_path = ".octopus"\n' });
    const linked = path.join(tempDir('oclhub-linked-'), 'wt');
    try {
      const head = () => git(main, ['rev-parse', 'HEAD']).trim();
      const before = observeHub(main);
      expect(before.commit).toBe(head());
      git(main, ['tag', 'policies/p/v1.0.0']);
      const tagged = observeHub(main);
      expect(tagged.tags).not.toBe(before.tags);
      git(main, ['pack-refs', '--all']);
      const packed = observeHub(main);
      expect(packed.commit).toBe(head());
      git(main, ['tag', 'policies/p/v1.1.0']);
      expect(observeHub(main).tags).not.toBe(packed.tags);
      git(main, ['worktree', 'add', '-q', '-b', 'other', linked]);
      commitAll(linked, { 'x.ocl': 'a = 1\n' }, 'in the linked tree');
      expect(observeHub(linked).commit).toBe(git(linked, ['rev-parse', 'HEAD']).trim());
      expect(observeHub(linked).commit).not.toBe(head());
      expect(observeHub(linked).tags).toBe(observeHub(main).tags);
      git(main, ['checkout', '-q', '--detach']);
      expect(observeHub(main).commit).toBe(head());
    } finally {
      removeDir(main);
      removeDir(path.dirname(linked));
    }
  });
});

describe('parseRerunArgs', () => {
  it('takes the options the full path would parse the same way, and nothing else', () => {
    expect(parseRerunArgs(['--format', 'sarif', '--environment', 'a', '--environment=b', '--output', 'x.sarif'])).toEqual({
      format: 'sarif',
      failOn: 'block',
      onError: 'block',
      environment: ['a', 'b'],
      tenant: [],
      output: 'x.sarif',
    });
    for (const args of [
      ['--no-cache'],
      ['--drafts'],
      ['--project', 'p'],
      ['--ref', 'main'],
      ['--output-sarif', 'x'],
      ['--format', 'yaml'],
      ['--format', 'json', '--format', 'text'],
      ['--output'],
      ['--output', '-'],
      ['--output', ''],
      ['extra'],
      ['--help'],
      ['constructor'],
      ['--cache-dir', 'x'],
      ['--jobs', '0'],
      ['--jobs', 'many'],
      ['--jobs'],
      ['--jobs', '2', '--jobs', '1'],
    ]) {
      expect(parseRerunArgs(args), args.join(' ')).toBeUndefined();
    }
  });

  it('takes --jobs, which changes no byte of the report, when the CLI would; an $OCLHUB_JOBS the CLI refuses sends the run to the CLI', () => {
    const plain = parseRerunArgs(['--format', 'json']);
    for (const args of [['--jobs', '2'], ['--jobs=auto'], ['--jobs', ' AUTO ']]) expect(parseRerunArgs(['--format', 'json', ...args]), args.join(' ')).toEqual(plain);
    expect(parseRerunArgs(['--format', 'json'], { OCLHUB_JOBS: '0' })).toBeUndefined();
    expect(parseRerunArgs(['--format', 'json'], { OCLHUB_JOBS: '4' })).toEqual(plain);
    // --jobs wins over the variable, as in the CLI.
    expect(parseRerunArgs(['--format', 'json', '--jobs', '1'], { OCLHUB_JOBS: 'lots' })).toEqual(plain);
  });

  it('decides colour as the CLI does', () => {
    for (const env of [{}, { NO_COLOR: '1' }, { FORCE_COLOR: '0' }, { FORCE_COLOR: 'false' }, { FORCE_COLOR: '1' }, { CI: '1' }, { CI: '1', FORCE_COLOR: '1' }]) {
      for (const tty of [true, false]) {
        const env2 = env as Record<string, string>;
        expect(rerunColors(env2, tty), JSON.stringify([env, tty])).toBe(colorWanted(env2, tty && !env2.CI));
      }
    }
  });
});

describe('expiryStateUntil', () => {
  it('is the next instant an expiry comes out of force or its day count moves', () => {
    const day = 86_400_000;
    const now = Date.UTC(2027, 0, 1, 12);
    // "2027-01-03" expires at the start of 2027-01-04 (UTC): 2.5 days ahead, so the count (3) moves in half a day.
    expect(expiryStateUntil('expires = "2027-01-03"', now)).toBe(Date.UTC(2027, 0, 2));
    expect(expiryStateUntil('expires = "2027-01-01"', now)).toBe(Date.UTC(2027, 0, 2));
    expect(expiryStateUntil('expires = "2026-12-01"', now)).toBe(Infinity);
    expect(expiryStateUntil('', now)).toBe(Infinity);
    expect(expiryStateUntil('expires = "2027-01-01"\nexpires = "2027-03-01"', now)).toBe(Date.UTC(2027, 0, 2));
    expect(expiryStateUntil('expires = "2027-03-01"', now) - now).toBeLessThanOrEqual(day);
  });
});

/** A writable folder on another file system than the temporary folder's (where links cannot go), if the machine has one. */
function otherFileSystemFolder(): string | undefined {
  for (const candidate of ['/dev/shm', '/run/user', '/var/tmp']) {
    try {
      if (fs.statSync(candidate).dev === fs.statSync(out).dev) continue;
      const folder = fs.mkdtempSync(path.join(candidate, 'oclhub-fast-rerun-'));
      elsewhereFolders.push(folder);
      return folder;
    } catch {
      // Not there, or not writable.
    }
  }
  return undefined;
}
const elsewhereFolders: string[] = [];
afterAll(() => {
  for (const folder of elsewhereFolders) removeDir(folder);
});
