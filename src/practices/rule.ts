/**
 * The shape of a best-practice rule and the context it reports through. A rule is a table entry — code,
 * name, default severity, threshold where one applies, Octolint counterpart — plus a pure check.
 */
import type { Diagnostic, Range, RelatedInformation, Severity, SourceRepository } from '../diagnostics.js';
import type { HubConfigDocument } from '../model/types.js';
import type { PracticeInput, PracticeProject, ProjectFacts, RuleScope, Threshold } from './types.js';

interface RuleBase {
  /** `BP0xx`: stable, never reused. */
  code: string;
  /** kebab-case name used in the docs. */
  name: string;
  /** One line: what the rule finds. */
  title: string;
  severity: Severity;
  threshold?: Threshold;
  /** The Octolint check it corresponds to, when there is one. */
  octolint?: string;
  scope: RuleScope;
}

export interface ProjectRule extends RuleBase {
  scope: 'project';
  check(project: PracticeProject, ctx: RuleContext): void;
}

export interface HubRule extends RuleBase {
  scope: 'hub';
  check(facts: readonly ProjectFacts[], ctx: RuleContext): void;
}

export type Rule = ProjectRule | HubRule;

export interface Location {
  file?: string | undefined;
  range?: Range | undefined;
  project?: string | undefined;
  repository?: SourceRepository | undefined;
}

/** What every rule run shares: the hub, the thresholds in force, the clock, and the findings list. */
export interface RunState {
  config: HubConfigDocument | undefined;
  configFile: string;
  /** Undefined until a rule asks (`RuleContext.now`), then this run's clock for every rule. */
  now: Date | undefined;
  thresholds: ReadonlyMap<string, number>;
  input: Pick<PracticeInput, 'policies' | 'publishedPolicies'>;
  out: Diagnostic[];
}

export class RuleContext {
  constructor(
    readonly rule: Rule,
    private readonly state: RunState,
  ) {}

  get config(): HubConfigDocument | undefined {
    return this.state.config;
  }

  get configFile(): string {
    return this.state.configFile;
  }

  get now(): Date {
    return (this.state.now ??= new Date());
  }

  get input(): RunState['input'] {
    return this.state.input;
  }

  /** The rule's threshold: a `rule "<code>" { threshold = N }` setting, else its default. */
  get threshold(): number {
    return this.state.thresholds.get(this.rule.code) ?? this.rule.threshold?.default ?? 0;
  }

  /** Whether `count` crosses the threshold the way the rule says. */
  crosses(count: number): boolean {
    const limit = this.threshold;
    switch (this.rule.threshold?.fires) {
      case 'above':
        return count > limit;
      case 'at-or-below':
        return count <= limit;
      default:
        return count >= limit;
    }
  }

  report(summary: string, at: Location, extra: { detail?: string; related?: RelatedInformation[] } = {}): void {
    const d: Diagnostic = { severity: this.rule.severity, code: this.rule.code, summary };
    if (extra.detail) d.detail = extra.detail;
    if (at.file !== undefined) d.file = at.file;
    if (at.range !== undefined) d.range = at.range;
    if (extra.related && extra.related.length > 0) d.related = extra.related;
    if (at.project !== undefined) d.project = at.project;
    if (at.repository !== undefined) d.repository = at.repository;
    this.state.out.push(d);
  }

  /** Where a finding about a whole project points: its block in oclhub.ocl, else its first file. */
  projectLocation(project: PracticeProject): Location {
    if (project.registered) return { file: this.configFile, range: project.registered.labelRange ?? project.registered.headerRange, project: project.slug };
    const first = project.documents[0];
    const start = { line: 1, column: 1, offset: 0 };
    return { file: first?.file, range: first ? { start, end: start } : undefined, project: project.slug, repository: project.repository };
  }

  /** A location in one of the project's files. */
  at(project: PracticeProject, file: string, range: Range | undefined): Location {
    return { file, range, project: project.slug, repository: project.repository };
  }
}
