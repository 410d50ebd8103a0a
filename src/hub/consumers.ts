/**
 * Who consumes a process template: every project registered in oclhub.ocl that has a usage of it,
 * with the usage's mask, the version it resolves to, the newest version the mask allows, and the
 * newer majors a mask never takes (a person must change the mask). Resolution is what lint evaluates:
 * floating, or pinned by the hub's `oclhub.lock.json` when the hub root holds one (then a usage can be
 * behind its mask's newest). A project that cannot be read is listed with its error: it may be a
 * consumer, and saying it is not would be a guess.
 */
import gt from 'semver/functions/gt.js';
import lt from 'semver/functions/lt.js';
import major from 'semver/functions/major.js';
import parse from 'semver/functions/parse.js';
import type { Diagnostic } from '../diagnostics.js';
import { LOCK_FILE_NAME, outdated, parseLock, type LockFile } from '../templates/lock.js';
import { usageKey } from '../templates/project.js';
import type { Hub } from './hub.js';

/** The semver functions used here, each loaded alone (the package's index loads all fifty of its modules). */
const semver = { gt, lt, major, parse };

export interface TemplateConsumerUsage {
  /** The project file holding the usage, and the usage step's slug and name. */
  file: string;
  usage: string;
  usageName: string;
  mask?: string;
  /** The version the usage resolves to (absent when it does not resolve). */
  resolved?: string;
  /** Where the resolved version comes from. */
  resolvedBy: 'mask' | 'lock';
  /** The newest published version the mask allows. */
  newestAllowed?: string;
  /** The newest stable version overall. */
  newestOverall?: string;
  /** The usage resolves to a version older than its mask's newest (a lock pins it). */
  behind: boolean;
  /** The newest version of each major above the resolved one: each needs a mask change. */
  newerMajors: string[];
  /** Resolution errors on this usage (unknown template, mask matching nothing, bad parameters). */
  diagnostics: Diagnostic[];
}

export interface TemplateConsumer {
  project: string;
  name: string;
  usages: TemplateConsumerUsage[];
  /** The project could not be read: whether it consumes the template is unknown. */
  error?: string;
}

export interface TemplateConsumers {
  slug: string;
  consumers: TemplateConsumer[];
  /** Problems reading the hub's lock file. */
  diagnostics: Diagnostic[];
}

export async function templateConsumers(hub: Hub, slug: string, options: { cacheDir?: string } = {}): Promise<TemplateConsumers> {
  const diagnostics: Diagnostic[] = [];
  const lock = await hubLock(hub, diagnostics);
  const consumers: TemplateConsumer[] = [];
  for (const project of hub.config?.projects ?? []) {
    const read = await hub.projectFiles(project, options);
    if ('error' in read) {
      consumers.push({ project: project.slug, name: project.name, usages: [], error: read.error });
      continue;
    }
    const locked = lock && project.repository === undefined ? lock : undefined;
    const resolution = await hub.resolveProject({ files: read.files, environments: hub.environments(project), ...(locked ? { lock: locked } : {}) });
    const usages: TemplateConsumerUsage[] = [];
    for (const entry of outdated(resolution)) {
      if (entry.template !== slug) continue;
      const process = resolution.processes.find((p) => p.file === entry.file);
      const usage = process?.usages.find((u) => u.slug === entry.usage);
      const resolvedBy = locked?.usages[usageKey(entry.file, entry.usage)] !== undefined ? 'lock' : 'mask';
      const base = entry.resolved ?? entry.newestAllowed;
      const out: TemplateConsumerUsage = {
        file: entry.file,
        usage: entry.usage,
        usageName: usage?.name ?? entry.usage,
        resolvedBy,
        behind: entry.resolved !== undefined && entry.newestAllowed !== undefined && semver.lt(entry.resolved, entry.newestAllowed),
        newerMajors: base === undefined ? [] : newerMajors(usage?.available ?? [], base),
        diagnostics: (process?.diagnostics ?? []).filter((d) => usage !== undefined && d.range !== undefined && d.range.start.offset >= usage.range.start.offset && d.range.end.offset <= usage.range.end.offset),
      };
      if (entry.mask !== undefined) out.mask = entry.mask;
      if (entry.resolved !== undefined) out.resolved = entry.resolved;
      if (entry.newestAllowed !== undefined) out.newestAllowed = entry.newestAllowed;
      if (entry.newestOverall !== undefined) out.newestOverall = entry.newestOverall;
      usages.push(out);
    }
    if (usages.length > 0) consumers.push({ project: project.slug, name: project.name, usages });
  }
  return { slug, consumers, diagnostics };
}

/** The newest stable version of every major above `base`'s, ascending. */
function newerMajors(available: readonly string[], base: string): string[] {
  const baseMajor = semver.major(base);
  const newest = new Map<number, string>();
  for (const version of available) {
    const parsed = semver.parse(version);
    if (!parsed || parsed.prerelease.length > 0 || parsed.major <= baseMajor) continue;
    const known = newest.get(parsed.major);
    if (known === undefined || semver.gt(version, known)) newest.set(parsed.major, version);
  }
  return [...newest.keys()].sort((a, b) => a - b).map((major) => newest.get(major)!);
}

/** The hub root's oclhub.lock.json at the hub ref, when there is one (it pins the in-hub projects' usages). */
async function hubLock(hub: Hub, diagnostics: Diagnostic[]): Promise<LockFile | undefined> {
  const ref = hub.commit ?? 'WORKTREE';
  try {
    if ((await hub.store.pathType(ref, LOCK_FILE_NAME)) !== 'file') return undefined;
    const parsed = parseLock(await hub.store.readTextFile(ref, LOCK_FILE_NAME));
    if ('lock' in parsed) return parsed.lock;
    diagnostics.push(...parsed.diagnostics);
  } catch (error) {
    diagnostics.push({ severity: 'error', code: 'HUB001', summary: `Cannot read ${LOCK_FILE_NAME}: ${error instanceof Error ? error.message : String(error)}`, file: LOCK_FILE_NAME });
  }
  return undefined;
}
