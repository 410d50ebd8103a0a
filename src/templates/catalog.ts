/**
 * The published versions of a hub, read from its version tags, and the template content at each tag.
 * Tags are immutable, so a loaded template is cached by (kind, slug, version) for the catalog's life;
 * the tag listing is cached too and re-read by `refresh()` (after a publish, or to see new tags).
 */
import type { Diagnostic } from '../diagnostics.js';
import { isGitStoreError, type GitStore } from '../git/index.js';
import type { OclDocument } from '../ocl/ast.js';
import { folderPath, noBaseFolderSummary, singleFileCandidates, type HubBase, type NoBaseFolder } from '../model/folder-path.js';
import { validateFile } from '../model/validate.js';
import type { ProcessTemplateDocument } from '../model/types.js';
import { hashFileContent } from './content-hash.js';
import { parseTagMessage, type Publisher, type RequestedBump, type RequiredBump } from './tag-message.js';
import { parseTagName, tagName, TEMPLATE_KINDS, type TemplateKind } from './version-tags.js';
import { isPrereleaseVersion, sortVersions } from './versions.js';
import { tplDiagnostic, type ResolveCode } from './resolve-codes.js';

export interface PublishedVersion {
  kind: TemplateKind;
  slug: string;
  version: string;
  prerelease: boolean;
  tag: string;
  /** The commit the tag names: its files are the snapshot. */
  commit: string;
  /** ISO 8601 time the tag was created (tagger time), when annotated. */
  date?: string;
  notes: string;
  publisher?: Publisher;
  contentHash?: string;
  previousVersion?: string;
  requestedBump?: RequestedBump;
  requiredBump?: RequiredBump;
  forced?: boolean;
  reasons: string[];
  /** Why the tag message could not be read (a tag not written by oclhub), if so. */
  messageError?: string;
}

export interface LoadedTemplate {
  kind: TemplateKind;
  slug: string;
  version: string;
  tag: string;
  commit: string;
  /** Repository path of the template file at the tag. */
  file: string;
  text: string;
  contentHash: string;
  ast?: OclDocument;
  document?: ProcessTemplateDocument;
  /** Problems reading or validating the snapshot (errors make the version unusable). */
  diagnostics: Diagnostic[];
}

/** Read access the catalog needs; a GitStore fits. */
export type CatalogStore = Pick<GitStore, 'listTags' | 'readTag' | 'readTextFile' | 'pathType'>;

interface SharedCaches {
  tagsByKind: Map<TemplateKind, Promise<Map<string, string[]>>>;
  tagInfo: Map<string, Promise<PublishedVersion>>;
  templates: Map<string, Promise<LoadedTemplate>>;
}

/**
 * The folder of a kind under the base path: a folder as `hubBase` (model/folder-path.ts) gives it
 * (`''` the root), or any other spelling of one, read by the same rule. Never `base_path` as written
 * when it names no folder (`hubBase` says so instead): written, `""` is no folder, while `''` here is the root.
 */
export function kindFolder(basePath: string, kind: TemplateKind): string {
  const checked = basePath === '' ? undefined : folderPath(basePath);
  const base = checked?.valid ? checked.folder : basePath;
  return base === '' ? kind : `${base}/${kind}`;
}

/** `code` at `base_path` in oclhub.ocl: `what` (a template, a policy) is not read, as `base` names no folder to read it from. */
export function notReadWithoutBase(code: ResolveCode, what: string, base: NoBaseFolder): Diagnostic {
  return tplDiagnostic(code, `${what} is not read: ${noBaseFolderSummary(base)}`, {
    file: base.file,
    range: base.range,
    detail: 'Templates and policies are read under base_path, a folder of the hub repository; until it names one, none is read (the repository root is not guessed).',
  });
}

/** Candidate paths of a single-file template (process template, policy), Octopus layout first, then library layout. */
export function templateFileCandidates(basePath: string, kind: TemplateKind, slug: string): string[] {
  return singleFileCandidates(kindFolder(basePath, kind), slug);
}

/**
 * Loaded templates per store and base path, shared by every catalog over the same store: a tag's
 * content never changes, so hubs opened at different commits of one repository reuse each other's work.
 */
const templatesByStore = new WeakMap<object, Map<string, Map<string, Promise<LoadedTemplate>>>>();

function sharedTemplates(store: CatalogStore, basePath: string): Map<string, Promise<LoadedTemplate>> {
  let byBase = templatesByStore.get(store);
  if (!byBase) {
    byBase = new Map();
    templatesByStore.set(store, byBase);
  }
  let templates = byBase.get(basePath);
  if (!templates) {
    templates = new Map();
    byBase.set(basePath, templates);
  }
  return templates;
}

/** Each tag listing's versions of a slug, sorted (`TemplateCatalog.sortedVersions`); a listing never changes once made. */
const sortedByListing = new WeakMap<Map<string, string[]>, Map<string, readonly string[]>>();

export class TemplateCatalog {
  private readonly overlay = new Map<string, LoadedTemplate>();
  private readonly caches: SharedCaches;

  constructor(
    readonly store: CatalogStore,
    /** Where the templates are read at each tag; nothing is read when `base_path` names no folder. */
    readonly basePath: HubBase,
    caches?: SharedCaches,
  ) {
    this.caches = caches ?? { tagsByKind: new Map(), tagInfo: new Map(), templates: typeof basePath === 'string' ? sharedTemplates(store, basePath) : new Map() };
  }

  /** Forgets the tag listing (loaded templates stay cached: tags never move). */
  refresh(): void {
    this.caches.tagsByKind.clear();
    this.caches.tagInfo.clear();
  }

  /**
   * A view of this catalog in which `candidate` is also published (for the impact preview of a
   * publish that has not happened). Shares this catalog's caches.
   */
  withCandidate(candidate: LoadedTemplate): TemplateCatalog {
    const view = new TemplateCatalog(this.store, this.basePath, this.caches);
    for (const [key, value] of this.overlay) view.overlay.set(key, value);
    view.overlay.set(key(candidate.kind, candidate.slug, candidate.version), candidate);
    return view;
  }

  private tagsOf(kind: TemplateKind): Promise<Map<string, string[]>> {
    let listing = this.caches.tagsByKind.get(kind);
    if (!listing) {
      listing = this.store.listTags(`${kind}/`).then(
        (names) => {
          const bySlug = new Map<string, string[]>();
          for (const name of names) {
            const parsed = parseTagName(name);
            if (!parsed || parsed.kind !== kind) continue;
            const list = bySlug.get(parsed.slug);
            if (list) list.push(parsed.version);
            else bySlug.set(parsed.slug, [parsed.version]);
          }
          return bySlug;
        },
        () => new Map<string, string[]>(),
      );
      this.caches.tagsByKind.set(kind, listing);
    }
    return listing;
  }

  /** Published versions of one template, ascending. */
  async versions(kind: TemplateKind, slug: string): Promise<string[]> {
    return [...(await this.sortedVersions(kind, slug))];
  }

  /**
   * `versions`, as one frozen list per tag listing (a refresh lists the tags anew) when no candidate
   * adds to it: resolution asks once per usage of every project, and sorting parses every version
   * twice (about 10 ms of a 1,000-project lint).
   */
  async sortedVersions(kind: TemplateKind, slug: string): Promise<readonly string[]> {
    const listing = await this.tagsOf(kind);
    const published = listing.get(slug) ?? [];
    const extra = [...this.overlay.values()].filter((t) => t.kind === kind && t.slug === slug).map((t) => t.version);
    if (extra.length > 0) return Object.freeze(sortVersions([...published, ...extra]));
    let bySlug = sortedByListing.get(listing);
    if (!bySlug) sortedByListing.set(listing, (bySlug = new Map()));
    let sorted = bySlug.get(slug);
    if (!sorted) bySlug.set(slug, (sorted = Object.freeze(sortVersions(published))));
    return sorted;
  }

  /** Slugs with at least one published version, sorted. */
  async slugs(kind: TemplateKind): Promise<string[]> {
    const names = new Set((await this.tagsOf(kind)).keys());
    for (const t of this.overlay.values()) if (t.kind === kind) names.add(t.slug);
    return [...names].sort();
  }

  /** Tag details of one version (message trailers, tagger date); throws GitStoreError only for I/O failures. */
  versionInfo(kind: TemplateKind, slug: string, version: string): Promise<PublishedVersion> {
    const tag = tagName(kind, slug, version);
    let info = this.caches.tagInfo.get(tag);
    if (!info) {
      info = this.store.readTag(tag).then((t) => {
        const result: PublishedVersion = { kind, slug, version, prerelease: isPrereleaseVersion(version), tag, commit: t.target, notes: '', reasons: [] };
        if (t.tagger) result.date = new Date(t.tagger.timestamp * 1000).toISOString();
        const meta = parseTagMessage(t.message);
        if ('error' in meta) {
          result.messageError = meta.error.message;
          result.notes = t.message;
        } else {
          Object.assign(result, {
            notes: meta.notes,
            publisher: meta.publisher,
            contentHash: meta.contentHash,
            requestedBump: meta.requestedBump,
            requiredBump: meta.requiredBump,
            forced: meta.forced,
            reasons: meta.reasons,
          });
          if (meta.previousVersion !== undefined) result.previousVersion = meta.previousVersion;
        }
        return result;
      });
      this.caches.tagInfo.set(tag, info);
      info.catch(() => this.caches.tagInfo.delete(tag));
    }
    return info;
  }

  /** Every published version of a template with its tag details, ascending. */
  async history(kind: TemplateKind, slug: string): Promise<PublishedVersion[]> {
    const out: PublishedVersion[] = [];
    for (const version of await this.versions(kind, slug)) {
      const candidate = this.overlay.get(key(kind, slug, version));
      if (candidate) {
        out.push({ kind, slug, version, prerelease: isPrereleaseVersion(version), tag: candidate.tag, commit: candidate.commit, notes: '', reasons: [], contentHash: candidate.contentHash });
      } else {
        out.push(await this.versionInfo(kind, slug, version));
      }
    }
    return out;
  }

  /**
   * The process template as published at `version`: the file at the tag's commit, parsed and built.
   * Never throws: Git failures and invalid content become diagnostics on the result.
   */
  loadProcessTemplate(slug: string, version: string): Promise<LoadedTemplate> {
    const kind: TemplateKind = 'process-templates';
    const candidate = this.overlay.get(key(kind, slug, version));
    if (candidate) return Promise.resolve(candidate);
    const cacheKey = key(kind, slug, version);
    let loaded = this.caches.templates.get(cacheKey);
    if (!loaded) {
      loaded = this.readTemplate(slug, version);
      this.caches.templates.set(cacheKey, loaded);
      // Only content read at a tag is immutable; a tag that could not be read may appear later.
      const templates = this.caches.templates;
      void loaded.then((t) => {
        if (t.commit === '' && templates.get(cacheKey) === loaded) templates.delete(cacheKey);
      });
    }
    return loaded;
  }

  private async readTemplate(slug: string, version: string): Promise<LoadedTemplate> {
    const kind: TemplateKind = 'process-templates';
    const tag = tagName(kind, slug, version);
    if (typeof this.basePath !== 'string') {
      const unread = notReadWithoutBase('TPL104', `Process template "${slug}" ${version}`, this.basePath);
      return { kind, slug, version, tag, commit: '', file: this.basePath.file, text: '', contentHash: '', diagnostics: [unread] };
    }
    const candidates = templateFileCandidates(this.basePath, kind, slug);
    const empty = { kind, slug, version, tag, commit: '', file: candidates[0]!, text: '', contentHash: '' };
    let commit: string;
    try {
      commit = (await this.versionInfo(kind, slug, version)).commit;
    } catch (error) {
      return { ...empty, diagnostics: [tplDiagnostic('TPL104', `Cannot read tag ${tag}: ${messageOf(error)}`)] };
    }
    for (const file of candidates) {
      let text: string;
      try {
        if ((await this.store.pathType(commit, file)) !== 'file') continue;
        text = await this.store.readTextFile(commit, file);
      } catch (error) {
        if (isGitStoreError(error)) continue;
        throw error;
      }
      return parseTemplate({ kind, slug, version, tag, commit, file, text });
    }
    return {
      ...empty,
      commit,
      diagnostics: [
        tplDiagnostic('TPL104', `Process template "${slug}" ${version} has no file ${candidates[0]} at tag ${tag}`, {
          detail: `The tag points to commit ${commit.slice(0, 12)}, which holds none of: ${candidates.join(', ')}.`,
        }),
      ],
    };
  }
}

/** Parses and builds a template text as it is at a tag (or as it would be published). */
export function parseTemplate(at: { kind: TemplateKind; slug: string; version: string; tag: string; commit: string; file: string; text: string }): LoadedTemplate {
  const result = validateFile({ path: at.file, text: at.text, context: { kind: 'process_template' } });
  const loaded: LoadedTemplate = { ...at, contentHash: hashFileContent(at.text), diagnostics: result.diagnostics };
  if (result.ast) loaded.ast = result.ast;
  if (result.document?.kind === 'process_template') loaded.document = result.document;
  return loaded;
}

function key(kind: TemplateKind, slug: string, version: string): string {
  return `${kind}\u0000${slug}\u0000${version}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { TEMPLATE_KINDS };
