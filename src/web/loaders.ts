/**
 * What each page reads, through the façade only: decisions (compliance, evaluations, diffs) through
 * the port the API answers from — so the pages share its caches and its keys — and the rest (projects'
 * files and resolution, versions, consumers, policy files and tests) from the hub at the ref.
 */
import type { EvaluationResponse } from '../api/hub-decisions.js';
import type { FacadePort } from '../api/hub-port.js';
import { ProblemError } from '../api/problem.js';
import type { Diagnostic } from '../diagnostics.js';
import type { HubDiff, HubPolicyTests, HubProjectResolution, PublishedVersion, TemplateConsumers, TemplateSummary } from '../hub/index.js';
import type { HubPolicyExceptionModel, HubProjectModel, PolicyDocument } from '../model/types.js';
import { exceptionInForce } from '../policy/exceptions.js';
import { loadPolicyText } from '../policy/load.js';
import type { TemplateKind } from '../templates/version-tags.js';
import type { PageContext } from './context.js';
import { WebError } from './errors.js';
import { buildMatrix, isBroken, projectDiagnostics, promotionOrder, rowStatus, type ComplianceAnswer, type Matrix } from './model.js';
import type { CellStatus } from './status.js';

export const KINDS: readonly TemplateKind[] = ['process-templates', 'project-templates', 'policies'];
export const KIND_LABEL: Record<TemplateKind, string> = { 'process-templates': 'Process templates', 'project-templates': 'Project templates', policies: 'Policies' };

export async function compliance(port: FacadePort, ctx: PageContext): Promise<ComplianceAnswer> {
  return (await port.compliance(ctx.ref)) as ComplianceAnswer;
}

export async function loadOverview(port: FacadePort, ctx: PageContext, tag: string | undefined) {
  const [answer, templates] = await Promise.all([compliance(port, ctx), Promise.all(KINDS.filter((k) => k !== 'policies').map((k) => port.listTemplates(k, ctx.ref)))]);
  const matrix: Matrix = buildMatrix(ctx.hub, answer, tag !== undefined ? { tag } : {});
  const all = [...answer.diagnostics, ...(answer.suppressed ?? [])];
  return {
    answer,
    matrix,
    templates: templates.reduce((n, t) => n + t.templates.length, 0),
    policies: { active: (ctx.hub.config?.policies ?? []).filter((p) => p.activeVersion !== undefined).length },
    diagnostics: {
      errors: answer.diagnostics.filter((d) => d.severity === 'error').length,
      warnings: answer.diagnostics.filter((d) => d.severity === 'warning').length,
      adjusted: all.filter((d) => d.adjusted !== undefined).length,
      ...(answer.suppressed ? { suppressed: answer.suppressed.length } : {}),
    },
  };
}

export interface ProjectContextView {
  environment: string;
  environmentName: string;
  tenant?: { slug: string; name: string };
  status: CellStatus;
  evaluation?: EvaluationResponse;
  /** Why the context could not be evaluated. */
  error?: { detail: string; diagnostics: Diagnostic[] };
}

export interface ExceptionView {
  exception: HubPolicyExceptionModel;
  inForce: boolean;
}

export interface ProjectPageData {
  project: HubProjectModel;
  groupName?: string;
  resolution?: HubProjectResolution;
  readError?: string;
  /** Source texts for code frames: project files by path, template files by path at their tag. */
  sources: Map<string, string>;
  contexts: ProjectContextView[];
  exceptions: ExceptionView[];
  diagnostics: Diagnostic[];
}

export function exceptionViews(exceptions: readonly HubPolicyExceptionModel[], now = new Date()): ExceptionView[] {
  return exceptions.map((exception) => ({ exception, inForce: exceptionInForce(exception, now) }));
}

export async function loadProject(port: FacadePort, ctx: PageContext, slug: string): Promise<ProjectPageData> {
  const hub = ctx.hub;
  const project = hub.config?.projects.find((p) => p.slug === slug);
  if (!project) throw new WebError(404, 'No such project', `oclhub.ocl at ${ctx.ref ?? 'the default branch'} registers no project "${slug}".`);
  const answer = await compliance(port, ctx);
  const sources = new Map<string, string>();
  const data: ProjectPageData = {
    project,
    sources,
    contexts: [],
    exceptions: exceptionViews((hub.config?.exceptions ?? []).filter((e) => e.project === slug)),
    diagnostics: projectDiagnostics(project, answer.diagnostics),
  };
  const group = hub.config?.projectGroups.find((g) => g.slug === project.group);
  if (group) data.groupName = group.name;
  const read = await hub.projectFiles(project);
  if ('error' in read) data.readError = read.error;
  else {
    for (const [file, text] of read.files) sources.set(file, text.replace(/^\uFEFF/, ''));
    data.resolution = await hub.resolveProject({ files: read.files, environments: hub.environments(project) });
    for (const process of data.resolution.processes) {
      for (const usage of process.usages) {
        if (usage.templateFile === undefined || usage.commit === undefined || sources.has(usage.templateFile)) continue;
        try {
          sources.set(usage.templateFile, (await hub.store.readTextFile(usage.commit, usage.templateFile)).replace(/^\uFEFF/, ''));
        } catch {
          // No frame for that file; the finding is still listed.
        }
      }
    }
  }
  const broken = isBroken(project, answer.diagnostics);
  const environments = new Map(promotionOrder(hub).map((e, i) => [e.slug, { e, i }]));
  const tenants = new Map((hub.config?.tenants ?? []).map((t) => [t.slug, t.name]));
  const rows = answer.rows.filter((r) => r.project === slug);
  rows.sort((a, b) => (environments.get(a.environment)?.i ?? 0) - (environments.get(b.environment)?.i ?? 0) || (a.tenant ?? '').localeCompare(b.tenant ?? ''));
  data.contexts = await Promise.all(
    rows.map(async (row): Promise<ProjectContextView> => {
      const view: ProjectContextView = {
        environment: row.environment,
        environmentName: environments.get(row.environment)?.e.name ?? row.environment,
        ...(row.tenant !== undefined ? { tenant: { slug: row.tenant, name: tenants.get(row.tenant) ?? row.tenant } } : {}),
        status: rowStatus(row, broken),
      };
      try {
        view.evaluation = (await port.evaluate({ project: slug, environment: row.environment, ...(row.tenant !== undefined ? { tenant: row.tenant } : {}), ...(ctx.ref !== undefined ? { ref: ctx.ref } : {}) })) as EvaluationResponse;
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        view.error = { detail: error.problem.detail ?? error.problem.title, diagnostics: (error.problem.errors ?? []) as Diagnostic[] };
      }
      return view;
    }),
  );
  return data;
}

export interface TemplatesPageData {
  kinds: { kind: TemplateKind; templates: Omit<TemplateSummary, 'kind'>[] }[];
}

export async function loadTemplates(port: FacadePort, ctx: PageContext): Promise<TemplatesPageData> {
  return { kinds: await Promise.all(KINDS.map(async (kind) => ({ kind, templates: (await port.listTemplates(kind, ctx.ref)).templates }))) };
}

export interface FileDiff {
  path: string;
  before?: string;
  after?: string;
}

export interface TemplatePageData {
  kind: TemplateKind;
  slug: string;
  versions: PublishedVersion[];
  /** The template's files at the ref (absent when the ref does not hold it). */
  files?: { path: string; ocl: string; diagnostics: Diagnostic[] }[];
  compare?: { from: string; to: string; files: FileDiff[]; diagnostics: Diagnostic[] };
  consumers?: TemplateConsumers;
  diagnostics: Diagnostic[];
}

export async function loadTemplate(port: FacadePort, ctx: PageContext, kind: TemplateKind, slug: string, compare: { from?: string; to?: string }): Promise<TemplatePageData> {
  const hub = ctx.hub;
  const [history, content] = await Promise.all([hub.versions(kind, slug), port.getTemplate(kind, slug, ctx.ref)]);
  if (history.versions.length === 0 && !content) throw new WebError(404, 'No such template', `No ${kind.replace(/s$/, '').replace('-', ' ')} "${slug}" is published or present at ${ctx.ref ?? 'the default branch'}.`);
  const data: TemplatePageData = { kind, slug, versions: history.versions, diagnostics: history.diagnostics };
  if (content) data.files = content.files.map((f) => ({ path: f.path, ocl: f.ocl, diagnostics: f.diagnostics }));
  const known = history.versions.map((v) => v.version);
  const to = compare.to ?? known[known.length - 1];
  const from = compare.from ?? known[known.length - 2];
  for (const [name, value] of [['from', compare.from], ['to', compare.to]] as const) {
    if (value !== undefined && !known.includes(value)) throw new WebError(404, 'No such version', `"${value}" (${name}) is not a published version of ${slug}: ${known.join(', ') || 'none published'}.`);
  }
  if (from !== undefined && to !== undefined) {
    const [a, b] = await Promise.all([hub.publishedFiles(kind, slug, from), hub.publishedFiles(kind, slug, to)]);
    const paths = [...new Set([...a.files.map((f) => f.path), ...b.files.map((f) => f.path)])].sort();
    data.compare = {
      from,
      to,
      diagnostics: [...a.diagnostics, ...b.diagnostics],
      files: paths.map((path) => {
        const before = a.files.find((f) => f.path === path)?.text;
        const after = b.files.find((f) => f.path === path)?.text;
        return { path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
      }),
    };
  }
  if (kind === 'process-templates') data.consumers = await hub.templateConsumers(slug);
  return data;
}

export interface PolicyRow {
  slug: string;
  name?: string;
  description?: string;
  activeVersion?: string;
  latest?: string;
  inRef: boolean;
  /** Contexts by this policy's status in the matrix. */
  findings: { blocked: number; warned: number; excepted: number; error: number; inconclusive: number };
}

function emptyFindings(): PolicyRow['findings'] {
  return { blocked: 0, warned: 0, excepted: 0, error: 0, inconclusive: 0 };
}

function countOutcome(findings: PolicyRow['findings'], outcome: string, action: string | undefined): void {
  if (outcome === 'violation') findings[action === 'warn' ? 'warned' : 'blocked']++;
  else if (outcome === 'excepted' || outcome === 'error' || outcome === 'inconclusive') findings[outcome]++;
}

export async function loadPolicies(port: FacadePort, ctx: PageContext): Promise<PolicyRow[]> {
  const [listing, answer] = await Promise.all([port.listTemplates('policies', ctx.ref), compliance(port, ctx)]);
  const active = new Map((ctx.hub.config?.policies ?? []).map((p) => [p.slug, p.activeVersion]));
  const slugs = [...new Set([...listing.templates.map((t) => t.slug), ...active.keys()])].sort();
  const counts = new Map<string, PolicyRow['findings']>();
  for (const row of answer.rows) {
    for (const finding of row.findings) {
      let c = counts.get(finding.policy);
      if (!c) counts.set(finding.policy, (c = emptyFindings()));
      countOutcome(c, finding.outcome, finding.action);
    }
  }
  return Promise.all(
    slugs.map(async (slug) => {
      const summary = listing.templates.find((t) => t.slug === slug);
      const activeVersion = active.get(slug);
      const row: PolicyRow = { slug, inRef: summary?.inRef ?? false, findings: counts.get(slug) ?? emptyFindings() };
      if (activeVersion !== undefined) row.activeVersion = activeVersion;
      if (summary?.latest !== undefined) row.latest = summary.latest;
      const document = await policyDocument(port, ctx, slug, activeVersion);
      if (document.document?.name !== undefined) row.name = document.document.name;
      if (document.document?.description !== undefined) row.description = document.document.description;
      return row;
    }),
  );
}

/** The policy as evaluated: its active version's file, else (not active) its file at the ref. */
async function policyDocument(port: FacadePort, ctx: PageContext, slug: string, activeVersion: string | undefined): Promise<{ document?: PolicyDocument; file?: string; text?: string; source: 'active' | 'ref' | 'none'; diagnostics: Diagnostic[] }> {
  if (activeVersion !== undefined) {
    const published = await ctx.hub.publishedFiles('policies', slug, activeVersion);
    const file = published.files[0];
    if (file) {
      const loaded = loadPolicyText(file.path, file.text, { version: activeVersion, tag: published.tag, commit: published.commit });
      return { ...(loaded.policy ? { document: loaded.policy.document } : {}), file: file.path, text: file.text, source: 'active', diagnostics: [...published.diagnostics, ...loaded.diagnostics] };
    }
    return { source: 'none', diagnostics: published.diagnostics };
  }
  const content = await port.getTemplate('policies', slug, ctx.ref);
  const file = content?.files[0];
  if (!file) return { source: 'none', diagnostics: [] };
  const loaded = loadPolicyText(file.path, file.ocl);
  return { ...(loaded.policy ? { document: loaded.policy.document } : {}), file: file.path, text: file.ocl, source: 'ref', diagnostics: loaded.diagnostics };
}

export interface PolicyMatrixCell {
  project: string;
  environment: string;
  tenant?: string;
  outcome: string;
  action?: string;
  reason?: string;
}

export interface PolicyPageData {
  slug: string;
  activeVersion?: string;
  document?: PolicyDocument;
  file?: string;
  text?: string;
  source: 'active' | 'ref' | 'none';
  versions: PublishedVersion[];
  cells: PolicyMatrixCell[];
  exceptions: ExceptionView[];
  tests: HubPolicyTests;
  diagnostics: Diagnostic[];
}

export async function loadPolicy(port: FacadePort, ctx: PageContext, slug: string): Promise<PolicyPageData> {
  const hub = ctx.hub;
  const activeVersion = hub.config?.policies.find((p) => p.slug === slug)?.activeVersion;
  const [doc, history, answer, tests] = await Promise.all([policyDocument(port, ctx, slug, activeVersion), hub.versions('policies', slug), compliance(port, ctx), hub.policyTests(slug)]);
  if (doc.source === 'none' && history.versions.length === 0 && activeVersion === undefined) {
    throw new WebError(404, 'No such policy', `No policy "${slug}" is published, activated or present at ${ctx.ref ?? 'the default branch'}.`);
  }
  const cells: PolicyMatrixCell[] = [];
  for (const row of answer.rows) {
    const outcome = row.outcomes?.[slug];
    if (outcome === undefined) continue;
    const finding = row.findings.find((f) => f.policy === slug);
    cells.push({
      project: row.project,
      environment: row.environment,
      ...(row.tenant !== undefined ? { tenant: row.tenant } : {}),
      outcome,
      ...(finding ? { action: finding.action } : {}),
      ...(finding?.reason !== undefined ? { reason: finding.reason } : finding?.error !== undefined ? { reason: finding.error } : {}),
    });
  }
  return {
    slug,
    ...(activeVersion !== undefined ? { activeVersion } : {}),
    ...(doc.document ? { document: doc.document } : {}),
    ...(doc.file !== undefined ? { file: doc.file } : {}),
    ...(doc.text !== undefined ? { text: doc.text } : {}),
    source: doc.source,
    versions: history.versions,
    cells,
    exceptions: exceptionViews((hub.config?.exceptions ?? []).filter((e) => e.policy === slug)),
    tests,
    diagnostics: [...doc.diagnostics.filter((d) => d.severity !== 'info'), ...history.diagnostics],
  };
}

export interface DiffAnswer extends Omit<HubDiff, 'refA' | 'refB' | 'commitA' | 'commitB'> {
  from: string;
  to: string;
  commitFrom: string;
  commitTo: string;
  summary: { newlyBlocked: number; newlyAllowed: number; changed: number; reasonChanged: number };
}

export async function loadDiff(port: FacadePort, from: string, to: string): Promise<DiffAnswer> {
  return (await port.diff(from, to)) as DiffAnswer;
}
