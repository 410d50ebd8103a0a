/**
 * Whether a working tree holds exactly the OCL files of a commit. Local commands read the working
 * tree by default; when it is the commit (always in CI), reading the commit instead keeps results
 * cacheable by commit and blob id. Only OCL files (oclhub.ocl, project folders, policies and
 * templates) and lock files (`oclhub.lock.json`) matter to lint, so only they are compared: each working-tree `*.ocl` file is hashed the way
 * Git hashes a blob and looked up in the commit's tree. A few hundred files take milliseconds, where
 * a full status would hash or stat everything.
 *
 * Conservative: a file Git would filter (line-ending conversion) or ignore counts as a difference, so
 * the answer "differs" is sometimes wrong, "same" never is.
 *
 * With a state folder, a verified answer is remembered with each file's size and modification time
 * (as Git's index does): the next check against the same commit stats the files instead of reading
 * the commit's trees, and hashes only files that changed since — or that changed so close to the
 * verification that their time cannot tell (Git's "racily clean" rule).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GitStore } from '../git/index.js';

/** Folders never holding files a lint reads. */
const SKIPPED = new Set(['.git', 'node_modules', '.oclhub-cache']);

/** The files a lint reads from a working tree. */
function relevant(name: string): boolean {
  return name.toLowerCase().endsWith('.ocl') || name === 'oclhub.lock.json';
}

function blobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

async function worktreeOclFiles(root: string, relative = '', out: string[] = []): Promise<string[]> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const file = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) await worktreeOclFiles(root, file, out);
    } else if (entry.isFile() && relevant(entry.name)) {
      out.push(file);
    }
  }
  return out;
}

interface WorktreeState {
  format: typeof STATE_FORMAT;
  commit: string;
  /** When the files were verified (ms since the epoch). */
  verifiedAt: number;
  /** Path → [size, mtimeMs, blob id] of every working-tree OCL file. */
  files: Record<string, [number, number, string]>;
}

const STATE_FORMAT = 'oclhub-worktree/2';

function stateFile(stateDir: string, dir: string): string {
  return path.join(stateDir, `worktree-${createHash('sha1').update(path.resolve(dir)).digest('hex').slice(0, 16)}.json`);
}

async function readState(file: string, commit: string): Promise<WorktreeState | undefined> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as WorktreeState;
    return state.format === STATE_FORMAT && state.commit === commit ? state : undefined;
  } catch {
    return undefined;
  }
}

async function writeState(stateDir: string, file: string, state: WorktreeState): Promise<void> {
  try {
    await mkdir(stateDir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(state));
    await rename(temp, file);
  } catch {
    // Only costs speed.
  }
}

/**
 * Whether the `*.ocl` and `oclhub.lock.json` files of the working tree in `dir` are exactly those of
 * `commit`; `stateDir` remembers a verified answer (see the file comment). Never throws.
 */
export async function oclWorktreeMatches(store: GitStore, commit: string, dir: string, stateDir?: string): Promise<boolean> {
  try {
    const present = await worktreeOclFiles(dir);
    const file = stateDir !== undefined ? stateFile(stateDir, dir) : undefined;
    const state = file !== undefined ? await readState(file, commit) : undefined;
    const verifiedAt = Date.now();
    let committed: Map<string, string | null>;
    if (state) {
      committed = new Map(Object.entries(state.files).map(([p, [, , oid]]) => [p, oid]));
    } else {
      committed = new Map();
      for (const entry of await store.listFiles(commit, '', { recursive: true })) {
        if (relevant(entry.path.slice(entry.path.lastIndexOf('/') + 1))) committed.set(entry.path, entry.oid);
      }
    }
    if (present.length !== committed.size) return false;
    const files: WorktreeState['files'] = {};
    for (const relative of present) {
      const oid = committed.get(relative);
      if (oid === undefined || oid === null) return false;
      const full = path.join(dir, relative);
      const info = await stat(full);
      const known = state?.files[relative];
      // Unchanged since a verification that came after its last write: the same content.
      const same = known !== undefined && known[0] === info.size && known[1] === info.mtimeMs && info.mtimeMs < state!.verifiedAt - 1;
      if (!same && blobId(await readFile(full)) !== oid) return false;
      files[relative] = [info.size, info.mtimeMs, oid];
    }
    if (stateDir !== undefined && file !== undefined) await writeState(stateDir, file, { format: STATE_FORMAT, commit, verifiedAt, files });
    return true;
  } catch {
    return false;
  }
}
