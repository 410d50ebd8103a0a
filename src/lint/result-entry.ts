/**
 * A project's lint result as the lint cache stores it (cache.ts) and as the report is assembled from
 * it: the per-project plumbing between the engine's computation and the outputs.
 *
 * An entry is three parts: a small JSON record (the project's diagnostics, the facts the hub-wide
 * rules need and, when its evaluations are stored as a piece, their tally for the summary), a line;
 * the project's source texts as JSON, a line; and the project's evaluations as the exact bytes they
 * take in the JSON report (a *piece*, report/lint-pieces.ts), with the offsets where the hub commit
 * goes. A run that takes a project from the cache decodes only the record: the piece is written into
 * the JSON report as it is, the sources are decoded only for a report that shows code. A result that
 * cannot be a piece (its project lives in another repository, whose commit and place the key does not
 * cover) keeps its evaluations in the record, compacted, as before.
 */
import type { Diagnostic, SourceRepository } from '../diagnostics.js';
import type { ProjectFacts } from '../practices/index.js';
import { locatedRepository } from '../report/lint-json.js';
import { deferredTailOf, isDeferred, type SegmentTally, type StoredPiece } from '../report/lint-pieces.js';
import type { Evaluation, PolicyDecision } from '../report/lint-report.js';

/** Who a result belongs to: its slug, and the repository its own files are in. */
export interface ProjectPlace {
  slug: string;
  repository?: SourceRepository;
}

/** A file's text in a result; `repository` unset means the project's own repository. */
export type SourceEntry = [file: string, text: string, repository?: SourceRepository];

export interface ProjectResult {
  diagnostics: Diagnostic[];
  /** Decisions before exceptions (exceptions depend on the date, so they apply after the cache). */
  evaluations: Evaluation[];
  sources: SourceEntry[];
  /** What the hub-wide best-practice rules need from each project (cached with it). */
  facts?: ProjectFacts[];
}

/**
 * Cached results are stored compactly: the policy's name and version live once in a table, and each
 * decision refers to it by index (100,000 decisions would otherwise repeat them 100,000 times).
 */
export interface CompactResult {
  policies: [string, string | null, string | null][];
  diagnostics: Diagnostic[];
  evaluations: { project: string; environment: string; tenant?: string; errors?: Diagnostic[]; decisions: [number, Omit<PolicyDecision, 'policy' | 'policyName' | 'version'>][] }[];
  sources: SourceEntry[];
  facts?: ProjectFacts[];
}

export function compact(result: ProjectResult): CompactResult {
  const table = new Map<string, number>();
  const policies: CompactResult['policies'] = [];
  const evaluations = result.evaluations.map((e) => ({
    ...e,
    decisions: e.decisions.map((d): [number, Omit<PolicyDecision, 'policy' | 'policyName' | 'version'>] => {
      const key = `${d.policy}\u0000${d.policyName ?? ''}\u0000${d.version ?? ''}`;
      let at = table.get(key);
      if (at === undefined) {
        at = policies.length;
        table.set(key, at);
        policies.push([d.policy, d.policyName ?? null, d.version ?? null]);
      }
      return [at, decisionFields(d)];
    }),
  }));
  return { policies, diagnostics: result.diagnostics, evaluations, sources: result.sources, ...(result.facts ? { facts: result.facts } : {}) };
}

/** A decision without its policy's name and version (the compact form's per-decision part), keys in one order. */
function decisionFields(d: PolicyDecision): Omit<PolicyDecision, 'policy' | 'policyName' | 'version'> {
  const out: Omit<PolicyDecision, 'policy' | 'policyName' | 'version'> = { inScope: d.inScope, allowed: d.allowed, action: d.action, outcome: d.outcome };
  if (d.reason !== undefined) out.reason = d.reason;
  if (d.error !== undefined) out.error = d.error;
  if (d.exception !== undefined) out.exception = d.exception;
  if (d.location !== undefined) out.location = d.location;
  if (d.needs !== undefined) out.needs = d.needs;
  return out;
}

export function expand(result: CompactResult): ProjectResult {
  return {
    diagnostics: result.diagnostics,
    sources: result.sources,
    ...(result.facts ? { facts: result.facts } : {}),
    evaluations: result.evaluations.map((e) => ({
      ...e,
      decisions: e.decisions.map((compacted) => expandDecision(result.policies, compacted)),
    })),
  };
}

/** A decision of the compact form with its policy's name and version put back (`compact`'s inverse). */
function expandDecision(policies: CompactResult['policies'], [at, rest]: CompactResult['evaluations'][number]['decisions'][number]): PolicyDecision {
  const [policy, policyName, version] = policies[at]!;
  const decision: PolicyDecision = { policy, ...rest };
  if (policyName !== null) decision.policyName = policyName;
  if (version !== null) decision.version = version;
  return decision;
}

/**
 * Fills in the project's repository (and slug) wherever a result leaves it unset: the project's own
 * files. Done after the cache, so a cached result takes the repository's current commit.
 *
 * `leaveLocations`: the decisions are left as they are, for a writer that writes their locations
 * with the project's repository filled in the same way (report/lint-json.ts `withLocationRepository`):
 * a cold run of a big hub would otherwise copy every located decision only to write it once.
 */
export function attachRepository(result: ProjectResult, target: ProjectPlace, options: { leaveLocations?: boolean } = {}): ProjectResult {
  const repository = target.repository;
  const own = <T extends { file?: string; repository?: SourceRepository }>(item: T): T => {
    const placed = locatedRepository(item, repository);
    return placed === item.repository ? item : { ...item, repository: placed };
  };
  const diagnostic = (d: Diagnostic): Diagnostic => {
    const placed = own(d);
    return { ...placed, project: d.project ?? target.slug, ...(d.related ? { related: d.related.map(own) } : {}) };
  };
  return {
    diagnostics: result.diagnostics.map(diagnostic),
    sources: result.sources.map(([file, text, repo]) => [file, text, repo ?? repository]),
    ...(result.facts ? { facts: result.facts } : {}),
    evaluations: result.evaluations.map((evaluation) => {
      const errors = evaluation.errors ? { errors: evaluation.errors.map(diagnostic) } : undefined;
      if (options.leaveLocations) return errors ? { ...evaluation, ...errors } : evaluation;
      return {
        ...evaluation,
        ...errors,
        decisions: evaluation.decisions.map((decision) => {
          if (!decision.location) return decision;
          const location = own(decision.location);
          return { ...decision, location: location.related ? { ...location, related: location.related.map(own) } : location };
        }),
      };
    }),
  };
}

/**
 * `attachRepository(expand(entry), target)` in one pass, for an entry just decoded from the cache: its
 * objects are this run's alone, so the repository is filled in where they are instead of into copies.
 * A re-run after one project changed takes all the others this way, and those copies were most of its
 * garbage. Keys end up in the same order as the copies' (a new key goes last either way).
 */
export function expandCached(entry: CompactResult, target: ProjectPlace): ProjectResult {
  const { own, diagnostic } = placerInPlace(target);
  const evaluations = entry.evaluations as unknown as Evaluation[];
  for (const evaluation of entry.evaluations) {
    evaluation.errors?.forEach(diagnostic);
    (evaluation as unknown as Evaluation).decisions = evaluation.decisions.map((compacted) => {
      const location = compacted[1].location;
      if (location) {
        own(location);
        location.related?.forEach(own);
      }
      return expandDecision(entry.policies, compacted);
    });
  }
  return { ...placeCachedRecord(entry, target), evaluations };
}

/**
 * `attachRepository`'s filling-in done in place, for objects just decoded from the cache (this run's
 * alone): `own` gives a file of the project's own its repository, `diagnostic` also its project.
 */
function placerInPlace(target: ProjectPlace): { own: <T extends { file?: string; repository?: SourceRepository }>(item: T) => T; diagnostic: (d: Diagnostic) => Diagnostic } {
  const repository = target.repository;
  const own = <T extends { file?: string; repository?: SourceRepository }>(item: T): T => {
    const placed = locatedRepository(item, repository);
    if (placed !== item.repository) item.repository = placed;
    return item;
  };
  const diagnostic = (d: Diagnostic): Diagnostic => {
    own(d);
    d.project ??= target.slug;
    d.related?.forEach(own);
    return d;
  };
  return { own, diagnostic };
}

/** The lines an entry's record takes before its piece (a cache may leave what follows them in its file: lint/cache.ts `deferAfterLines`). */
export const ENTRY_RECORD_LINES = 2;

/** A piece with the tally stored beside it. */
export type TalliedPiece = StoredPiece & { tally: SegmentTally };

/** The record part of an entry: the compact result without its sources (no evaluations when the piece holds them). */
type EntryRecord = Omit<CompactResult, 'sources'> & { piece?: { tally: SegmentTally; commits: readonly number[] } };

const EMPTY = new Uint8Array(0);

/**
 * Whether a stored record's `piece` is whole for a piece of `length` bytes: a tally, and its commit
 * stand-ins' offsets in order, at least `commitLength` apart and inside the piece. Checked wherever a
 * record is read back: a cache entry (`decodeEntry`) and the last stored report's index
 * (report-snapshot.ts). Plain loops: it runs once per project taken, mostly in V8's interpreter.
 */
export function storedPieceWhole(piece: unknown, length: number, commitLength: number): piece is { tally: SegmentTally; commits: number[] } {
  if (!piece || typeof piece !== 'object') return false;
  const { tally, commits } = piece as { tally?: Partial<SegmentTally>; commits?: unknown };
  if (!tally || !Array.isArray(tally.counts) || !Array.isArray(tally.environments) || !Array.isArray(tally.tenants) || !Array.isArray(commits)) return false;
  // The outline's parts are checked where they are read (report/findings-outline.ts `readOutline`).
  if (tally.outline !== 0 && typeof tally.outline !== 'string') return false;
  for (let i = 0, least = 0; i < commits.length; i++) {
    const at: unknown = commits[i];
    if (!Number.isInteger(at) || (at as number) < least || (at as number) + commitLength > length) return false;
    least = (at as number) + commitLength;
  }
  return true;
}

/** A result (before `attachRepository`) as its entry's parts (see the file comment), with its evaluations as `piece` when given. */
export function encodeEntry(result: ProjectResult, piece?: TalliedPiece): (string | Uint8Array)[] {
  return encodeEntryWithRecord(result, piece).parts;
}

/** `encodeEntry`'s parts, and the record's JSON (its first line). */
export function encodeEntryWithRecord(result: ProjectResult, piece?: TalliedPiece): { parts: (string | Uint8Array)[]; record: string } {
  const { sources, ...record } = compact(piece ? { ...result, evaluations: [] } : result);
  // The rest object is this call's own: the piece is added to it (last, as `{ ...record, piece }` would),
  // not spread into a copy, which on Node 20's V8 gets a map of its own on every call.
  const meta: EntryRecord = record;
  if (piece) meta.piece = { tally: piece.tally, commits: piece.commits };
  const bytes = piece?.bytes ?? EMPTY;
  const text = JSON.stringify(meta);
  return { parts: [`${text}\n${JSON.stringify(sources)}\n`, isDeferred(bytes) ? bytes.read() : bytes], record: text };
}

/** A decoded entry: its record as a compact result (sources only when asked for), and its piece if it has one. */
export interface DecodedEntry {
  result: CompactResult;
  piece?: TalliedPiece;
  /** The record's JSON as stored (its first line), when decoded from an entry. */
  record?: string;
}

/**
 * An entry's parts decoded (the sources only `withSources`); undefined when it is not one this
 * version wrote: a damaged entry is a miss. `commitLength`: a piece's commit offsets must leave room
 * for a commit that long.
 */
export function decodeEntry(bytes: Uint8Array, withSources: boolean, commitLength: number): DecodedEntry | undefined {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A cache may hand out only the record's lines and leave the piece in its file (lint/cache.ts `deferAfterLines`).
  const tail = deferredTailOf(bytes);
  const first = data.indexOf(10);
  const second = first < 0 ? -1 : data.indexOf(10, first + 1);
  if (second < 0) return undefined;
  try {
    const text = data.toString('utf8', 0, first);
    const record = JSON.parse(text) as EntryRecord;
    const sources = withSources ? (JSON.parse(data.toString('utf8', first + 1, second)) as SourceEntry[]) : [];
    if (!Array.isArray(record.policies) || !Array.isArray(record.diagnostics) || !Array.isArray(record.evaluations) || !Array.isArray(sources)) return undefined;
    const { piece: stored, ...rest } = record;
    const result: CompactResult = { ...rest, sources };
    if (stored === undefined) return second + 1 === data.length && !tail?.length ? { result } : undefined;
    if (tail && second + 1 !== data.length) return undefined;
    const bytes = tail ?? data.subarray(second + 1);
    if (!storedPieceWhole(stored, bytes.length, commitLength)) return undefined;
    const { tally, commits } = stored;
    return { result, piece: { bytes, commits, tally }, record: text };
  } catch {
    return undefined;
  }
}

/**
 * The diagnostics, sources and facts of a decoded entry with the project's repository filled in (in
 * place: a decoded entry is this run's alone); its evaluations are left to the piece or `expandCached`.
 */
export function placeCachedRecord(entry: CompactResult, target: ProjectPlace): Omit<ProjectResult, 'evaluations'> {
  const { diagnostic } = placerInPlace(target);
  return {
    diagnostics: entry.diagnostics.map(diagnostic),
    sources: entry.sources.map(([file, text, repo]) => [file, text, repo ?? target.repository]),
    ...(entry.facts ? { facts: entry.facts } : {}),
  };
}
