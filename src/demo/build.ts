/**
 * Builds the embedded demo hub (`npm start`): a bare Git repository in a temporary folder holding
 * `templates/demo`, with a short history so that the hub shows what oclhub is for:
 * process templates with several published versions (1.0.0 → 1.1.0 → 2.0.0, so `1.X` masks float to
 * 1.1.0 while 2.0.0 waits for manual acceptance), policies published and activated in oclhub.ocl,
 * and a project (reporting) that violates a policy.
 *
 * Everything goes through the same library the CLI uses: GitStore commits and the hub's publish.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import git from 'isomorphic-git';
import type { Diagnostic } from '../diagnostics.js';
import { openRepository, type FileChange, type Identity } from '../git/index.js';
import { openHub, type Hub } from '../hub/index.js';
import type { TemplateKind } from '../templates/version-tags.js';

export const DEMO_SOURCE = fileURLToPath(new URL('../../templates/demo', import.meta.url));

const DEMO_IDENTITY: Identity = { name: 'oclhub demo', email: 'demo@oclhub.invalid' };
const BRANCH = 'main';
const WEB_APP_TEMPLATE = '.octopus/process-templates/deploy-web-app.ocl';

export interface DemoHub {
  /** The bare repository holding the demo hub. */
  dir: string;
  hub: Hub;
  /** Tags created, in order. */
  published: string[];
}

export class DemoBuildError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

/** A parameter the web-app template gains in 1.1.0: optional (it has a default), so a minor bump. */
const OPTIONAL_PARAMETER = `parameter "Template.Smoke.Path" {
    display_settings = {
        Octopus.ControlType = "SingleLineText"
    }
    help_text = "Path the smoke test requests."
    is_optional = true
    label = "Smoke test path"

    value "/health" {}
}

`;

/** A parameter the web-app template gains in 2.0.0: required (no default), so a major bump. */
const REQUIRED_PARAMETER = `parameter "Template.Notify.Channel" {
    display_settings = {
        Octopus.ControlType = "SingleLineText"
    }
    help_text = "Chat channel told about each deployment."
    label = "Notification channel"
}

`;

export async function buildDemoHub(options: { dir?: string; source?: string } = {}): Promise<DemoHub> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'oclhub-demo-')));
  const source = options.source ?? DEMO_SOURCE;
  await git.init({ fs, dir, bare: true, defaultBranch: BRANCH });
  const store = await openRepository({ dir, bare: true });
  const files = await readTree(source);
  const published: string[] = [];

  let head = (await store.commitChanges({ branch: BRANCH, expectedOid: null, changes: files, message: 'Demo hub', author: DEMO_IDENTITY })).oid;
  const publish = async (kind: TemplateKind, slug: string, bump: 'major' | 'minor', notes: string) => {
    const { hub, diagnostics } = await openHub({ dir, ref: head });
    if (!hub) throw new DemoBuildError('cannot open the demo hub', diagnostics);
    const result = await hub.publish({ kind, slug, bump, notes, ref: head, publisher: DEMO_IDENTITY });
    if (!result.published || !result.version) throw new DemoBuildError(`cannot publish ${kind}/${slug}`, result.diagnostics);
    published.push(`${kind}/${slug}/v${result.version}`);
  };

  for (const file of files) {
    const match = /^\.octopus\/(process-templates|policies)\/([^/]+)\.ocl$/.exec(file.path);
    if (match) await publish(match[1] as TemplateKind, match[2]!, 'major', 'First release');
  }

  const template = files.find((f) => f.path === WEB_APP_TEMPLATE)?.content ?? '';
  if (!template.includes('\nstep "')) throw new DemoBuildError(`${WEB_APP_TEMPLATE} has no steps`);
  const withOptional = insertBeforeFirstStep(template, OPTIONAL_PARAMETER);
  head = await commit(store, head, withOptional, 'deploy-web-app: optional smoke test path');
  await publish('process-templates', 'deploy-web-app', 'minor', 'Adds an optional smoke test path');

  head = await commit(store, head, insertBeforeFirstStep(withOptional, REQUIRED_PARAMETER), 'deploy-web-app: notification channel');
  await publish('process-templates', 'deploy-web-app', 'major', 'Requires a notification channel');

  const { hub, diagnostics } = await openHub({ dir, ref: BRANCH });
  if (!hub) throw new DemoBuildError('cannot open the demo hub', diagnostics);
  return { dir, hub, published };
}

async function commit(store: Awaited<ReturnType<typeof openRepository>>, head: string, template: string, message: string): Promise<string> {
  const changes: FileChange[] = [{ path: WEB_APP_TEMPLATE, content: template }];
  return (await store.commitChanges({ branch: BRANCH, expectedOid: head, changes, message, author: DEMO_IDENTITY })).oid;
}

function insertBeforeFirstStep(template: string, block: string): string {
  const at = template.indexOf('\nstep "') + 1;
  return template.slice(0, at) + block + template.slice(at);
}

interface DemoFile {
  path: string;
  content: string;
}

async function readTree(root: string, prefix = ''): Promise<DemoFile[]> {
  const out: DemoFile[] = [];
  for (const entry of await readdir(path.join(root, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await readTree(root, relative)));
    else if (entry.isFile()) out.push({ path: relative, content: await readFile(path.join(root, relative), 'utf8') });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
