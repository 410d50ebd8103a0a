/**
 * The key of a whole lint run's rendered report: the hub commit, the tag listing, the options and
 * which exceptions are in force. Kept to cheap imports (no OCL parser), because the lint command
 * computes it first and re-prints the cached report when nothing changed.
 */
import { openRepository, type ObjectCache } from '../git/index.js';
import { parseExpiry } from '../model/checks/hub-config.js';
import { expiringSoonKey } from '../practices/rules/governance.js';
import type { LintOptions } from './engine.js';
import { oclWorktreeMatches } from './worktree.js';

import { ENGINE_VERSION, sha } from './fast-rerun.js';

export { ENGINE_VERSION, sha };

const DAY = 24 * 60 * 60 * 1000;

/**
 * The key of a rendered `oclhub lint` report over a whole hub folder, computed from Git alone — before
 * oclhub.ocl is even parsed — so that an unchanged hub re-prints its last report at the cost of a
 * few object reads. It covers the hub commit (oclhub.ocl and in-hub projects), every tag (published
 * templates and policies are immutable), the options, the rendering, and which `expires = "…"` values
 * of oclhub.ocl are in force now (the only thing time changes). Undefined when no such key exists
 * (no commit, drafts, projects in other repositories, a working tree read with changes).
 */
export async function renderedReportKey(dir: string, ref: string, options: LintOptions, rendering: string, how: { workingTree?: boolean; stateDir?: string; objectCache?: ObjectCache } = {}): Promise<string | undefined> {
  return (await renderedReportKeyUntil(dir, ref, options, rendering, how))?.key;
}

/**
 * `renderedReportKey`, and until when (ms since the epoch) the time-dependent part of the key stays
 * what it is now: the next instant at which an `expires = "…"` of oclhub.ocl comes into or out of
 * force, or its days-until-expiry count (BP028) moves on. With it, the commit keyed, and whether the
 * working tree was found to hold that commit's OCL files (`how.workingTree`).
 */
export async function renderedReportKeyUntil(
  dir: string,
  ref: string,
  options: LintOptions,
  rendering: string,
  how: { workingTree?: boolean; stateDir?: string; objectCache?: ObjectCache } = {},
): Promise<{ key: string; until: number; commit: string; worktreeVerified: boolean } | undefined> {
  if (options.projects || options.drafts) return undefined;
  try {
    const store = await openRepository({ dir, ...(how.objectCache ? { cache: how.objectCache } : {}) });
    const commit = (await store.resolveRef(ref)).oid;
    if (!commit) return undefined;
    // A working tree with changes is not the commit: nothing to key it by.
    if (how.workingTree && !store.bare && !(await oclWorktreeMatches(store, commit, dir, how.stateDir))) return undefined;
    const text = await store.readTextFile(commit, 'oclhub.ocl');
    if (/^\s*repository\s*=/m.test(text)) return undefined;
    const tags = (await store.listTags()).sort();
    const now = (options.now ?? new Date()).getTime();
    const inForce = [...text.matchAll(/\bexpires\s*=\s*"([^"]*)"/g)].map((m) => ((parseExpiry(m[1]!)?.getTime() ?? -Infinity) > now ? '1' : '0')).join('');
    const key = sha([
      'rendered',
      ENGINE_VERSION,
      options.toolVersion ?? '',
      commit,
      tags.join('\n'),
      options.onError ?? 'block',
      options.failOn ?? 'block',
      options.locked ? 'locked' : '',
      options.home ?? '',
      JSON.stringify(options.environments ?? []),
      JSON.stringify(options.tenants ?? []),
      JSON.stringify(options.release ?? null),
      options.shard ? `${options.shard.index}/${options.shard.count}` : '',
      rendering,
      inForce,
      expiringSoonKey(text, new Date(now)),
    ]);
    return { key, until: expiryStateUntil(text, now), commit, worktreeVerified: Boolean(how.workingTree && !store.bare) };
  } catch {
    return undefined;
  }
}

/**
 * The next instant after `now` at which any `expires = "…"` of `text` changes what the key reads from
 * it: for an expiry still ahead, the next whole-day step before it (`ceil((expiry - now) / day)`
 * changes there, and at the expiry itself it comes out of force). Conservative: an earlier instant
 * only means an earlier recomputation.
 */
export function expiryStateUntil(text: string, now: number): number {
  let until = Infinity;
  for (const match of text.matchAll(/\bexpires\s*=\s*"([^"]*)"/g)) {
    const expiry = parseExpiry(match[1]!)?.getTime();
    if (expiry === undefined || expiry <= now) continue;
    const days = Math.ceil((expiry - now) / DAY);
    until = Math.min(until, expiry - (days - 1) * DAY);
  }
  return until;
}
