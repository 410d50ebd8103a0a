/**
 * Files the user names for output (`lint --output`, `--output-<format>`, `report merge --output`,
 * files `fmt` rewrites): a regular file is replaced atomically, a symbolic link is written through
 * (the link stays a link), and a FIFO or device is written in place rather than replaced by a file
 * renamed over it (as root, `--output /dev/null` used to turn /dev/null into a regular file).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputTarget, writeOutputFile, writeOutputText } from '../../src/cli/output-file.js';
import { removeDir, tempDir } from '../git/helpers.js';
import { demoHub } from '../e2e/demo-hub.js';
import { run } from './helpers.js';

function hasMkfifo(): boolean {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const FIFO = hasMkfifo();
if (!FIFO) console.log('output-targets: FIFO cases skipped: no mkfifo on this machine');

/** Everything written to a new FIFO at `file` while `write` runs (a reader must be open for a writer to open it). */
async function throughFifo(file: string, write: () => Promise<unknown>): Promise<{ text: string; result: unknown }> {
  execFileSync('mkfifo', [file]);
  const chunks: Buffer[] = [];
  const read = new Promise<void>((resolve, reject) => {
    const stream = fs.createReadStream(file);
    stream.on('data', (chunk) => chunks.push(chunk as Buffer));
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const result = await write();
  await read;
  expect(fs.lstatSync(file).isFIFO()).toBe(true);
  return { text: Buffer.concat(chunks).toString('utf8'), result };
}

let dir: string;
let hub: string;
beforeAll(async () => {
  dir = tempDir('oclhub-output-targets-');
  hub = await demoHub();
}, 120_000);
afterAll(() => {
  if (dir) removeDir(dir);
  if (hub) removeDir(hub);
});

describe('outputTarget / writeOutputText', () => {
  it('replaces a regular file, creating its folder, and leaves no temporary file', async () => {
    const file = path.join(dir, 'plain/sub/report.txt');
    expect(await outputTarget(file)).toEqual({ kind: 'file', path: file });
    await writeOutputText(file, 'one');
    await writeOutputText(file, 'two');
    expect(fs.readFileSync(file, 'utf8')).toBe('two');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['report.txt']);
  });

  it('writes through symbolic links (relative, chained, dangling): the links stay links', async () => {
    const folder = path.join(dir, 'links');
    fs.mkdirSync(path.join(folder, 'real'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'real/report.txt'), 'old');
    fs.symlinkSync('real/report.txt', path.join(folder, 'first'));
    fs.symlinkSync('first', path.join(folder, 'second'));
    fs.symlinkSync('real/not-yet.txt', path.join(folder, 'dangling'));
    await writeOutputText(path.join(folder, 'second'), 'new');
    await writeOutputText(path.join(folder, 'dangling'), 'created');
    expect(fs.readFileSync(path.join(folder, 'real/report.txt'), 'utf8')).toBe('new');
    expect(fs.readFileSync(path.join(folder, 'real/not-yet.txt'), 'utf8')).toBe('created');
    for (const link of ['first', 'second', 'dangling']) expect(fs.lstatSync(path.join(folder, link)).isSymbolicLink(), link).toBe(true);
  });

  it('refuses a folder and a link loop with their error codes', async () => {
    const folder = path.join(dir, 'refused');
    fs.mkdirSync(folder);
    fs.symlinkSync('loop-b', path.join(folder, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(folder, 'loop-b'));
    await expect(writeOutputText(folder, 'x')).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(writeOutputText(path.join(folder, 'loop-a'), 'x')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(fs.readdirSync(folder).sort()).toEqual(['loop-a', 'loop-b']);
  });

  it.skipIf(!FIFO)('writes a FIFO in place, all of a large text', async () => {
    const text = 'x'.repeat(3 << 20);
    const { text: got, result } = await throughFifo(path.join(dir, 'unit.fifo'), () => writeOutputText(path.join(dir, 'unit.fifo'), text));
    expect(result).toEqual({ kind: 'stream', path: path.join(dir, 'unit.fifo') });
    expect(got).toBe(text);
  });
});

describe('a name that changes while the report is written', () => {
  it.skipIf(!FIFO)('a regular file that becomes a FIFO mid-write: the FIFO stays a FIFO and gets every byte, no temporary file is left', async () => {
    const folder = path.join(dir, 'turns');
    fs.mkdirSync(folder);
    const file = path.join(folder, 'report.json');
    fs.writeFileSync(file, 'an older report');
    const piece = 'y'.repeat(64 << 10);
    const chunks: Buffer[] = [];
    let keeper: number | undefined;
    let read: Promise<void> | undefined;
    const placed = await writeOutputFile(file, async (out) => {
      await out.write(Buffer.from(piece));
      // The name is taken by a FIFO after the run looked at it; a reader waits on it. The FIFO is also
      // held open by this test (read-write, which does not block) so that the reader ends however it goes.
      fs.unlinkSync(file);
      execFileSync('mkfifo', [file]);
      keeper = fs.openSync(file, fs.constants.O_RDWR);
      read = new Promise<void>((resolve, reject) => {
        const stream = fs.createReadStream(file);
        stream.on('data', (chunk) => chunks.push(chunk as Buffer));
        stream.on('end', () => resolve());
        stream.on('error', reject);
      });
      for (let i = 0; i < 3; i++) await out.write(Buffer.from(piece));
    });
    fs.closeSync(keeper!);
    await read;
    expect(fs.lstatSync(file).isFIFO()).toBe(true);
    expect(placed).toEqual({ kind: 'stream', path: file });
    expect(Buffer.concat(chunks).toString('utf8')).toBe(piece.repeat(4));
    expect(fs.readdirSync(folder)).toEqual(['report.json']);
  });

  it.skipIf(!FIFO || !fs.existsSync('/proc/self/fd'))('a link the kernel resolves but whose text names no path (/dev/stdout or /dev/fd/N of a pipe) is written in place', async () => {
    // A FIFO held open at both ends, then unlinked: /proc/self/fd/N reads "… (deleted)", as that of a
    // shell's pipe reads "pipe:[N]", and only the kernel can follow it to the pipe.
    const fifo = path.join(dir, 'unnamed.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const writer = fs.openSync(fifo, fs.constants.O_WRONLY);
    fs.unlinkSync(fifo);
    try {
      const link = `/proc/self/fd/${writer}`;
      expect(await outputTarget(link)).toEqual({ kind: 'stream', path: link });
      await writeOutputText(link, 'through the pipe\n');
      const got = Buffer.alloc(64);
      expect(got.toString('utf8', 0, fs.readSync(reader, got))).toBe('through the pipe\n');
    } finally {
      fs.closeSync(writer);
      fs.closeSync(reader);
    }
  });
});

describe('commands writing to a named file', () => {
  it.skipIf(!FIFO)('lint --output and --output-sarif into FIFOs: the reports arrive, the FIFOs stay FIFOs', async () => {
    const expected = await run(hub, 'lint', '--no-cache', '--format', 'json');
    const fifo = path.join(dir, 'lint.fifo');
    const { text, result } = await throughFifo(fifo, () => run(hub, 'lint', '--no-cache', '--format', 'json', '--output', fifo));
    expect(result).toMatchObject({ code: expected.code, stderr: '' });
    expect(text.trimEnd()).toBe(expected.stdout.trimEnd());

    const sarif = await run(hub, 'lint', '--no-cache', '--format', 'sarif');
    const sarifFifo = path.join(dir, 'sarif.fifo');
    const extra = await throughFifo(sarifFifo, () => run(hub, 'lint', '--no-cache', '--output-sarif', sarifFifo));
    expect(extra.result).toMatchObject({ code: expected.code, stderr: '' });
    expect(extra.text.trimEnd()).toBe(sarif.stdout.trimEnd());
  });

  it.skipIf(!FIFO)('lint --output into a FIFO from a cached report, cold and warm', async () => {
    const cacheDir = path.join(dir, 'cache');
    const expected = await run(hub, 'lint', '--no-cache', '--format', 'json');
    for (const round of ['cold', 'warm']) {
      const fifo = path.join(dir, `cached-${round}.fifo`);
      const { text, result } = await throughFifo(fifo, () => run(hub, 'lint', '--cache-dir', cacheDir, '--format', 'json', '--output', fifo));
      expect(result, round).toMatchObject({ code: expected.code, stderr: '' });
      expect(text.trimEnd(), round).toBe(expected.stdout.trimEnd());
    }
  });

  it('lint --output through a symbolic link, uncached and cached: the link stays a link', async () => {
    const cacheDir = path.join(dir, 'cache-link');
    const expected = await run(hub, 'lint', '--no-cache', '--format', 'json');
    const real = path.join(dir, 'reports/lint.json');
    fs.mkdirSync(path.dirname(real), { recursive: true });
    fs.writeFileSync(real, 'stale');
    const link = path.join(dir, 'lint-link.json');
    fs.symlinkSync(real, link);
    for (const args of [['--no-cache'], ['--cache-dir', cacheDir], ['--cache-dir', cacheDir]]) {
      fs.writeFileSync(real, 'stale');
      const r = await run(hub, 'lint', ...args, '--format', 'json', '--output', link);
      expect(r.code, args.join(' ')).toBe(expected.code);
      expect(fs.lstatSync(link).isSymbolicLink(), args.join(' ')).toBe(true);
      expect(fs.readFileSync(real, 'utf8').trimEnd(), args.join(' ')).toBe(expected.stdout.trimEnd());
    }
  });

  it('fmt through a symbolic link rewrites its target and keeps the link and the mode', async () => {
    const folder = path.join(dir, 'fmt');
    fs.mkdirSync(path.join(folder, 'shared'), { recursive: true });
    const real = path.join(folder, 'shared/deployment_process.ocl');
    fs.writeFileSync(real, 'step "a" {\nname="A"\n}\n');
    fs.chmodSync(real, 0o640);
    fs.symlinkSync('shared/deployment_process.ocl', path.join(folder, 'linked.ocl'));
    const r = await run(folder, 'fmt', 'linked.ocl');
    expect(r.code, r.stderr).toBe(0);
    expect(fs.lstatSync(path.join(folder, 'linked.ocl')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe('step "a" {\n    name = "A"\n}\n');
    expect(fs.statSync(real).mode & 0o777).toBe(0o640);
  });

  it('report merge --output through a symbolic link', async () => {
    const shards = [1, 2].map((i) => path.join(dir, `merge-shard-${i}.json`));
    for (const [i, file] of shards.entries()) {
      const r = await run(hub, 'lint', '--no-cache', '--format', 'json', '--shard', `${i + 1}/2`, '--output', file);
      expect(r.stderr).toBe('');
    }
    const whole = await run(hub, 'report', 'merge', ...shards);
    const real = path.join(dir, 'merged/real.json');
    fs.mkdirSync(path.dirname(real), { recursive: true });
    const link = path.join(dir, 'merged-link.json');
    fs.symlinkSync(real, link);
    const r = await run(hub, 'report', 'merge', '--output', link, ...shards);
    expect(r.code, r.stderr).toBe(whole.code);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8').trimEnd()).toBe(whole.stdout.trimEnd());
  });
});
