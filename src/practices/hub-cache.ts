/**
 * The hub-wide best-practice findings (`hubPractices`) kept between lint runs: on a 1,000-project hub
 * they are a thousand findings or more, recomputed on every re-run (10–15 ms) though a commit that
 * changed one project's script changes none of them. They are kept in the lint cache folder
 * (`lint-hub-practices.json`, the record format of lint/cache.ts: checksummed, replaced atomically).
 *
 * An entry is used only when it is what `hubPractices` would give now. Its key covers everything the
 * hub-wide rules and dependency checks read:
 * - the hub configuration: the key of the oclhub.ocl text it was validated from (config-cache.ts; it
 *   covers the tool's and the cache engine's versions), and the name findings give it;
 * - every project's facts (slug, repository, whether it was read, its variables and template
 *   dependencies), as JSON: a project's change reaches the key exactly when it reaches what they read;
 * - the published policy slugs;
 * - the clock, which reaches them only through BP028 (an exception's days until expiry): each
 *   exception's whole days left (or that it is past, or has no readable expiry);
 * - the tool's version, the cache engine's version (ENGINE_VERSION) and this module's format.
 * With no such key (a document config-cache.ts did not return, policy documents given) the findings
 * are computed and nothing is kept. Findings are kept only when JSON gives them back as they are
 * (`exactJson`); a damaged, torn or foreign entry is a miss, and a miss computes.
 */
import type { Diagnostic } from '../diagnostics.js';
import { configContentKey, exactJson } from '../hub/config-cache.js';
import { LintCache } from '../lint/cache.js';
import { ENGINE_VERSION, sha } from '../lint/fast-rerun.js';
import { parseExpiry } from '../model/checks/hub-config.js';
import type { HubConfigDocument } from '../model/types.js';
import { hubPractices, type PracticeOptions } from './index.js';
import type { ProjectFacts } from './types.js';

const FORMAT = 'oclhub-hub-practices/1';
const NAME = 'lint-hub-practices';
const DAY = 24 * 60 * 60 * 1000;

/** Where the findings are kept, and the tool version they are valid for. */
export interface HubPracticesCacheOptions {
  dir: string;
  toolVersion: string;
}

/** The key of `hubPractices(config, facts, options)` (see the file comment), or undefined when there is none. */
export function hubPracticesKey(config: HubConfigDocument | undefined, facts: readonly ProjectFacts[], options: PracticeOptions, toolVersion: string): string | undefined {
  if (options.policies !== undefined) return undefined;
  const configKey = config === undefined ? '-' : configContentKey(config);
  if (configKey === undefined) return undefined;
  const now = (options.now ?? new Date()).getTime();
  const daysLeft = (config?.exceptions ?? []).map((exception) => {
    const expiry = exception.expires !== undefined ? parseExpiry(exception.expires)?.getTime() : undefined;
    if (expiry === undefined) return '-';
    return expiry <= now ? 'past' : String(Math.ceil((expiry - now) / DAY));
  });
  return sha([
    FORMAT,
    ENGINE_VERSION,
    toolVersion,
    configKey,
    options.configFile ?? 'oclhub.ocl',
    JSON.stringify(options.publishedPolicies ?? null),
    daysLeft.join(','),
    JSON.stringify(facts),
  ]);
}

/**
 * `hubPractices(config, facts, options)`, from the cache in `cache.dir` when it holds them for this key;
 * else computed and kept. A cache that cannot be read or written only costs speed.
 */
export async function cachedHubPractices(
  config: HubConfigDocument | undefined,
  facts: readonly ProjectFacts[],
  options: PracticeOptions,
  cache: HubPracticesCacheOptions | undefined,
): Promise<Diagnostic[]> {
  const key = cache !== undefined ? hubPracticesKey(config, facts, options, cache.toolVersion) : undefined;
  if (key === undefined) return hubPractices(config, facts, options);
  const store = await LintCache.open(cache!.dir, NAME).catch(() => undefined);
  const stored = store?.get<unknown>(key);
  if (Array.isArray(stored)) return stored as Diagnostic[];
  const found = hubPractices(config, facts, options);
  const json = exactJson(found);
  if (store !== undefined && json !== undefined) {
    store.setEncoded(key, json);
    await store.save().catch(() => undefined);
  }
  return found;
}
