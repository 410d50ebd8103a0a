/**
 * The façade (src/hub.ts) as a HubPort. A Hub is opened at one ref; requests for another ref — or for
 * the default branch after it moved — get a Hub at that commit, cached by commit id (commits never
 * change, so a cached hub is never stale, and a request for a new commit never waits on others).
 * Template content is cached by commit too. A tag listing is trusted for `tagTtlMs` (default 1 s;
 * renewed in the background from half that age while requests come) and dropped at once after a
 * publish through this port: tags appear when anyone publishes, in any process, and listing them
 * costs a few milliseconds per request otherwise.
 *
 * Provided: templates, versions, publish, projects, process resolution, and (./hub-decisions.ts)
 * policy input, evaluation, compliance, diff and policy activation.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { defaultFs } from '../git/repo.js';
import { Hub, validateHubFileText } from '../hub/index.js';
import { oclToJson } from '../ocl/json.js';
import { parseOcl } from '../ocl/index.js';
import { notReadWithoutBase } from '../templates/catalog.js';
import { describeKind, readTemplateFiles } from '../templates/publish.js';
import type {
  HubPort,
  ProjectListing,
  PublishOutcome,
  PublishRequest,
  ResolveProcessRequest,
  TemplateContent,
  TemplateKind,
  TemplateListing,
  VersionInfo,
} from './ports.js';
import { ProblemError } from './problem.js';
import { decisionMethods } from './hub-decisions.js';
import type { DecisionObserver } from './metrics.js';
import { dependencyMethods } from './hub-dependencies.js';

const MAX_CACHED_COMMITS = 64;
const STAMP_TRUST_MS = 100;
const MAX_CACHED_CONTENTS = 512;

export interface HubPortOptions {
  /** How long a tag listing is trusted, in ms (default 1000; 0 re-reads on every request). */
  tagTtlMs?: number;
  /** Told about decision cache hits and computed evaluations (metrics). */
  observer?: DecisionObserver;
}

/** The port with the façade itself at a ref, for surfaces that show more than the API answers (the web pages). */
export interface FacadePort extends Required<HubPort> {
  /** The hub at a ref (default: the hub's own ref, followed as it moves), cached by commit, its tags fresh. */
  hubAt(ref?: string): Promise<Hub>;
  /**
   * Forget the tag listing and what was read through it, now: for a writer that replaced tags under
   * the same names (a replica taking the remote's tag after its own push was refused).
   */
  refreshTags(): void;
}

export function hubPort(hub: Hub, options: HubPortOptions = {}): FacadePort {
  const tagTtlMs = options.tagTtlMs ?? 1000;
  // Every hub this port serves refreshes its templates through freshTags: resolutions can be reused.
  hub.reuseResolutions = true;
  const byCommit = new Map<string, Promise<Hub>>();
  /** The hubs of byCommit that have finished loading. */
  const loaded = new Map<string, Hub>();
  const contents = new Map<string, Promise<TemplateContent | undefined>>();
  const dir = /^https?:\/\//i.test(hub.location) ? undefined : hub.location;
  /** When each hub's catalog last re-read its tags, and in which publish generation. */
  const refreshed = new WeakMap<Hub, { at: number; generation: number }>();
  let generation = 0;
  /** The tag listing as last read, and a counter that moves when it changes. */
  let tagListing: { at: number; generation: number; text: string; state: number } | undefined;
  /** The tag read under way, and the publish generation it started in. */
  let tagRead: { generation: number; read: Promise<string> } | undefined;
  let tagStateCounter = 0;

  /**
   * The current tag listing's token while it is trusted (its read started less than tagTtlMs ago,
   * nothing published since), else undefined. Past half its life, a trusted listing is read again in
   * the background: under steady traffic it is renewed before it expires, so no request finds it
   * expired and waits for a read (once a second, every request in flight took the slow path and
   * waited: the cache hit's latency tail). An answer still rests on a listing read less than
   * tagTtlMs ago.
   */
  function trustedTagState(): string | undefined {
    if (tagListing === undefined || tagListing.generation !== generation) return undefined;
    const age = Date.now() - tagListing.at;
    if (age >= tagTtlMs) return undefined;
    if (age >= tagTtlMs / 2 && tagRead === undefined) readTags().catch(() => undefined);
    return String(tagListing.state);
  }

  /** A token for the current tag listing, re-read at most every tagTtlMs (concurrent callers share one read). */
  function tagState(): Promise<string> {
    const trusted = trustedTagState();
    if (trusted !== undefined) return Promise.resolve(trusted);
    return readTags();
  }

  /**
   * Reads the tag listing (or joins the read under way, unless something was published through this
   * port since it started) and returns its token.
   */
  function readTags(): Promise<string> {
    if (tagRead !== undefined && tagRead.generation === generation) return tagRead.read;
    // Trusted from when the read started (a tag created while it runs may be missed by it), and only
    // if nothing was published through this port meanwhile (the next call reads again).
    const startedAt = Date.now();
    const startedIn = generation;
    const read = hub.store
      .listTags()
      .then((tags) => {
        // A read that started before the listing now held (a publish started another meanwhile) says nothing newer.
        if (tagListing !== undefined && tagListing.at > startedAt) return String(tagListing.state);
        const text = [...tags].sort().join('\n');
        const publishedMeanwhile = generation !== startedIn;
        if (tagListing === undefined || tagListing.text !== text) {
          tagStateCounter++;
          // The listing moved: every hub's catalog must look again.
          if (tagListing !== undefined && tagListing.generation === generation) generation++;
        }
        tagListing = { at: startedAt, generation: publishedMeanwhile ? startedIn : generation, text, state: tagStateCounter };
        return String(tagStateCounter);
      })
      .finally(() => {
        if (tagRead?.read === read) tagRead = undefined;
      });
    tagRead = { generation: startedIn, read };
    return read;
  }

  function freshTags(h: Hub): void {
    const last = refreshed.get(h);
    const now = Date.now();
    if (last && last.generation === generation && now - last.at < tagTtlMs) return;
    h.refreshTemplates();
    refreshed.set(h, { at: now, generation });
  }

  /** The hub at `ref` (default: the hub's own ref, re-resolved so a moving branch is followed). */
  async function at(ref: string | undefined): Promise<Hub> {
    if (ref === undefined && hub.commit === null) return hub;
    const oid = (ref === undefined ? defaultOid() : undefined) ?? (await hub.store.resolveRef(ref ?? hub.ref)).oid;
    if (oid === null || oid === hub.commit) return hub;
    let opened = byCommit.get(oid);
    if (!opened) {
      const next = new Hub(hub.store, hub.location, oid, dir);
      next.reuseResolutions = true;
      const loading = next.load().then(() => next);
      opened = loading;
      byCommit.set(oid, loading);
      loading.then(
        () => {
          if (byCommit.get(oid) === loading) loaded.set(oid, next);
        },
        () => {
          if (byCommit.get(oid) === loading) byCommit.delete(oid);
        },
      );
      if (byCommit.size > MAX_CACHED_COMMITS) {
        const oldest = byCommit.keys().next().value!;
        byCommit.delete(oldest);
        loaded.delete(oldest);
      }
    }
    return opened;
  }

  /**
   * The hub at the default branch when that is known without loading anything: its commit read from
   * the ref files (`defaultOidAfterReads`: a commit made by any process is seen) and that commit's hub
   * already loaded. Undefined otherwise (a working tree, a store not on disk, a commit not loaded
   * yet): ask `at`.
   */
  async function currentHub(): Promise<Hub | undefined> {
    if (hub.commit === null || !refFilesReadable()) return undefined;
    const oid = await defaultOidAfterReads();
    if (oid === undefined) return undefined;
    return oid === hub.commit ? hub : loaded.get(oid);
  }

  /** The next reading of the ref files, while requests still join it (see defaultOidAfterReads). */
  let nextReading: Promise<string | undefined> | undefined;

  /**
   * `defaultOid()` read after the current poll phase of the event loop (setImmediate), once for every
   * request that asked during it. Each of those requests' bytes were received before the reading, so
   * a commit that completed before a client sent its request is seen, as when each request read the
   * ref files itself; but a turn of the loop answering 50 cached gates reads them once, not 50 times
   * (each reading is 2–3 stat calls, a third of a cache hit's CPU beyond the trivial route's).
   */
  function defaultOidAfterReads(): Promise<string | undefined> {
    return (nextReading ??= new Promise((resolve) => {
      setImmediate(() => {
        // A request that asks from now on may have been received after this reading: it waits for the next.
        nextReading = undefined;
        resolve(defaultOid());
      });
    }));
  }

  // An answer computed while an object could not be read is wrong (and was answered 503): forget every
  // cached hub, content and decision, so the next request reads again — and fails again until repaired.
  hub.store.onCorruptObject(() => {
    byCommit.clear();
    loaded.clear();
    contents.clear();
    tagListing = undefined;
    tagStateCounter++;
    generation++;
  });

  const decisions = decisionMethods({
    hub,
    at,
    currentHub,
    freshTags,
    tagState,
    trustedTagState,
    changed: () => void generation++,
    ...(options.observer ? { observer: options.observer } : {}),
  });

  /**
   * What a ref file said, and the stat it was read at. Git replaces a ref file by renaming a new one
   * over it: an unchanged inode, time and size mean unchanged content, and a stat is cheaper than a
   * read. File times are coarse (a clock tick), so a file changed in the last STAMP_TRUST_MS is read
   * anyway: two renames within one tick could otherwise reuse an inode with an equal time.
   */
  interface RefFileRead {
    ino: number;
    mtimeMs: number;
    size: number;
    /** A commit id, or the branch a symbolic ref names. */
    value: string;
    commit: boolean;
  }
  const refFiles = new Map<string, RefFileRead>();

  /**
   * The commit HEAD names, from HEAD and its branch's loose ref file directly — a stat or two (numbers
   * compared, nothing allocated but the stats) instead of the ~0.3 ms of ref probing a general
   * resolveRef costs, on every request that names no ref. A read sees the old or the new commit (Git
   * writes a lock file and renames it). A branch without a loose file is looked up in packed-refs,
   * parsed once per file stamp. Undefined (use resolveRef) for symbolic refs elsewhere, or a store not
   * on disk.
   */
  function defaultOid(): string | undefined {
    if (!refFilesReadable()) return undefined;
    try {
      const now = Date.now();
      let name = 'HEAD';
      for (let depth = 0; depth < 3; depth++) {
        const file = `${hub.store.gitdir}/${name}`;
        const info = statSync(file, { throwIfNoEntry: false });
        // A branch without a loose file is in packed-refs (a clone, a hub after `git gc`).
        if (info === undefined) return depth > 0 ? packedRef(name, now) : undefined;
        let known = refFiles.get(name);
        if (known === undefined || known.ino !== info.ino || known.mtimeMs !== info.mtimeMs || known.size !== info.size || now - info.mtimeMs <= STAMP_TRUST_MS) {
          const text = readFileSync(file, 'utf8').trim();
          let value: string;
          const commit = /^[0-9a-f]{40}$/.test(text);
          if (commit) value = text;
          else {
            const symbolic = /^ref: (refs\/heads\/[A-Za-z0-9._/-]+)$/.exec(text);
            if (!symbolic || symbolic[1]!.includes('..')) return undefined;
            value = symbolic[1]!;
          }
          if (refFiles.size > 64) refFiles.clear();
          known = { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size, value, commit };
          refFiles.set(name, known);
        }
        if (known.commit) return known.value;
        name = known.value;
      }
    } catch {
      // An unreadable ref file: the general path decides.
    }
    return undefined;
  }

  /** Whether `defaultOid` can read the ref files: a store on disk, opened at HEAD. */
  function refFilesReadable(): boolean {
    // Only HEAD: another name would need git's full lookup order (refs/tags/x before refs/heads/x).
    return hub.store.fs === defaultFs && hub.ref === 'HEAD';
  }

  /** packed-refs as last parsed, the stat it was parsed at, and when. */
  let packed: { ino: number; mtimeMs: number; size: number; at: number; refs: Map<string, string> } | undefined;

  /** A branch's commit from packed-refs, re-read only when the file's stat changes (as refs.ts does for the store). */
  function packedRef(name: string, now: number): string | undefined {
    const file = `${hub.store.gitdir}/packed-refs`;
    const info = statSync(file, { throwIfNoEntry: false });
    if (info === undefined) return undefined;
    if (!packed || packed.ino !== info.ino || packed.mtimeMs !== info.mtimeMs || packed.size !== info.size || packed.at - info.mtimeMs <= STAMP_TRUST_MS) {
      const refs = new Map<string, string>();
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.length > 41 && line[40] === ' ' && /^[0-9a-f]{40}$/.test(line.slice(0, 40))) refs.set(line.slice(41).trim(), line.slice(0, 40));
      }
      packed = { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size, at: now, refs };
    }
    return packed.refs.get(name);
  }

  return {
    ...decisions,
    ...dependencyMethods({ at }),

    refreshTags(): void {
      tagListing = undefined;
      tagStateCounter++;
      generation++;
    },

    async hubAt(ref?: string): Promise<Hub> {
      const h = await at(ref);
      freshTags(h);
      return h;
    },

    async listTemplates(kind: TemplateKind, ref?: string): Promise<TemplateListing> {
      const h = await at(ref);
      freshTags(h);
      const templates = (await h.listTemplates(kind)).map(({ kind: _kind, ...summary }) => summary);
      return { kind, commit: h.commit, templates };
    },

    async getTemplate(kind: TemplateKind, slug: string, ref?: string): Promise<TemplateContent | undefined> {
      const h = await at(ref);
      if (h.commit === null) return readContent(h, kind, slug);
      const key = `${h.commit}\u0000${kind}\u0000${slug}`;
      let content = contents.get(key);
      if (!content) {
        content = readContent(h, kind, slug);
        contents.set(key, content);
        content.catch(() => contents.delete(key));
        if (contents.size > MAX_CACHED_CONTENTS) contents.delete(contents.keys().next().value!);
      }
      return content;
    },

    async versions(kind: TemplateKind, slug: string): Promise<VersionInfo[]> {
      freshTags(hub);
      const { versions, diagnostics } = await hub.versions(kind, slug);
      if (diagnostics.length > 0) throw new ProblemError('internal-error', diagnostics[0]!.summary);
      return versions.map((v) => {
        const info: VersionInfo = { version: v.version, prerelease: v.prerelease, tag: v.tag, commit: v.commit, notes: v.notes };
        if (v.date !== undefined) info.date = v.date;
        if (v.publisher !== undefined) info.publisher = v.publisher;
        if (v.contentHash !== undefined) info.contentHash = v.contentHash;
        if (v.previousVersion !== undefined) info.previousVersion = v.previousVersion;
        return info;
      });
    },

    async publish(request: PublishRequest): Promise<PublishOutcome> {
      const { publisher, ...rest } = request;
      // `version` goes to the façade as it is: with a bump it must be the version created (checked under
      // the template's repository lock, across processes), without one it is the version to create.
      const result = await hub.publish({ ...rest, ...(publisher ? { publisher } : {}) });
      if (result.published) generation++;
      const { candidate: _candidate, message: _message, ref: _ref, files: _files, ...outcome } = result;
      return outcome as PublishOutcome;
    },

    async listProjects(ref?: string): Promise<ProjectListing> {
      const h = await at(ref);
      const projects = (h.config?.projects ?? []).map((p) => ({
        slug: p.slug,
        name: p.name,
        ...(p.path !== undefined ? { path: p.path } : {}),
        ...(p.repository !== undefined ? { repository: p.repository } : {}),
        ...(p.ref !== undefined ? { ref: p.ref } : {}),
        environments: h.environments(p),
      }));
      return { commit: h.commit, projects };
    },

    async resolveProcess(request: ResolveProcessRequest): Promise<unknown | undefined> {
      const h = await at(request.ref);
      const project = h.config?.projects.find((p) => p.slug === request.project);
      if (!project) return undefined;
      if (request.environment !== undefined && !(h.config?.environments ?? []).some((e) => e.slug === request.environment)) {
        const known = (h.config?.environments ?? []).map((e) => e.slug);
        throw new ProblemError('not-found', `No environment "${request.environment}" in oclhub.ocl at ${h.commit ?? 'the working tree'}${known.length ? ` (environments: ${known.join(', ')})` : ''}`);
      }
      const read = await h.projectFiles(project);
      if ('error' in read) throw new ProblemError('evaluation-failed', read.error);
      const environments = request.environment !== undefined ? [request.environment] : h.environments(project);
      const resolution = await h.resolveProject({ files: read.files, environments });
      return {
        project: project.slug,
        commit: h.commit,
        ...(request.environment !== undefined ? { environment: request.environment } : {}),
        processes: resolution.processes.map((p) => ({
          file: p.file,
          kind: p.kind,
          ...(p.runbook !== undefined ? { runbook: p.runbook } : {}),
          // The OCL blocks and source documents are for printing; JSON clients get the model.
          steps: p.steps.map((s) => ({ slug: s.slug, name: s.name, step: s.step, provenance: s.provenance })),
          usages: p.usages,
          diagnostics: p.diagnostics,
        })),
        diagnostics: resolution.diagnostics,
      };
    },
  };
}

async function readContent(h: Hub, kind: TemplateKind, slug: string): Promise<TemplateContent | undefined> {
  if (typeof h.basePath !== 'string') {
    // Not "no such template" (404): nothing was looked for, and the hub's configuration says why.
    const unread = notReadWithoutBase('TPL205', `${describeKind(kind)} "${slug}"`, h.basePath);
    throw new ProblemError('evaluation-failed', unread.summary, { errors: [unread], code: unread.code });
  }
  const read = await readTemplateFiles(h.store, h.commit ?? 'WORKTREE', h.basePath, kind, slug);
  if (!read) return undefined;
  const files = read.files.map((file) => {
    if (file.encoding) return { path: file.path, ocl: file.text, json: null, diagnostics: [file.encoding] };
    const parsed = parseOcl(file.text);
    const broken = parsed.diagnostics.some((d) => d.severity === 'error');
    // What `validate --hub` says of this file (schema, policy compatibility, the hub's rule settings).
    const { diagnostics } = validateHubFileText(h.config, file.path, file.text);
    return { path: file.path, ocl: file.text, json: broken ? null : oclToJson(parsed.document), diagnostics: diagnostics.map((d) => ({ ...d, file: file.path })) };
  });
  return { kind, slug, commit: h.commit, files };
}
