/**
 * Best-practice rules (Octolint's checks, decided offline from a hub and its projects' OCL) and the
 * dependency checks of src/deps, behind one entry point every surface calls:
 *
 * - `checkBestPractices(input)`: everything, over documents already parsed (validate --hub, tests);
 * - `projectPractices` + `hubPractices`: the same in two halves, for a lint run that caches results per
 *   project — the first returns, with its findings, the small `ProjectFacts` the second needs, so a
 *   cached project is never read again for the hub-wide rules.
 *
 * Findings are raw: each surface applies the rule settings of oclhub.ocl (`applyRuleSettings`), which
 * change or silence any BP or DEP code. A setting's `threshold` is read here.
 */
import { compareDiagnostics, type Diagnostic } from '../diagnostics.js';
import { combineDependencies, depDiagnostic, DEP_CODES, projectDependencies } from '../deps/index.js';
import { HubIndex } from '../deps/hub-index.js';
import type { HubConfigDocument } from '../model/types.js';
import { withProjectLists } from './processes.js';
import { PRACTICE_CODES, RULES, SETTINGS_CODE, ruleFor } from './registry.js';
import { RuleContext, type RunState } from './rule.js';
import { variableFacts } from './rules/variables.js';
import type { PracticeInput, PracticeProject, ProjectFacts } from './types.js';

export * from './types.js';
export { RULES, PRACTICE_CODES, SETTINGS_CODE, ruleFor } from './registry.js';

/** Every code checkBestPractices can report (for rule-setting checks: HUB031 "names no code oclhub reports"). */
export const PRACTICE_AND_DEPENDENCY_CODES: readonly string[] = [...PRACTICE_CODES, ...Object.keys(DEP_CODES)];
export type { Rule, ProjectRule, HubRule } from './rule.js';
export { DEFAULT_STEP_NAMES } from './rules/step-names.js';
export { DEPRECATIONS } from './rules/deprecated.js';
export { practiceInputFromValidation, practiceProjectFromResolution, publishedFromTags, type ValidatedHub, type FromValidationOptions } from './from-validation.js';

export interface PracticeOptions {
  configFile?: string;
  now?: Date;
  policies?: PracticeInput['policies'];
  publishedPolicies?: PracticeInput['publishedPolicies'];
}

/** The thresholds `rule "<code>" { threshold = N }` sets (the last block for a code wins), and BP000 for misplaced ones. */
export function practiceThresholds(config: HubConfigDocument | undefined, configFile = 'oclhub.ocl'): { thresholds: Map<string, number>; diagnostics: Diagnostic[] } {
  const thresholds = new Map<string, number>();
  const diagnostics: Diagnostic[] = [];
  for (const setting of config?.rules ?? []) {
    if (setting.threshold === undefined) continue;
    const rule = ruleFor(setting.code);
    if (rule?.threshold) {
      thresholds.set(rule.code, setting.threshold);
      continue;
    }
    const withThresholds = RULES.filter((r) => r.threshold).map((r) => r.code);
    diagnostics.push({
      severity: 'warning',
      code: SETTINGS_CODE,
      summary: `rule "${setting.code}" sets a threshold, but ${rule ? `${rule.code} has none` : `"${setting.code}" is not a best-practice rule with one`}`,
      detail: `Rules with a threshold: ${withThresholds.join(', ')} (docs/best-practices.md). A code prefix such as BP* takes no threshold.`,
      file: configFile,
      range: setting.attributeRanges['threshold'] ?? setting.labelRange ?? setting.headerRange,
    });
  }
  return { thresholds, diagnostics };
}

function state(config: HubConfigDocument | undefined, options: PracticeOptions, thresholds: Map<string, number>, out: Diagnostic[]): RunState {
  // One literal, the clock read when a rule asks (`RuleContext.now`): a lint builds this per project,
  // and no project rule reads the clock or the policies (rules read an absent field and an undefined one alike).
  return {
    config,
    configFile: options.configFile ?? 'oclhub.ocl',
    now: options.now,
    thresholds,
    input: { policies: options.policies, publishedPolicies: options.publishedPolicies },
    out,
  };
}

/** A hub's look-ups and thresholds, built once per parsed oclhub.ocl (a lint run calls projectPractices per project). */
const perConfig = new WeakMap<HubConfigDocument, { index: HubIndex; thresholds: Map<string, number> }>();

function prepared(config: HubConfigDocument | undefined, configFile: string | undefined): { index: HubIndex; thresholds: Map<string, number> } {
  if (!config) return { index: new HubIndex(undefined), thresholds: new Map() };
  let entry = perConfig.get(config);
  if (!entry) {
    entry = { index: new HubIndex(config), thresholds: practiceThresholds(config, configFile).thresholds };
    perConfig.set(config, entry);
  }
  return entry;
}

/** The project-scoped rules and dependency checks for one project, and the facts the hub-wide half needs. */
export function projectPractices(config: HubConfigDocument | undefined, project: PracticeProject, options: PracticeOptions = {}, index?: HubIndex): { diagnostics: Diagnostic[]; facts: ProjectFacts } {
  const out: Diagnostic[] = [];
  const shared = prepared(config, options.configFile);
  const run = state(config, options, shared.thresholds, out);
  withProjectLists(project, () => {
    for (const rule of RULES) if (rule.scope === 'project') rule.check(project, new RuleContext(rule, run));
  });
  const facts: ProjectFacts = { slug: project.slug, variables: [], dependencies: [] };
  if (project.repository) facts.repository = project.repository;
  if (project.read === false) facts.unread = true;
  else {
    const deps = projectDependencies(config, { slug: project.slug, documents: project.documents }, index ?? shared.index);
    for (const d of deps.diagnostics) out.push(project.repository ? { ...d, repository: project.repository } : d);
    facts.dependencies = deps.declarations;
    facts.variables = variableFacts(project);
  }
  return { diagnostics: out.sort(compareDiagnostics), facts };
}

/** The hub-wide rules and dependency checks (oclhub.ocl declarations, cycles, duplicates) over every project's facts. */
export function hubPractices(config: HubConfigDocument | undefined, facts: readonly ProjectFacts[], options: PracticeOptions = {}, index?: HubIndex): Diagnostic[] {
  const settings = practiceThresholds(config, options.configFile);
  const out: Diagnostic[] = [...settings.diagnostics];
  const run = state(config, options, settings.thresholds, out);
  for (const rule of RULES) if (rule.scope === 'hub') rule.check(facts, new RuleContext(rule, run));
  const deps = combineDependencies(
    config,
    facts.flatMap((f) => f.dependencies),
    { ...(options.configFile ? { configFile: options.configFile } : {}), ...(index ? { index } : {}) },
  );
  const repositoryOf = new Map(facts.filter((f) => f.repository).map((f) => [f.slug, f.repository!]));
  // Fail closed: when the hub uses dependencies, say which projects' template declarations were not seen.
  if (deps.declarations.length > 0) {
    for (const f of facts.filter((x) => x.unread)) {
      const registered = config?.projects.find((p) => p.slug === f.slug);
      out.push(
        depDiagnostic('DEP021', `Project "${f.slug}" was not read here: dependencies it declares through the Verify Dependencies template are not in the graph`, {
          severity: 'info',
          file: options.configFile ?? 'oclhub.ocl',
          range: registered ? (registered.labelRange ?? registered.headerRange) : undefined,
          project: f.slug,
          detail: 'It lives in another repository. `oclhub lint` and `oclhub deps` read it.',
        }),
      );
    }
  }
  for (const d of deps.diagnostics) {
    // Findings in a project's own file carry its repository; those in oclhub.ocl are the hub's.
    const repository = d.project !== undefined && d.file !== (options.configFile ?? 'oclhub.ocl') ? repositoryOf.get(d.project) : undefined;
    out.push(repository ? { ...d, repository } : d);
  }
  return out.sort(compareDiagnostics);
}

/** Every best-practice and dependency finding for a hub and its projects' documents. */
export function checkBestPractices(input: PracticeInput): Diagnostic[] {
  const options: PracticeOptions = {
    ...(input.configFile ? { configFile: input.configFile } : {}),
    ...(input.now ? { now: input.now } : {}),
    ...(input.policies ? { policies: input.policies } : {}),
    ...(input.publishedPolicies ? { publishedPolicies: input.publishedPolicies } : {}),
  };
  const index = new HubIndex(input.config);
  const out: Diagnostic[] = [];
  const facts: ProjectFacts[] = [];
  for (const project of input.projects) {
    const result = projectPractices(input.config, project, options, index);
    out.push(...result.diagnostics);
    facts.push(result.facts);
  }
  out.push(...hubPractices(input.config, facts, options, index));
  return out.sort(compareDiagnostics);
}
