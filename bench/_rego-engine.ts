/**
 * The Rego engine as users run it: tsc's build in dist/rego (bin/oclhub.js loads dist/). Rebuilt
 * with `tsc -p tsconfig.build.json` when a file under src/rego is newer than dist/rego/index.js,
 * so a bench never times a stale engine. Returns the directory holding index.js.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function compiledEngine(): string {
  const out = resolve(root, 'dist/rego');
  const index = join(out, 'index.js');
  if (!existsSync(index) || statSync(index).mtimeMs < newestMtime(resolve(root, 'src/rego'))) {
    console.log('(building dist/ with tsc -p tsconfig.build.json: src/rego is newer)');
    const tsc = resolve(root, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('tsc -p tsconfig.build.json failed');
  }
  return out;
}
