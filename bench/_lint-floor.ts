/**
 * The hand-written floor for `oclhub lint` on a generated hub (bench/generate-hub.ts): one Node process
 * that parses oclhub.ocl, the process template and every project's deployment_process.ocl with
 * oclhub's own parser (src/ocl), builds the part of the Octopus input the bench policies read, and runs
 * each active policy's rules as hand-written JavaScript (`benchPolicy` in _bench-policies.ts). It does
 * what lint must do for these policies and nothing else: no schema validation, no Rego, no Git (it
 * reads the working tree), no report beyond the counts.
 *
 *   node --import tsx bench/_lint-floor.ts <hub dir> [decisions file]
 *
 * Prints the outcome counts as JSON on stdout. With a decisions file, also writes one line per decision
 * (`project, environment, policy, outcome, action, reason`, tab-separated) so that bench/lint.ts can
 * check that lint reached the same decisions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOcl, type OclBlock, type OclElement, type OclValue } from '../src/ocl/index.js';
import { benchPolicy, type BenchPolicy, type FloorInput, type FloorStep } from './_bench-policies.js';

function attribute(body: readonly OclElement[], name: string): OclValue | undefined {
  for (const element of body) if (element.type === 'attribute' && element.name === name) return element.value;
  return undefined;
}

function text(body: readonly OclElement[], name: string): string | undefined {
  const value = attribute(body, name);
  return value && (value.type === 'string' || value.type === 'heredoc') ? value.value : undefined;
}

function bool(body: readonly OclElement[], name: string): boolean | undefined {
  const value = attribute(body, name);
  return value?.type === 'bool' ? value.value : undefined;
}

function strings(body: readonly OclElement[], name: string): string[] {
  const value = attribute(body, name);
  return value?.type === 'array' ? value.items.map((item) => String(item.value)) : [];
}

function mapEntry(body: readonly OclElement[], name: string, key: string): string | undefined {
  const value = attribute(body, name);
  if (value?.type !== 'map') return undefined;
  const entry = value.entries.find((e) => e.key === key)?.value;
  return entry && (entry.type === 'string' || entry.type === 'heredoc') ? entry.value : undefined;
}

function blocks(body: readonly OclElement[], name: string): OclBlock[] {
  return body.filter((e): e is OclBlock => e.type === 'block' && e.name === name);
}

function parse(file: string): OclElement[] {
  const result = parseOcl(readFileSync(file, 'utf8'));
  if (!result.document || result.diagnostics.some((d) => d.severity === 'error')) throw new Error(`${file}: ${JSON.stringify(result.diagnostics)}`);
  return result.document.body;
}

interface Binding {
  feed?: string;
  packageId?: string;
}

interface ProcessSteps {
  steps: FloorStep[];
  execution: { Steps: string[] }[];
}

/** A `step` block's actions as input steps; a template child gets the usage's slug prefix and package bindings. */
function stepsOf(project: string, step: OclBlock, usage?: { slug: string; template: string; bindings: Map<string, Binding> }): { ids: string[]; steps: FloorStep[]; trigger: string } {
  const stepSlug = usage ? `${usage.slug}-${step.labels[0]!.value}` : step.labels[0]!.value;
  const out: FloorStep[] = [];
  for (const action of blocks(step.body, 'action')) {
    const label = action.labels[0]?.value;
    const slug = label === undefined ? stepSlug : usage ? `${usage.slug}-${label}` : label;
    const packages = blocks(action.body, 'packages').map((ref) => {
      let name = text(ref.body, 'package_id') ?? '';
      let feed = text(ref.body, 'feed');
      const parameter = mapEntry(ref.body, 'properties', 'PackageParameterName') ?? ref.labels[0]?.value;
      const bound = parameter !== undefined ? usage?.bindings.get(parameter) : undefined;
      if (bound && (name === '' || name.includes('#{'))) {
        if (bound.packageId !== undefined) name = bound.packageId;
        if (bound.feed !== undefined) feed = bound.feed;
      }
      return feed !== undefined && feed !== '' ? { Name: name, Feed: { Slug: feed } } : { Name: name };
    });
    out.push({
      Id: `${project}/${slug}`,
      Slug: slug,
      ActionType: text(action.body, 'action_type') ?? '',
      Enabled: !(bool(action.body, 'is_disabled') ?? false),
      IsRequired: bool(action.body, 'is_required') ?? false,
      Source: usage ? { Type: 'Process Template', SlugOrId: usage.template } : { Type: 'Step', SlugOrId: slug },
      Packages: packages,
    });
  }
  return { ids: out.map((s) => s.Id), steps: out, trigger: text(step.body, 'start_trigger') || 'StartAfterPrevious' };
}

function processSteps(project: string, body: readonly OclElement[], templates: Map<string, OclElement[]>): ProcessSteps {
  const steps: FloorStep[] = [];
  const execution: { Steps: string[] }[] = [];
  const add = (part: { ids: string[]; steps: FloorStep[]; trigger: string }) => {
    steps.push(...part.steps);
    const previous = execution[execution.length - 1];
    if (part.trigger === 'StartWithPrevious' && previous) previous.Steps.push(...part.ids);
    else execution.push({ Steps: part.ids });
  };
  for (const element of body) {
    if (element.type !== 'block') continue;
    if (element.name === 'step') add(stepsOf(project, element));
    else if (element.name === 'process_template') {
      const template = text(element.body, 'process_template_slug')!;
      const bindings = new Map<string, Binding>();
      for (const parameter of blocks(element.body, 'package_parameter')) {
        const binding: Binding = {};
        const feed = text(parameter.body, 'feed');
        const packageId = text(parameter.body, 'package_id');
        if (feed !== undefined) binding.feed = feed;
        if (packageId !== undefined) binding.packageId = packageId;
        bindings.set(parameter.labels[0]!.value, binding);
      }
      const usage = { slug: element.labels[0]!.value, template, bindings };
      for (const child of blocks(templates.get(template) ?? [], 'step')) add(stepsOf(project, child, usage));
    }
  }
  return { steps, execution };
}

export interface FloorResult {
  projects: number;
  environments: number;
  policies: number;
  /** `inconclusive`, `pass`, `skipped`, `violation/block`, `violation/warn`. */
  counts: Record<string, number>;
  /** One line per decision when asked for: project, environment, policy, outcome, action, violation reason (tab-separated). */
  lines: string[];
}

/** Every decision of every registered project of the generated hub in `hub` (see the file comment). */
export function floorDecisions(hub: string, options: { lines?: boolean } = {}): FloorResult {
  const config = parse(path.join(hub, 'oclhub.ocl'));
  const basePath = text(config, 'base_path') ?? '.octopus';
  const environments = blocks(config, 'environment').map((e) => ({ Slug: e.labels[0]!.value, Tags: strings(e.body, 'tags') }));
  const projects = blocks(config, 'project').map((p) => ({ slug: p.labels[0]!.value, folder: text(p.body, 'path')! }));
  const policies: BenchPolicy[] = blocks(config, 'policy').map((p) => benchPolicy(Number(/^bench_policy_(\d+)$/.exec(p.labels[0]!.value)![1])));
  policies.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  const templates = new Map<string, OclElement[]>([['deploy-service', parse(path.join(hub, basePath, 'process-templates/deploy-service.ocl'))]]);

  const counts: Record<string, number> = {};
  const lines: string[] = [];
  for (const project of projects) {
    const process = processSteps(project.slug, parse(path.join(hub, project.folder, 'deployment_process.ocl')), templates);
    for (const environment of environments) {
      // Lint leaves Release out when no release is named (src/policy/input.ts): a policy reading it is inconclusive.
      const input: FloorInput = { Environment: environment, Project: { Slug: project.slug }, Steps: process.steps, SkippedSteps: [], Execution: process.execution };
      for (const policy of policies) {
        let outcome: string;
        let reason = '';
        if (policy.readsRelease) outcome = 'inconclusive';
        else if (!policy.inScope(input)) outcome = 'skipped';
        else {
          const result = policy.result(input);
          outcome = result.allowed ? 'pass' : 'violation';
          if (!result.allowed) reason = result.reason ?? policy.violationReason;
        }
        const key = outcome === 'violation' ? `violation/${policy.action}` : outcome;
        counts[key] = (counts[key] ?? 0) + 1;
        if (options.lines) lines.push(decisionLine(project.slug, environment.Slug, policy.slug, outcome, policy.action, reason));
      }
    }
  }
  return { projects: projects.length, environments: environments.length, policies: policies.length, counts, lines };
}

/** The line a decision is compared by (lint's decisions are written the same way by bench/lint.ts). */
export function decisionLine(project: string, environment: string, policy: string, outcome: string, action: string, violationReason: string): string {
  return `${project}\t${environment}\t${policy}\t${outcome}\t${action}\t${outcome === 'violation' ? violationReason : ''}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [hubArg, decisionsFile] = process.argv.slice(2);
  if (!hubArg) throw new Error('usage: bench/_lint-floor.ts <hub dir> [decisions file]');
  const { lines, ...result } = floorDecisions(path.resolve(hubArg), { lines: decisionsFile !== undefined });
  if (decisionsFile) writeFileSync(decisionsFile, `${lines.join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
