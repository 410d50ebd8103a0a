/**
 * A stat of thousands of paths in a row, as the working-tree checks make (worktree.ts), without a
 * `Stats` object per path. Node 20's `statSync` builds one, with four `Date`s, from the numbers its
 * binding returns: in a process that makes the pass once, that code is cold (interpreted, then
 * compiled while the pass runs) and its garbage is collected, so that 4,000 stats took ~30 ms where the
 * system calls take ~12 (measured here, one pass per process, on a 1,000-project hub).
 *
 * The numbers come from the function `statSync` itself calls (Node's fs binding), and only when it
 * proves to be that function: Node's own numbers in the layout `getStatsFromBinding` reads (the times
 * as seconds and nanoseconds, turned into milliseconds the way Node does), checked on first use
 * against `statSync` of the same path. Anything else — another platform (`statSync` also rewrites
 * Windows paths), a Node other than 20 to 24 (whose `statSync` calls the binding so and whose
 * `process.binding('fs')` prints nothing), a Node that prints a deprecation warning for
 * `process.binding` (`--pending-deprecation`), a binding that is missing, throws or disagrees — and
 * `statSync` is used.
 */
import { statTimeMs } from '../git/stat-time.js';

const fs: typeof import('node:fs') = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));

/** What a path is, with its numbers in `STAT` (see `statNumbers`). */
export const PathKind = { Missing: 0, File: 1, Folder: 2, Other: 3 } as const;
export type PathKind = (typeof PathKind)[keyof typeof PathKind];

/**
 * The last path's [size, mtimeMs, ctimeMs, inode, uid, gid], as `Stats` gives them; overwritten by the
 * next call. (The owner is what Git's index also records: the cold working-tree check compares it.)
 */
export const STAT = new Float64Array(6);

type BindingStat = (path: string, bigint: boolean, request: undefined, throwIfNoEntry: boolean) => Float64Array | undefined;

/** Node's fs binding's stat once proven (see the file comment); null: `statSync`; undefined: not tried yet. */
let bindingStat: BindingStat | null | undefined;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const NO_THROW = { throwIfNoEntry: false } as const;

function kindOf(mode: number): PathKind {
  const type = mode & S_IFMT;
  return type === S_IFREG ? PathKind.File : type === S_IFDIR ? PathKind.Folder : PathKind.Other;
}

/** Fills `STAT` from the binding's numbers (getStatsFromBinding's layout: mode 1, uid 3, gid 4, ino 7, size 8, mtime 12-13, ctime 14-15). */
function fromBinding(numbers: Float64Array): PathKind {
  STAT[0] = numbers[8]!;
  STAT[1] = statTimeMs(numbers[12]!, numbers[13]!);
  STAT[2] = statTimeMs(numbers[14]!, numbers[15]!);
  STAT[3] = numbers[7]!;
  STAT[4] = numbers[3]!;
  STAT[5] = numbers[4]!;
  return kindOf(numbers[1]!);
}

function fromStats(info: import('node:fs').Stats | undefined): PathKind {
  if (info === undefined) return PathKind.Missing;
  STAT[0] = info.size;
  STAT[1] = info.mtimeMs;
  STAT[2] = info.ctimeMs;
  STAT[3] = info.ino;
  STAT[4] = info.uid;
  STAT[5] = info.gid;
  return info.isFile() ? PathKind.File : info.isDirectory() ? PathKind.Folder : PathKind.Other;
}

/**
 * The binding's stat when it gives exactly what `statSync` gives for `probe` (an existing path), else
 * null. `process.binding` wrapped by util.deprecate (named `deprecated`) would print a warning.
 */
function provenBindingStat(probe: string): BindingStat | null {
  try {
    // Deprecated in the documentation only; not in @types/node.
    const binding = (process as { binding?: (name: string) => unknown }).binding;
    const major = Number(process.versions.node.split('.')[0]);
    if (process.platform === 'win32' || !(major >= 20 && major <= 24) || typeof binding !== 'function' || binding.name !== 'binding') return null;
    const fsBinding = binding.call(process, 'fs') as { stat?: unknown };
    if (typeof fsBinding?.stat !== 'function') return null;
    const candidate = fsBinding.stat.bind(fsBinding) as BindingStat;
    const numbers = candidate(probe, false, undefined, false);
    if (!(numbers instanceof Float64Array) || numbers.length < 18) return null;
    const kind = fromBinding(numbers);
    const proved = STAT.slice();
    const expected = fromStats(fs.statSync(probe));
    return kind === expected && proved.every((number, i) => number === STAT[i]) ? candidate : null;
  } catch {
    return null;
  }
}

/**
 * Stats `path` (following symbolic links, as `statSync` does): its kind, and its numbers in `STAT`
 * unless it is missing. Throws what `statSync` throws for other errors. `probe`: an existing path the
 * binding is proven on, the first time (the folder the pass walks).
 */
export function statNumbers(path: string, probe: string): PathKind {
  if (bindingStat === undefined) bindingStat = provenBindingStat(probe);
  if (bindingStat === null) return fromStats(fs.statSync(path, NO_THROW));
  const numbers = bindingStat(path, false, undefined, false);
  return numbers === undefined ? PathKind.Missing : fromBinding(numbers);
}

/** Tests: forgets the proof (the next call proves the binding again), or with `off`, uses `statSync` from now on. */
export function resetStatNumbers(off = false): void {
  bindingStat = off ? null : undefined;
}

/** Tests: what `statNumbers` uses (undefined before its first call). */
export function statNumbersSource(): 'binding' | 'statSync' | undefined {
  return bindingStat === undefined ? undefined : bindingStat === null ? 'statSync' : 'binding';
}
