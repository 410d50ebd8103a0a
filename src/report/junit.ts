/**
 * `oclhub lint` as JUnit XML, for the test-report views of GitLab, Jenkins and GitHub test-report
 * actions.
 *
 * - One `<testsuite>` per evaluation context, named `project/environment[/tenant]`, and one
 *   `<testcase>` per policy in it, with `classname="project.environment[.tenant]"` (Jenkins shows
 *   it as package `project`, class `environment`) and `name` = the policy slug, which stays stable
 *   across policy versions so test history lines up.
 * - A suite `diagnostics` holds one test case per OCL/schema/template diagnostic, with
 *   `classname="project.diagnostics"` (`oclhub.diagnostics` for findings about no project); findings
 *   a rule setting turned off are `<skipped>` there.
 * - An inconclusive decision (it needs input the run lacks) is `<skipped>` with what it needs; a
 *   context that could not be decided has an `<error>` per policy (one `not-decided` case when no
 *   policy is active).
 * - Files of another repository than the one the command ran in are named with its location.
 * - The report is red exactly where the exit code is: a finding that fails the run at the fail
 *   level is a `<failure>` (`type` = `block`, `warn` or the diagnostic severity); a policy that
 *   could not be evaluated is an `<error>`. Excepted violations and out-of-scope policies are
 *   `<skipped>` with the reason. Findings that do not fail the run (warnings at fail level
 *   `block`, violations at fail level `error`, info diagnostics) pass, with the finding in
 *   `<system-out>`: Jenkins and GitLab show it in the test's details without turning the build red.
 * - `file` and `line` attributes (GitLab, mikepenz/action-junit-report) point at the step.
 * - Everything is escaped for XML 1.0, including characters XML 1.0 cannot carry at all (most
 *   C0 controls, lone surrogates, U+FFFE/U+FFFF), which become a visible `\xNN` / `\uNNNN`.
 */
import type { Diagnostic, RelatedInformation } from '../diagnostics.js';
import { formatLocation } from './text.js';
import {
  contextName,
  decisionFails,
  decisionMessage,
  diagnosticFails,
  displayPath,
  policyLabel,
  sourceLine,
  summarize,
  TALLY,
  type Evaluation,
  type LintReport,
  type PolicyDecision,
} from './lint-report.js';
import { evaluationRuns, evaluationSegments, segmentEvaluations, type SegmentTally } from './lint-pieces.js';

export interface JunitOptions {
  /** Leave out test cases for policies whose scope did not select the context (default: keep). */
  omitOutOfScope?: boolean;
  /** The `name` of `<testsuites>` (default `oclhub lint`). */
  name?: string;
}

type Outcome =
  | { kind: 'passed'; output?: string }
  | { kind: 'failure' | 'error'; message: string; type: string; body: string }
  | { kind: 'skipped'; message: string };

interface TestCase {
  classname: string;
  name: string;
  file?: string;
  line?: number;
  outcome: Outcome;
}

interface Suite {
  name: string;
  properties: Array<[string, string]>;
  cases: TestCase[];
  /** The diagnostics suite: its cases in `sortDiagnosticCases` order. */
  diagnostics?: true;
}

/**
 * The `diagnostics` suite's test cases (each its rendered lines) in the order read from those lines
 * alone, so that `oclhub report merge` puts the cases of several shards in the order the unsharded run
 * writes them: findings before suppressed ones, then by file, line and the case's text. Each case's key
 * is read once, not at every comparison.
 */
export function sortDiagnosticCases(cases: readonly string[][]): string[][] {
  return cases
    .map((lines) => ({ lines, key: caseKey(lines) }))
    .sort((a, b) => compareCaseKeys(a.key, b.key))
    .map((c) => c.lines);
}

type CaseKey = ReturnType<typeof caseKey>;

function compareCaseKeys(ka: CaseKey, kb: CaseKey): number {
  if (ka.suppressed !== kb.suppressed) return ka.suppressed ? 1 : -1;
  if (ka.file !== kb.file) return ka.file < kb.file ? -1 : 1;
  if (ka.line !== kb.line) return ka.line - kb.line;
  return ka.text < kb.text ? -1 : ka.text > kb.text ? 1 : 0;
}

function caseKey(lines: readonly string[]): { suppressed: boolean; file: string; line: number; text: string } {
  const open = lines[0] ?? '';
  return {
    suppressed: lines[1]?.startsWith('      <skipped') ?? false,
    file: / file="([^"]*)"/.exec(open)?.[1] ?? '',
    line: Number(/ line="(\d+)"/.exec(open)?.[1] ?? -1),
    text: lines.join('\n'),
  };
}

export function renderJunit(report: LintReport, options: JunitOptions = {}): string {
  return [...junitChunks(report, options)].join('');
}

/**
 * The chunks of `renderJunit(report, options)`: the head, each project's suites, the diagnostics suite
 * and the end, so that a large lint's report is never one string, nor every test case an object at once.
 * The totals in `<testsuites>` come first: they are counted in a pass of their own over the outcomes,
 * a project at a time, before the suites are written: a stored piece from the tally stored beside it
 * (`addTallied`), any other project's evaluations (stored pieces decoded in turn, report/lint-pieces.ts)
 * case by case.
 */
export function* junitChunks(report: LintReport, options: JunitOptions = {}): Generator<string> {
  const diagnostics = diagnosticsSuite(report);
  const totals = diagnostics ? count(diagnostics.cases) : { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const segments = evaluationSegments(report);
  if (segments === undefined) {
    for (const evaluation of report.evaluations) countContext(evaluation, report.failOn, options, totals);
  } else {
    for (const segment of segments) {
      if ('piece' in segment && addTallied(segment.tally, report.failOn, options, totals)) continue;
      for (const evaluation of segmentEvaluations(segment)) countContext(evaluation, report.failOn, options, totals);
    }
  }
  const summary = summarize(report);
  const head: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  head.push(
    `<testsuites${countedAttributes(options.name ?? 'oclhub lint', totals)}>`,
  );
  const shard = report.shard === undefined ? '' : `; shard ${report.shard.index}/${report.shard.count}`;
  head.push(`  <!-- ${escapeComment(`${report.tool.name} ${report.tool.version}; fail on ${report.failOn}; ${summary.failed ? 'failed' : 'passed'}${shard}`)} -->`);
  yield head.join('\n');
  for (const evaluations of evaluationRuns(report)) {
    const lines: string[] = [];
    for (const evaluation of evaluations) lines.push(...suiteLines(contextSuite(evaluation, report, options)));
    if (lines.length > 0) yield `\n${lines.join('\n')}`;
  }
  if (diagnostics) yield `\n${suiteLines(diagnostics).join('\n')}`;
  yield '\n</testsuites>\n';
}

/** An evaluation context's suite: a case per policy (see the file comment). */
function contextSuite(evaluation: Evaluation, report: LintReport, options: JunitOptions): Suite {
  // Every case of the context has its class (a join per case was a tenth of a 1,000-project report's writing).
  const classname = contextClass(evaluation);
  return {
    name: contextName(evaluation),
    properties: [
      ['project', evaluation.project],
      ['environment', evaluation.environment],
      ...(evaluation.tenant === undefined ? [] : [['tenant', evaluation.tenant] as [string, string]]),
      ...(report.hubRef === undefined ? [] : [['hubRef', report.hubRef] as [string, string]]),
    ],
    cases: [
      ...evaluation.decisions.filter((d) => !(options.omitOutOfScope && d.outcome === 'skipped')).map((decision) => decisionCase(classname, decision, report)),
      ...(hasUndecidedCase(evaluation) ? [undecidedCase(evaluation, report)] : []),
    ],
  };
}

/** A context that could not be decided and has no policy: one `not-decided` case. */
function hasUndecidedCase(evaluation: Evaluation): boolean {
  return evaluation.errors !== undefined && evaluation.errors.length > 0 && evaluation.decisions.length === 0;
}

/**
 * Adds the cases of a stored piece's evaluations to `totals` from their tally (lint-pieces.ts
 * `SegmentTally`, what the report's summary counts too) when it tells them exactly: false, leaving
 * `totals` as they were, when it does not (the piece is then decoded and counted case by case).
 * Decoding every piece only to count it was half of the pieces' decoding (70 ms of a cold
 * 1,000-project lint). By `decisionKind`, the tally's outcomes give each case's kind: a violation
 * fails as `decisionFails` says (its action `block` is the tally's own split), an error is an error,
 * an inconclusive, excepted or skipped decision is skipped. Not told exactly: a context with errors
 * (the tally does not say whether it has decisions, which decides its `not-decided` case), or counts
 * that are not counts. A decision with an outcome outside these has no case: writing the suites
 * fails on it, as it always did.
 */
function addTallied(tally: SegmentTally, failOn: LintReport['failOn'], options: JunitOptions, totals: ReturnType<typeof count>): boolean {
  const c = tally.counts;
  if (!Array.isArray(c) || c.length < TALLIED.length) return false;
  for (const at of TALLIED) if (!Number.isSafeInteger(c[at]) || c[at]! < 0) return false;
  if (c[TALLY.undecided] !== 0) return false;
  const skipped = options.omitOutOfScope ? 0 : c[TALLY.skipped]!;
  const errors = c[TALLY.errorsBlock]! + c[TALLY.errorsWarn]!;
  totals.tests += c[TALLY.passed]! + c[TALLY.violationsBlock]! + c[TALLY.violationsWarn]! + c[TALLY.excepted]! + errors + c[TALLY.inconclusive]! + skipped;
  totals.failures += failOn === 'error' ? 0 : c[TALLY.violationsBlock]! + (failOn === 'warn' ? c[TALLY.violationsWarn]! : 0);
  totals.errors += errors;
  totals.skipped += c[TALLY.inconclusive]! + c[TALLY.excepted]! + skipped;
  return true;
}

/** The tally's counts `addTallied` reads. */
const TALLIED = [TALLY.undecided, TALLY.passed, TALLY.violationsBlock, TALLY.violationsWarn, TALLY.excepted, TALLY.errorsBlock, TALLY.errorsWarn, TALLY.skipped, TALLY.inconclusive];

/** Adds the context's cases to `totals` by their kind alone (what `contextSuite` makes of them, without writing them). */
function countContext(evaluation: Evaluation, failOn: LintReport['failOn'], options: JunitOptions, totals: ReturnType<typeof count>): void {
  for (const decision of evaluation.decisions) {
    if (options.omitOutOfScope && decision.outcome === 'skipped') continue;
    totals.tests++;
    const kind = decisionKind(decision, failOn);
    if (kind === 'failure') totals.failures++;
    else if (kind === 'error') totals.errors++;
    else if (kind === 'skipped') totals.skipped++;
  }
  if (hasUndecidedCase(evaluation)) {
    totals.tests++;
    totals.errors++;
  }
}

function diagnosticsSuite(report: LintReport): Suite | undefined {
  const suppressed = report.suppressed ?? [];
  if (report.diagnostics.length + suppressed.length === 0) return undefined;
  return { name: 'diagnostics', properties: [], cases: [...report.diagnostics.map((d) => diagnosticCase(d, report)), ...suppressed.map((d) => suppressedCase(d, report))], diagnostics: true };
}

/** The attributes of `<testsuites>` and `<testsuite>`: the name and the counts of cases. */
function countedAttributes(name: string, counts: ReturnType<typeof count>): string {
  return attributes([
    ['name', name],
    ['tests', counts.tests],
    ['failures', counts.failures],
    ['errors', counts.errors],
    ['skipped', counts.skipped],
    ['time', 0],
  ]);
}

function suiteLines(suite: Suite): string[] {
  const out: string[] = [];
  const counts = count(suite.cases);
  out.push(
    `  <testsuite${countedAttributes(suite.name, counts)}>`,
  );
  if (suite.properties.length > 0) {
    out.push('    <properties>');
    for (const [name, value] of suite.properties) out.push(`      <property${attributes([['name', name], ['value', value]])}/>`);
    out.push('    </properties>');
  }
  const rendered = suite.cases.map(renderCase);
  for (const lines of suite.diagnostics ? sortDiagnosticCases(rendered) : rendered) out.push(...lines);
  out.push('  </testsuite>');
  return out;
}

function contextClass(evaluation: Evaluation): string {
  return [evaluation.project, evaluation.environment, ...(evaluation.tenant === undefined ? [] : [evaluation.tenant])].join('.');
}

/**
 * The case of a decision of the context whose class is `classname`. Built as one literal (not spread
 * from optional parts), and the message made only for the outcomes that show it: 100,000 cases for a
 * 1,000-project hub. An absent file or line is `undefined`, which `renderCase` leaves out.
 */
function decisionCase(classname: string, decision: PolicyDecision, report: LintReport): TestCase {
  const where = decision.location;
  const testCase: TestCase = {
    classname,
    name: decision.policy,
    file: where ? displayPath(report, where.file, where.repository) : undefined,
    line: where?.range ? where.range.start.line : undefined,
    outcome: PASSED,
  };
  switch (decision.outcome) {
    case 'pass':
      return testCase;
    case 'inconclusive':
      testCase.outcome = { kind: 'skipped', message: decisionMessage(decision) };
      return testCase;
    case 'skipped':
      testCase.outcome = NOT_IN_SCOPE;
      return testCase;
    case 'excepted': {
      const e = decision.exception;
      const why = e ? `excepted until ${e.expires} (owner ${e.owner}): ${e.reason}` : 'excepted';
      testCase.outcome = { kind: 'skipped', message: `${why} — violation: ${decisionMessage(decision)}` };
      return testCase;
    }
    case 'error': {
      const message = decisionMessage(decision);
      testCase.outcome = { kind: 'error', message, type: 'evaluation-error', body: decisionBody(decision, message, report) };
      return testCase;
    }
    case 'violation': {
      const message = decisionMessage(decision);
      testCase.outcome = decisionFails(decision, report.failOn)
        ? { kind: 'failure', message: firstLine(message), type: decision.action, body: decisionBody(decision, message, report) }
        : { kind: 'passed', output: `${decision.action === 'warn' ? 'WARNING' : 'BLOCKED'} (does not fail at fail level ${report.failOn})\n${decisionBody(decision, message, report)}` };
      return testCase;
    }
  }
}

/** Outcomes that say the same in every case of their kind (only read). */
const PASSED: Outcome = { kind: 'passed' };
const NOT_IN_SCOPE: Outcome = { kind: 'skipped', message: 'not in scope' };

/** The kind of case `decisionCase` makes of a decision. */
function decisionKind(decision: PolicyDecision, failOn: LintReport['failOn']): Outcome['kind'] {
  switch (decision.outcome) {
    case 'pass':
      return 'passed';
    case 'inconclusive':
    case 'skipped':
    case 'excepted':
      return 'skipped';
    case 'error':
      return 'error';
    case 'violation':
      return decisionFails(decision, failOn) ? 'failure' : 'passed';
  }
}

function decisionBody(decision: PolicyDecision, message: string, report: LintReport): string {
  const where = decision.location;
  const lines = [message, `policy: ${policyLabel(decision)}`, `action: ${decision.action}`];
  if (where) {
    lines.push(`at: ${formatLocation(displayPath(report, where.file, where.repository), where.range)}${where.step === undefined ? '' : ` (step ${where.step})`}`);
    const line = where.range ? sourceLine(report, where.file, where.repository, where.range.start.line) : undefined;
    if (line !== undefined) lines.push(`  ${where.range!.start.line} | ${line}`);
  }
  lines.push(...relatedLines(where?.related, where?.file, where?.repository, report));
  return lines.join('\n');
}

/** A context that could not be decided and has no policy to fail: one error case saying why. */
function undecidedCase(evaluation: Evaluation, report: LintReport): TestCase {
  const errors = evaluation.errors ?? [];
  const first = errors.find((d) => d.file !== undefined);
  const lines = errors.map((d) => `${d.file === undefined ? '' : `${formatLocation(displayPath(report, d.file, d.repository), d.range)}: `}${d.code}: ${d.summary}`);
  return {
    classname: contextClass(evaluation),
    name: 'not-decided',
    ...(first ? { file: displayPath(report, first.file!, first.repository) } : {}),
    ...(first?.range ? { line: first.range.start.line } : {}),
    outcome: { kind: 'error', message: errors[0]?.summary ?? 'not decided', type: 'not-decided', body: lines.join('\n') },
  };
}

function diagnosticLocation(d: Diagnostic, report: LintReport): { location: string; file?: string } {
  const file = d.file === undefined ? undefined : displayPath(report, d.file, d.repository);
  return { location: formatLocation(file, d.range), ...(file === undefined ? {} : { file }) };
}

function diagnosticCase(d: Diagnostic, report: LintReport): TestCase {
  const { location, file } = diagnosticLocation(d, report);
  const base = {
    classname: `${d.project ?? 'oclhub'}.diagnostics`,
    name: location ? `${d.code} ${location}` : d.code,
    ...(file === undefined ? {} : { file }),
    ...(d.range ? { line: d.range.start.line } : {}),
  };
  const line = d.file !== undefined && d.range ? sourceLine(report, d.file, d.repository, d.range.start.line) : undefined;
  const body = [
    `${location ? location + ': ' : ''}${d.severity} ${d.code}: ${d.summary}`,
    ...(line !== undefined ? [`  ${d.range!.start.line} | ${line}`] : []),
    ...(d.detail ? [d.detail] : []),
    ...relatedLines(d.related, d.file, d.repository, report),
  ].join('\n');
  if (diagnosticFails(d, report.failOn)) return { ...base, outcome: { kind: 'failure', message: d.summary, type: d.severity, body } };
  return { ...base, outcome: { kind: 'passed', output: body } };
}

/** A finding a rule setting turned off: skipped, with the setting's reason. */
function suppressedCase(d: Diagnostic, report: LintReport): TestCase {
  const { location, file } = diagnosticLocation(d, report);
  const setting = d.adjusted ? `${formatLocation(d.adjusted.file, d.adjusted.range)}${d.adjusted.reason ? `: ${d.adjusted.reason}` : ''}` : 'oclhub.ocl';
  return {
    classname: `${d.project ?? 'oclhub'}.diagnostics`,
    name: location ? `${d.code} ${location}` : d.code,
    ...(file === undefined ? {} : { file }),
    ...(d.range ? { line: d.range.start.line } : {}),
    outcome: { kind: 'skipped', message: `suppressed by the rule setting at ${setting} — ${d.adjusted?.originalSeverity ?? d.severity}: ${d.summary}` },
  };
}

function relatedLines(related: readonly RelatedInformation[] | undefined, defaultFile: string | undefined, defaultRepository: Diagnostic['repository'], report: LintReport): string[] {
  return (related ?? []).map((r) => {
    const file = r.file ?? defaultFile;
    const where = formatLocation(file === undefined ? undefined : displayPath(report, file, r.repository ?? defaultRepository), r.range);
    return `note: ${where ? where + ': ' : ''}${r.message}`;
  });
}

function renderCase(testCase: TestCase): string[] {
  // The attributes one after the other (`attributes` would take an array of pairs per case).
  let open = `    <testcase${attribute('classname', testCase.classname)}${attribute('name', testCase.name)} time="0"`;
  if (testCase.file !== undefined) open += attribute('file', testCase.file);
  if (testCase.line !== undefined) open += attribute('line', testCase.line);
  const outcome = testCase.outcome;
  switch (outcome.kind) {
    case 'passed':
      if (outcome.output === undefined) return [`${open}/>`];
      return [`${open}>`, `      <system-out>${escapeText(outcome.output)}</system-out>`, '    </testcase>'];
    case 'skipped':
      return [`${open}>`, `      <skipped${attribute('message', outcome.message)}/>`, '    </testcase>'];
    case 'failure':
    case 'error':
      return [
        `${open}>`,
        `      <${outcome.kind}${attribute('message', outcome.message)}${attribute('type', outcome.type)}>${escapeText(outcome.body)}</${outcome.kind}>`,
        '    </testcase>',
      ];
  }
}

function count(cases: readonly TestCase[]): { tests: number; failures: number; errors: number; skipped: number } {
  const counts = { tests: cases.length, failures: 0, errors: 0, skipped: 0 };
  for (const c of cases) {
    if (c.outcome.kind === 'failure') counts.failures++;
    else if (c.outcome.kind === 'error') counts.errors++;
    else if (c.outcome.kind === 'skipped') counts.skipped++;
  }
  return counts;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

function attributes(pairs: ReadonlyArray<readonly [string, string | number]>): string {
  return pairs.map(([name, value]) => attribute(name, value)).join('');
}

function attribute(name: string, value: string | number): string {
  return ` ${name}="${escapeAttribute(String(value))}"`;
}

/**
 * Characters XML 1.0 cannot contain, even as character references: C0 controls other than tab,
 * newline and carriage return; unpaired surrogates; U+FFFE and U+FFFF.
 */
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Anything `escapeText` or `escapeAttribute` might change; most names and slugs contain none. */
const NEEDS_ESCAPE = /[&<>"'\u0000-\u001f\ud800-\udfff\ufffe\uffff]/;

/** Escapes element content; `\r` becomes a reference so parsers do not normalise it away. */
export function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(NOT_XML_CHAR, visible)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Escapes an attribute value; tab, newline and carriage return survive attribute normalisation as references. */
export function escapeAttribute(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** A comment may not contain `--` nor end with `-`. */
function escapeComment(text: string): string {
  return text.replace(NOT_XML_CHAR, visible).replace(/-(?=-)/g, '- ').replace(/-$/, '- ');
}
