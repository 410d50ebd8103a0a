/**
 * The time Node gives a stat as `mtimeMs` or `ctimeMs`, from the time's seconds and nanoseconds (as
 * Git's index records them, and as Node's fs binding returns them): the same operations as Node's
 * lib/internal/fs/utils.js `msFromTimeSpec` give the same double for the same time, so a time read from
 * either compares exactly with a `Stats` object's. Kept alone, without imports: the index reader
 * (index-file.ts) and the re-run's stat pass (lint/stat-numbers.ts, which must not load node:crypto)
 * both rely on it being Node's formula.
 */
export function statTimeMs(seconds: number, nanoseconds: number): number {
  return seconds * 1000 + nanoseconds / 1e6;
}
