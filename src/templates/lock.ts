/**
 * `oclhub.lock.json`: what each usage resolved to, so CI can notice when a template publish changes a
 * project's process (`oclhub lint --locked`). The lock is optional; without it resolution floats as
 * Octopus does. Keys are `<process file>#<usage slug>`, paths relative to the project repository root.
 */
import major from 'semver/functions/major.js';
import type { Diagnostic } from '../diagnostics.js';
import type { ProjectResolution } from './project.js';
import { usageKey } from './project.js';
import { tplDiagnostic } from './resolve-codes.js';
import { newestOverall, parseVersionMask, resolveMask } from './version-mask.js';

/** The semver functions used here, each loaded alone (the package's index loads all fifty of its modules). */
const semver = { major };

export const LOCK_FILE_NAME = 'oclhub.lock.json';
export const LOCK_FILE_VERSION = 1;

export interface LockEntry {
  template: string;
  mask: string;
  version: string;
  contentHash: string;
}

export interface LockFile {
  lockfileVersion: number;
  usages: Record<string, LockEntry>;
}

export function buildLock(resolution: ProjectResolution): LockFile {
  const entries: [string, LockEntry][] = [];
  for (const process of resolution.processes) {
    for (const usage of process.usages) {
      if (usage.version === undefined || usage.templateSlug === undefined || usage.mask === undefined) continue;
      entries.push([usageKey(process.file, usage.slug), { template: usage.templateSlug, mask: usage.mask, version: usage.version, contentHash: usage.contentHash ?? '' }]);
    }
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { lockfileVersion: LOCK_FILE_VERSION, usages: Object.fromEntries(entries) };
}

export function formatLock(lock: LockFile): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

export function parseLock(text: string, file = LOCK_FILE_NAME): { lock: LockFile } | { diagnostics: Diagnostic[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { diagnostics: [tplDiagnostic('TPL120', `${file} is not valid JSON: ${(error as Error).message}`, { file })] };
  }
  const lock = value as Partial<LockFile>;
  if (typeof lock !== 'object' || lock === null || lock.lockfileVersion !== LOCK_FILE_VERSION || typeof lock.usages !== 'object' || lock.usages === null) {
    return { diagnostics: [tplDiagnostic('TPL120', `${file} is not an oclhub lock file (lockfileVersion ${LOCK_FILE_VERSION} with "usages")`, { file })] };
  }
  return { lock: lock as LockFile };
}

/** Differences between a lock and a resolution: each becomes a TPL120 error on the usage. */
export function compareLock(lock: LockFile, resolution: ProjectResolution, file = LOCK_FILE_NAME): Diagnostic[] {
  const current = buildLock(resolution);
  const out: Diagnostic[] = [];
  const where = new Map<string, { file: string; range: import('../diagnostics.js').Range }>();
  for (const process of resolution.processes) for (const usage of process.usages) where.set(usageKey(process.file, usage.slug), { file: process.file, range: usage.range });
  for (const [key, locked] of Object.entries(lock.usages)) {
    const now = current.usages[key];
    const at = where.get(key);
    if (!now) {
      out.push(tplDiagnostic('TPL120', `Locked usage ${key} no longer resolves`, { file: at?.file ?? file, range: at?.range, detail: `The lock has ${locked.template} ${locked.version}; run \`oclhub lock\` to update it.` }));
    } else if (now.version !== locked.version || now.template !== locked.template || (locked.contentHash !== '' && now.contentHash !== locked.contentHash)) {
      out.push(
        tplDiagnostic('TPL120', `Usage ${key} resolves to ${now.template} ${now.version}, the lock says ${locked.template} ${locked.version}`, {
          file: at?.file ?? file,
          range: at?.range,
          detail: now.version === locked.version ? 'The content hash differs: the tag was recreated.' : 'Run `oclhub lock` to accept the new version.',
        }),
      );
    }
  }
  for (const key of Object.keys(current.usages)) {
    if (lock.usages[key]) continue;
    const at = where.get(key);
    out.push(tplDiagnostic('TPL120', `Usage ${key} is not in the lock file`, { file: at?.file ?? file, range: at?.range, detail: 'Run `oclhub lock` to add it.' }));
  }
  return out;
}

/** The versions pinned by a lock, as `resolveFiles`'s `pinned` option. */
export function pinsFromLock(lock: LockFile): Map<string, string> {
  return new Map(Object.entries(lock.usages).map(([key, entry]) => [key, entry.version]));
}

export interface OutdatedEntry {
  file: string;
  usage: string;
  template?: string;
  mask?: string;
  resolved?: string;
  /** The newest version the mask allows (what an unlocked resolution takes). */
  newestAllowed?: string;
  /** The newest stable version overall. */
  newestOverall?: string;
  /** A newer major exists: masks never take it, a person must change the mask. */
  needsManualAcceptance: boolean;
}

export function outdated(resolution: ProjectResolution): OutdatedEntry[] {
  const out: OutdatedEntry[] = [];
  for (const process of resolution.processes) {
    for (const usage of process.usages) {
      const entry: OutdatedEntry = { file: process.file, usage: usage.slug, needsManualAcceptance: false };
      if (usage.templateSlug !== undefined) entry.template = usage.templateSlug;
      if (usage.mask !== undefined) entry.mask = usage.mask;
      if (usage.version !== undefined) entry.resolved = usage.version;
      const mask = usage.mask === undefined ? undefined : parseVersionMask(usage.mask);
      if (mask && !('error' in mask)) {
        const allowed = resolveMask(mask, usage.available);
        if (allowed !== undefined) entry.newestAllowed = allowed;
      }
      const newest = newestOverall(usage.available);
      if (newest !== undefined) entry.newestOverall = newest;
      const base = entry.resolved ?? entry.newestAllowed;
      entry.needsManualAcceptance = newest !== undefined && base !== undefined && semver.major(newest) > semver.major(base);
      out.push(entry);
    }
  }
  return out;
}
