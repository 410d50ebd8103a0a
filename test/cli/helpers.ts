/** Running CLI commands in-process on temporary folders. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, expect } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const created: string[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temporary folder holding `files` (relative path -> content), removed after each test. */
export async function tempTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'oclhub-cli-'));
  created.push(root);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content, 'utf8');
  }
  return root;
}

export async function run(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

/**
 * `oclhub lint` in `hub` with its cache against a run with no cache (`--no-cache` neither reads nor
 * writes it), in each of `formats`: the same output and exit code, below 2. `cachedRuns` cached runs per
 * format (two: the first may store what the second reads). Returns the JSON report when JSON is among them.
 */
export async function expectLintSameAsUncached(hub: string, what: string, formats: readonly string[], cachedRuns = 1): Promise<string> {
  let json = '';
  for (const format of formats) {
    const uncached = await run(hub, 'lint', '--format', format, '--no-cache');
    for (let n = 1; n <= cachedRuns; n++) {
      const cached = await run(hub, 'lint', '--format', format);
      const label = `${what} (${format}${cachedRuns > 1 ? `, run ${n}` : ''})`;
      expect(cached.code, `${label}: ${cached.stderr}`).toBe(uncached.code);
      expect(cached.code, `${label}: ${cached.stderr}`).toBeLessThan(2);
      expect(cached.stdout, label).toBe(uncached.stdout);
    }
    if (format === 'json') json = uncached.stdout;
  }
  return json;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The CLI from source in a child process (signals, pipes and other users need a real process); as the
 * unprivileged `uid` when given (root reads everything). tsx is loaded by path: the child's folder is
 * a temporary one, where a bare `tsx` would not resolve.
 */
export function cliProcess(args: string[], options: { cwd: string; uid?: number }): ChildProcess {
  const tsx = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
  return spawn(process.execPath, ['--import', tsx, path.join(repoRoot, 'test/api/serve-main.ts'), ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
}

/** Waits for a child and returns its exit code (null when killed by a signal) and output. */
export function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
