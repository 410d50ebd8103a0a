/**
 * A HubPort for tests, built directly on the real GitStore, the OCL parser and the template version
 * rules — no façade — so the API is tested independently of src/hub.ts. Templates live in the
 * Platform Hub layout under `.octopus/`; versions are annotated tags whose message is the notes.
 */
import { isGitStoreError, GitErrorCode, openRepository, type GitStore } from '../../src/git/index.js';
import { parseOcl } from '../../src/ocl/index.js';
import { oclToJson } from '../../src/ocl/json.js';
import { isPrereleaseVersion, nextVersion, sortVersions, tagName, tagPrefix, versionsFromTags } from '../../src/templates/index.js';
import type { HubPort, PublishOutcome, PublishRequest, TemplateContent, TemplateKind, TemplateListing, VersionInfo } from '../../src/api/ports.js';

const BASE = '.octopus';
const DEFAULT_BRANCH = 'main';
export const DEFAULT_PUBLISHER = { name: 'Port Default', email: 'port@example.com' };

export interface GitPortOptions {
  /** Leave out publishing (its route must then answer 501). */
  withoutPublish?: boolean;
  /** Runs inside publish between computing the version and creating the tag (to widen races in tests). */
  beforeTag?: () => Promise<void>;
}

export async function gitPort(dir: string, options: GitPortOptions = {}): Promise<HubPort & { store: GitStore }> {
  const store = await openRepository({ dir });

  async function slugsAt(kind: TemplateKind, commit: string): Promise<string[]> {
    const folder = `${BASE}/${kind}`;
    if ((await store.pathType(commit, folder)) !== 'folder') return [];
    const entries = await store.listFiles(commit, folder, { recursive: true });
    const slugs = new Set<string>();
    for (const entry of entries) {
      const rest = entry.path.slice(folder.length + 1).split('/');
      if (kind === 'project-templates') slugs.add(rest[0]!);
      else if (rest.length === 1 && rest[0]!.endsWith('.ocl')) slugs.add(rest[0]!.slice(0, -4));
    }
    return [...slugs];
  }

  async function versionList(kind: TemplateKind, slug: string): Promise<string[]> {
    return sortVersions(versionsFromTags(await store.listTags(tagPrefix(kind, slug)), kind, slug));
  }

  const port: HubPort & { store: GitStore } = {
    store,
    async listTemplates(kind, ref): Promise<TemplateListing> {
      const snapshot = await store.snapshot(ref ?? DEFAULT_BRANCH);
      const inRef = new Set(await slugsAt(kind, snapshot.ref));
      const published = new Set((await store.listTags(`${kind}/`)).map((t) => t.split('/')[1]!));
      const templates = [];
      for (const slug of [...new Set([...inRef, ...published])].sort()) {
        const versions = await versionList(kind, slug);
        const stable = versions.filter((v) => !isPrereleaseVersion(v));
        templates.push({
          slug,
          versions,
          inRef: inRef.has(slug),
          ...(versions.length > 0 ? { latest: versions[versions.length - 1]! } : {}),
          ...(stable.length > 0 ? { latestStable: stable[stable.length - 1]! } : {}),
        });
      }
      return { kind, commit: snapshot.oid, templates };
    },

    async getTemplate(kind, slug, ref): Promise<TemplateContent | undefined> {
      const snapshot = await store.snapshot(ref ?? DEFAULT_BRANCH);
      let paths: string[];
      if (kind === 'project-templates') {
        const folder = `${BASE}/${kind}/${slug}`;
        if ((await snapshot.pathType(folder)) !== 'folder') return undefined;
        paths = (await snapshot.listFiles(folder, { recursive: true })).map((e) => e.path).filter((p) => p.endsWith('.ocl'));
      } else {
        const file = `${BASE}/${kind}/${slug}.ocl`;
        if ((await snapshot.pathType(file)) !== 'file') return undefined;
        paths = [file];
      }
      const files = [];
      for (const path of paths) {
        const ocl = await snapshot.readTextFile(path);
        const parsed = parseOcl(ocl);
        const ok = !parsed.diagnostics.some((d) => d.severity === 'error');
        files.push({ path, ocl, json: ok ? oclToJson(parsed.document) : null, diagnostics: parsed.diagnostics });
      }
      return { kind, slug, commit: snapshot.oid, files };
    },

    async versions(kind, slug): Promise<VersionInfo[]> {
      const out: VersionInfo[] = [];
      for (const version of await versionList(kind, slug)) {
        const tag = await store.readTag(tagName(kind, slug, version));
        const info: VersionInfo = { version, prerelease: isPrereleaseVersion(version), tag: tag.name, commit: tag.target, notes: tag.message };
        if (tag.tagger) {
          info.date = new Date(tag.tagger.timestamp * 1000).toISOString();
          info.publisher = { name: tag.tagger.name, email: tag.tagger.email };
        }
        out.push(info);
      }
      return out;
    },

    async publish(request: PublishRequest): Promise<PublishOutcome> {
      const { kind, slug } = request;
      const outcome: PublishOutcome = { ok: false, published: false, dryRun: request.dryRun === true, kind, slug, diagnostics: [] };
      const refuse = (code: string, summary: string) => {
        outcome.diagnostics.push({ severity: 'error', code, summary });
        return outcome;
      };
      const snapshot = await store.snapshot(request.ref ?? DEFAULT_BRANCH);
      if (!(await port.getTemplate(kind, slug, snapshot.ref))) return refuse('TPL205', `No ${kind} "${slug}" at ${request.ref ?? DEFAULT_BRANCH}`);
      if (request.bump === undefined) return refuse('TPL206', 'This test port numbers versions by bump only');
      const next = nextVersion(await versionList(kind, slug), request.bump, { allowPrerelease: kind !== 'policies' });
      if ('error' in next) return refuse('TPL206', next.error.message);
      if (request.version !== undefined && request.version !== next.version) {
        return refuse('TPL203', `Version ${request.version} is not the next version (${next.version})`);
      }
      outcome.version = next.version;
      outcome.tag = tagName(kind, slug, next.version);
      outcome.commit = snapshot.oid!;
      if (next.previous !== undefined) outcome.previous = next.previous;
      if (request.dryRun) {
        outcome.ok = true;
        return outcome;
      }
      await options.beforeTag?.();
      try {
        await store.createTag({ name: outcome.tag, target: snapshot.oid!, message: request.notes ?? '', tagger: request.publisher ?? DEFAULT_PUBLISHER });
      } catch (error) {
        if (isGitStoreError(error, GitErrorCode.TagExists)) return refuse('TPL203', `Version ${next.version} of "${slug}" is already published`);
        throw error;
      }
      outcome.ok = true;
      outcome.published = true;
      return outcome;
    },
  };
  if (options.withoutPublish) delete port.publish;
  return port;
}
