/**
 * `oclhub lint --shard I/N`: a deterministic 1/N of a hub's contexts, so that a CI matrix of N jobs
 * lints a large hub in parallel and `oclhub report merge` combines the N reports into one.
 *
 * A project goes to a shard by a hash of its slug, with all its contexts (environments, tenants):
 * the shard it lands in does not depend on the other projects, so adding a project never moves
 * another one, and a project's per-project work (resolution, input, validation) is done by one job.
 * Every shard reports the hub's own findings (oclhub.ocl, the policies); the hub-wide best-practice
 * rules, which read every project, run in shard 1 only.
 */
import { createHash } from 'node:crypto';
import type { LintShard } from '../report/lint-report.js';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

/** What a shard's report says about the run it is part of. */
export type ShardInfo = LintShard;

/** `I/N` with 1 ≤ I ≤ N. */
export function parseShard(text: string): ShardSpec | { error: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return { error: `--shard must be I/N (e.g. 1/4), got "${text}"` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count || !Number.isSafeInteger(count)) return { error: `--shard ${text}: I must be between 1 and N, and N at least 1` };
  return { index, count };
}

/** The shard (1-based) a project slug belongs to among `count`. */
export function shardOf(slug: string, count: number): number {
  if (count <= 1) return 1;
  const digest = createHash('sha256').update(slug).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function inShard(slug: string, shard: ShardSpec | undefined): boolean {
  return shard === undefined || shardOf(slug, shard.count) === shard.index;
}

/** Whether this shard runs the hub-wide rules (always, without sharding). */
export function runsHubRules(shard: ShardSpec | undefined): boolean {
  return shard === undefined || shard.index === 1;
}
