/**
 * `oclhub serve` from source as a real process, for tests and the stress script (no vitest imports, so
 * plain `tsx` scripts can use it). tsx is loaded by path, so the child may run in any folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts the server on an ephemeral port and resolves with its URL once it listens. */
export function serveProcess(dir: string, tokenFile: string): Promise<{ child: ChildProcess; url: string }> {
  const tsx = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, path.join(ROOT, 'test/api/serve-main.ts'), 'serve', '--hub', dir, '--port', '0', '--token-file', tokenFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code} before listening:\n${output}`)));
  });
}
