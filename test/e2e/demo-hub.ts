/** The demo hub (templates/demo) as a real Git repository: committed, templates and policies published with the hub façade. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitAll, git, initRepo } from '../git/helpers.js';
import { openHub, type Hub } from '../../src/hub/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEMO_DIR = path.join(REPO_ROOT, 'templates/demo');
export const PUBLISHER = { name: 'Pat Publisher', email: 'pat@example.com' };

export function demoFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(DEMO_DIR, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(DEMO_DIR);
  return out;
}

export async function openAt(dir: string, ref?: string): Promise<Hub> {
  const { hub, diagnostics } = await openHub({ dir, ...(ref ? { ref } : {}) });
  if (!hub) throw new Error(`cannot open hub: ${JSON.stringify(diagnostics)}`);
  return hub;
}

/** Publishes every process template and policy of the hub at HEAD as 1.0.0. */
export async function publishAll(dir: string): Promise<void> {
  const hub = await openAt(dir);
  const files = git(dir, ['ls-files']).split('\n');
  for (const file of files) {
    const m = /^\.octopus\/(process-templates|policies)\/([^/]+)\.ocl$/.exec(file);
    if (!m) continue;
    const result = await hub.publish({ kind: m[1] as 'process-templates' | 'policies', slug: m[2]!, bump: 'major', publisher: PUBLISHER });
    if (!result.published) throw new Error(`cannot publish ${file}: ${JSON.stringify(result.diagnostics)}`);
  }
}

/** A new demo hub repository with everything published; returns its folder. */
export async function demoHub(overrides: Record<string, string> = {}): Promise<string> {
  const dir = initRepo({ ...demoFiles(), ...overrides });
  await publishAll(dir);
  return dir;
}

export { commitAll, git };
