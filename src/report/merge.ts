/**
 * `oclhub report merge`: the reports of the N shards of one lint (`oclhub lint --shard I/N`, each a
 * CI job) combined into the report one unsharded run would have printed, in the shards' format
 * (`--format json`, `sarif` or `junit`), with the same exit code.
 *
 * Shards split the projects (every context of a project is in one shard), so decisions are
 * concatenated; findings about the hub itself (oclhub.ocl, policies) are in every shard and are
 * kept once. The exit code follows the rule of lint-report.ts: every count that can fail a run is a
 * sum over disjoint shards or a union of the shards' findings, so the merged run fails exactly when
 * one shard failed; JSON and SARIF recompute their summary from the merged findings.
 *
 * Fail closed: a merge says which shard is missing, given twice, of another run (another shard
 * count, hub commit, fail level or tool version) or not a shard report at all, and refuses to
 * produce a report that would pass over projects no shard checked. A context found in two shards
 * is an error too.
 *
 * JSON carries no source texts, so merged SARIF keeps the snippets each shard wrote and nothing
 * else is re-rendered. JUnit is merged as the lint writer lays it out (one `<testsuite>` per
 * context, one `diagnostics` suite): each context suite is kept byte for byte.
 */
import { XMLValidator } from 'fast-xml-parser';
import { compareDiagnostics, type SourceRepository } from '../diagnostics.js';
import { LINT_JSON_FORMAT, renderLintJson, type LintJson } from './lint-json.js';
import { contextName, failed, lintExitCode, summarize, summaryLine, type Evaluation, type LintReport, type LintShard, type LintSummary } from './lint-report.js';
import type { SarifLog, SarifResult, SarifRule } from './sarif.js';
import { sortDiagnosticCases } from './junit.js';

export type MergeFormat = 'json' | 'sarif' | 'junit';

export interface ShardInput {
  /** Where the report was read (for messages). */
  file: string;
  text: string;
}

export type MergeResult = { format: MergeFormat; output: string; exitCode: 0 | 1 } | { errors: string[] };

/** The format of a lint report's text, or why it is not one. */
export function reportFormat(text: string): MergeFormat | { error: string } {
  const start = text.trimStart();
  if (start.startsWith('<')) return 'junit';
  if (!start.startsWith('{')) return { error: 'not a lint report in JSON, SARIF or JUnit form' };
  try {
    const parsed = JSON.parse(text) as { format?: unknown; version?: unknown; runs?: unknown };
    if (parsed.format === LINT_JSON_FORMAT) return 'json';
    if (parsed.version === '2.1.0' && Array.isArray(parsed.runs)) return 'sarif';
    return { error: `a JSON document that is neither an ${LINT_JSON_FORMAT} report nor a SARIF 2.1.0 log` };
  } catch (error) {
    return { error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** What every shard of one run must agree on, and which shard it is. */
interface ShardHeader {
  file: string;
  shard: Pick<LintShard, 'index' | 'count'> | undefined;
  /** Fields that must be equal across shards, by name. */
  same: Record<string, string>;
}

/** Errors when the shards are not exactly shards 1..N of one run. */
function checkShards(headers: readonly ShardHeader[]): string[] {
  const errors: string[] = [];
  for (const h of headers) if (!h.shard) errors.push(`${h.file}: not a shard report (made without \`oclhub lint --shard I/N\`)`);
  if (errors.length > 0) return errors;
  const first = headers[0]!;
  for (const h of headers.slice(1)) {
    if (h.shard!.count !== first.shard!.count) errors.push(`${h.file}: shard ${h.shard!.index}/${h.shard!.count} is of a run in ${h.shard!.count} shards, ${first.file} of one in ${first.shard!.count}`);
    for (const [name, value] of Object.entries(first.same)) {
      if (h.same[name] !== value) errors.push(`${h.file}: ${name} ${JSON.stringify(h.same[name] ?? null)} differs from ${first.file}'s ${JSON.stringify(value)}: the shards are of different runs`);
    }
  }
  if (errors.length > 0) return errors;
  const count = first.shard!.count;
  const seen = new Map<number, string>();
  for (const h of headers) {
    const other = seen.get(h.shard!.index);
    if (other !== undefined) errors.push(`shard ${h.shard!.index}/${count} given twice (${other} and ${h.file})`);
    seen.set(h.shard!.index, h.file);
  }
  for (let i = 1; i <= count; i++) if (!seen.has(i)) errors.push(`shard ${i}/${count} is missing: its projects were not checked`);
  return errors;
}

/** Merges shard reports of one format into one report (see the file comment). Never throws on input. */
export function mergeReports(inputs: readonly ShardInput[]): MergeResult {
  if (inputs.length === 0) return { errors: ['no reports to merge'] };
  const formats = inputs.map((input) => ({ input, format: reportFormat(input.text) }));
  const errors = formats.flatMap(({ input, format }) => (typeof format === 'string' ? [] : [`${input.file}: ${format.error}`]));
  if (errors.length > 0) return { errors };
  const kinds = new Set(formats.map((f) => f.format as MergeFormat));
  if (kinds.size > 1) return { errors: [`the reports are in different formats (${[...kinds].join(', ')}): merge shards of one format`] };
  const format = [...kinds][0]!;
  if (format === 'json') return mergeJson(inputs);
  if (format === 'sarif') return mergeSarif(inputs);
  return mergeJunit(inputs);
}

// --- JSON -------------------------------------------------------------------------------------

function mergeJson(inputs: readonly ShardInput[]): MergeResult {
  const reports = inputs.map((input) => JSON.parse(input.text) as LintJson);
  const headers = reports.map((r, i): ShardHeader => ({
    file: inputs[i]!.file,
    shard: r.shard,
    same: { hubRef: r.hubRef ?? '', failOn: r.failOn, tool: `${r.tool.name} ${r.tool.version}`, home: r.home ?? '' },
  }));
  const shardErrors = checkShards(headers);
  if (shardErrors.length > 0) return { errors: shardErrors };
  const ordered = [...reports].sort((a, b) => a.shard!.index - b.shard!.index);
  const evaluations: Evaluation[] = ordered.flatMap((r) => r.evaluations);
  const twice = contextsTwice(evaluations.map(contextName));
  if (twice.length > 0) return { errors: twice };
  const first = ordered[0]!;
  const report: LintReport = {
    tool: first.tool,
    ...(first.hubRef !== undefined ? { hubRef: first.hubRef } : {}),
    evaluations,
    diagnostics: unique(ordered.flatMap((r) => r.diagnostics)).sort(compareDiagnostics),
    failOn: first.failOn,
    repositories: uniqueRepositories(ordered.flatMap((r) => r.repositories ?? [])),
    ...(first.home !== undefined ? { home: first.home } : {}),
  };
  const suppressed = unique(ordered.flatMap((r) => r.suppressed ?? [])).sort(compareDiagnostics);
  if (suppressed.length > 0) report.suppressed = suppressed;
  const exitCode = lintExitCode(summarize(report));
  return { format: 'json', output: renderLintJson(report), exitCode };
}

function contextsTwice(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const name of names) (seen.has(name) ? twice : seen).add(name);
  return [...twice].slice(0, 10).map((name) => `context ${name} is in more than one shard report`);
}

/** Findings each shard reports (about the hub itself) kept once; JSON renders objects with a fixed key order, so equal findings print alike. */
function unique<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function uniqueRepositories(repositories: readonly SourceRepository[]): SourceRepository[] {
  const seen = new Set<string>();
  return repositories.filter((r) => !seen.has(r.id) && Boolean(seen.add(r.id)));
}

// --- SARIF ------------------------------------------------------------------------------------

type SarifRun = SarifLog['runs'][0];
type SarifLogical = SarifRun['logicalLocations'][number];

function mergeSarif(inputs: readonly ShardInput[]): MergeResult {
  const logs = inputs.map((input) => JSON.parse(input.text) as SarifLog);
  const runs: SarifRun[] = [];
  const errors: string[] = [];
  logs.forEach((log, i) => {
    if (log.runs.length !== 1) errors.push(`${inputs[i]!.file}: ${log.runs.length} runs; an oclhub lint log has one`);
    else runs.push(log.runs[0]);
  });
  if (errors.length > 0) return { errors };
  const props = (run: SarifRun) => run.properties as { hubRef?: string; failOn?: string; summary?: LintSummary; shard?: LintShard };
  const headers = runs.map((run, i): ShardHeader => ({
    file: inputs[i]!.file,
    shard: props(run).shard,
    same: { hubRef: props(run).hubRef ?? '', failOn: props(run).failOn ?? '', tool: `${run.tool.driver.name} ${run.tool.driver.version}` },
  }));
  const shardErrors = checkShards(headers);
  if (shardErrors.length > 0) return { errors: shardErrors };
  for (const [i, run] of runs.entries()) if (!props(run).summary) errors.push(`${inputs[i]!.file}: no run.properties.summary: not an oclhub lint log`);
  if (errors.length > 0) return { errors };
  const ordered = runs.map((run, i) => ({ run, file: inputs[i]!.file })).sort((a, b) => props(a.run).shard!.index - props(b.run).shard!.index);

  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const logical: SarifLogical[] = [];
  const logicalIndex = new Map<string, number>();
  const decisions: SarifResult[] = [];
  const diagnostics: SarifResult[] = [];
  const suppressed: SarifResult[] = [];
  const seenDiagnostics = new Set<string>();
  const contexts = new Map<string, string>();
  const twice: string[] = [];
  const bases: Record<string, { uri: string }> = {};
  const provenance: NonNullable<SarifRun['versionControlProvenance']> = [];
  const seenProvenance = new Set<string>();
  for (const { run, file } of ordered) {
    const ruleMap = run.tool.driver.rules.map((rule) => {
      const at = ruleIndex.get(rule.id);
      if (at === undefined) {
        ruleIndex.set(rule.id, rules.length);
        rules.push(rule);
        return rules.length - 1;
      }
      // A policy's default level is `error` if any shard saw it block (as in one run).
      if (rule.defaultConfiguration.level === 'error') rules[at]!.defaultConfiguration.level = 'error';
      return at;
    });
    const logicalMap = new Map<number, number>();
    for (const [i, location] of run.logicalLocations.entries()) {
      const key = `${location.kind}\u0000${location.fullyQualifiedName}`;
      let at = logicalIndex.get(key);
      if (at === undefined) {
        at = logical.length;
        logicalIndex.set(key, at);
        const parentIndex = location.parentIndex === undefined ? undefined : logicalMap.get(location.parentIndex);
        const { parentIndex: _parent, ...rest } = location;
        logical.push({ ...rest, index: at, ...(parentIndex === undefined ? {} : { parentIndex }) });
      }
      logicalMap.set(location.index ?? i, at);
    }
    for (const result of run.results) {
      const remapped: SarifResult = {
        ...result,
        ruleIndex: ruleMap[result.ruleIndex] ?? ruleIndex.get(result.ruleId) ?? result.ruleIndex,
        locations: [
          {
            ...result.locations[0],
            ...(result.locations[0].logicalLocations
              ? { logicalLocations: result.locations[0].logicalLocations.map((l) => (l.index === undefined || !logicalMap.has(l.index) ? l : remapLogical(l, logicalMap))) }
              : {}),
          },
        ],
      };
      const properties = result.properties as { outcome?: string; severity?: string; project?: string; environment?: string; tenant?: string };
      if (properties.outcome !== undefined) {
        decisions.push(remapped);
        continue;
      }
      // Diagnostics: those about the hub are in every shard; keep each once (the rule index differs by shard).
      const { ruleIndex: _index, ...identity } = remapped;
      const key = JSON.stringify(identity);
      if (seenDiagnostics.has(key)) continue;
      seenDiagnostics.add(key);
      (result.suppressions && result.suppressions.length > 0 ? suppressed : diagnostics).push(remapped);
    }
    for (const name of props(run).summary ? contextsOfShard(run) : []) {
      const other = contexts.get(name);
      if (other !== undefined && other !== file) twice.push(`context ${name} is in more than one shard report (${other} and ${file})`);
      contexts.set(name, file);
    }
    for (const [id, base] of Object.entries(run.originalUriBaseIds ?? {})) if (!(id in bases)) bases[id] = base;
    for (const entry of run.versionControlProvenance ?? []) {
      const key = JSON.stringify(entry);
      if (!seenProvenance.has(key)) {
        seenProvenance.add(key);
        provenance.push(entry);
      }
    }
  }
  if (twice.length > 0) return { errors: twice.slice(0, 10) };

  const summary = mergedSummary(
    ordered.map(({ run }) => ({ summary: props(run).summary!, shard: props(run).shard! })),
    [...diagnostics],
    suppressed.length,
  );
  const exitCode = summary.failed ? 1 : 0;
  const first = ordered[0]!.run;
  const merged: SarifLog = {
    $schema: logs[0]!.$schema,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { ...first.tool.driver, rules } },
        invocations: [{ executionSuccessful: true, exitCode, exitCodeDescription: summaryLine(summary) }],
        ...(Object.keys(bases).length > 0 ? { originalUriBaseIds: bases } : {}),
        ...(provenance.length > 0 ? { versionControlProvenance: provenance } : {}),
        columnKind: first.columnKind,
        logicalLocations: logical,
        results: [...decisions, ...diagnostics, ...suppressed],
        properties: {
          ...(props(first).hubRef === undefined ? {} : { hubRef: props(first).hubRef }),
          failOn: summary.failOn,
          summary,
        },
      },
    ],
  };
  return { format: 'sarif', output: JSON.stringify(merged, null, 2) + '\n', exitCode };
}

function remapLogical(location: SarifLogical, map: ReadonlyMap<number, number>): SarifLogical {
  const { parentIndex, ...rest } = location;
  const mappedParent = parentIndex === undefined ? undefined : map.get(parentIndex);
  return { ...rest, index: map.get(location.index!)!, ...(mappedParent === undefined ? {} : { parentIndex: mappedParent }) };
}

/** The contexts a SARIF shard names (those with results; a shard's other contexts passed and are only counted). */
function contextsOfShard(run: SarifRun): string[] {
  const names = new Set<string>();
  for (const result of run.results) {
    const p = result.properties as { outcome?: string; project?: string; environment?: string; tenant?: string };
    if (p.outcome !== undefined && p.project !== undefined && p.environment !== undefined) names.add(contextName({ project: p.project, environment: p.environment, ...(p.tenant !== undefined ? { tenant: p.tenant } : {}) }));
  }
  return [...names];
}

/**
 * The summary of the whole run: decision counts add up over disjoint shards, environments and
 * tenants are counted once over the shards' lists, diagnostics are counted from the merged (once
 * each) diagnostic results.
 */
function mergedSummary(shards: readonly { summary: LintSummary; shard: LintShard }[], diagnostics: readonly SarifResult[], suppressed: number): LintSummary {
  const sum = (pick: (s: LintSummary) => number) => shards.reduce((n, { summary }) => n + pick(summary), 0);
  const environments = new Set(shards.flatMap(({ shard }) => shard.environments));
  const tenants = new Set(shards.flatMap(({ shard }) => shard.tenants));
  const severity = (level: string) => diagnostics.filter((r) => (r.properties as { severity?: string }).severity === level).length;
  const failOn = shards[0]!.summary.failOn;
  const summary: Omit<LintSummary, 'failed'> = {
    evaluations: sum((s) => s.evaluations),
    projects: sum((s) => s.projects),
    environments: environments.size,
    tenants: tenants.size,
    passed: sum((s) => s.passed),
    violations: { block: sum((s) => s.violations.block), warn: sum((s) => s.violations.warn) },
    excepted: sum((s) => s.excepted),
    errors: sum((s) => s.errors),
    errorActions: { block: sum((s) => s.errorActions.block), warn: sum((s) => s.errorActions.warn) },
    skipped: sum((s) => s.skipped),
    inconclusive: sum((s) => s.inconclusive),
    undecided: sum((s) => s.undecided),
    diagnostics: { error: severity('error'), warning: severity('warning') },
    suppressed,
    failOn,
  };
  return { ...summary, failed: failed(summary, failOn) };
}

// --- JUnit ------------------------------------------------------------------------------------

/** The comment the lint writer puts first: `<tool> <version>; fail on <level>; failed|passed[; shard I/N]`. */
const JUNIT_HEADER = /^ {2}<!-- (.*); fail on (block|warn|error); (failed|passed)(?:; shard (\d+)\/(\d+))? -->$/;

interface JunitShard {
  file: string;
  tool: string;
  failOn: string;
  failed: boolean;
  shard?: { index: number; count: number };
  /** Context suites, each its lines verbatim, by name. */
  suites: { name: string; lines: string[] }[];
  /** The test cases of the `diagnostics` suite, each its lines verbatim. */
  diagnosticCases: string[][];
}

function parseJunitShard(input: ShardInput): JunitShard | { error: string } {
  const valid = XMLValidator.validate(input.text);
  if (valid !== true) return { error: `${input.file}: not well-formed XML (line ${valid.err.line}: ${valid.err.msg})` };
  const lines = input.text.split('\n');
  const header = JUNIT_HEADER.exec(lines[2] ?? '');
  if (!lines[0]?.startsWith('<?xml') || !lines[1]?.startsWith('<testsuites') || !header) return { error: `${input.file}: not a JUnit report written by oclhub lint` };
  const out: JunitShard = {
    file: input.file,
    tool: header[1]!,
    failOn: header[2]!,
    failed: header[3] === 'failed',
    ...(header[4] !== undefined ? { shard: { index: Number(header[4]), count: Number(header[5]) } } : {}),
    suites: [],
    diagnosticCases: [],
  };
  let at = 3;
  while (at < lines.length && lines[at] !== '</testsuites>') {
    const open = /^ {2}<testsuite name="([^"]*)"/.exec(lines[at]!);
    if (!open) return { error: `${input.file}:${at + 1}: expected a <testsuite> as oclhub lint writes it` };
    const end = lines.indexOf('  </testsuite>', at);
    if (end < 0) return { error: `${input.file}:${at + 1}: <testsuite> without its end` };
    const suite = lines.slice(at, end + 1);
    if (open[1] === 'diagnostics') {
      let current: string[] | undefined;
      for (const line of suite.slice(1, -1)) {
        if (line.startsWith('    <testcase')) out.diagnosticCases.push((current = [line]));
        else if (current) current.push(line);
      }
    } else {
      out.suites.push({ name: open[1]!, lines: suite });
    }
    at = end + 1;
  }
  return out;
}

function mergeJunit(inputs: readonly ShardInput[]): MergeResult {
  const shards: JunitShard[] = [];
  const errors: string[] = [];
  for (const input of inputs) {
    const parsed = parseJunitShard(input);
    if ('error' in parsed) errors.push(parsed.error);
    else shards.push(parsed);
  }
  if (errors.length > 0) return { errors };
  const shardErrors = checkShards(shards.map((s) => ({ file: s.file, shard: s.shard, same: { failOn: s.failOn, tool: s.tool } })));
  if (shardErrors.length > 0) return { errors: shardErrors };
  shards.sort((a, b) => a.shard!.index - b.shard!.index);
  const suites = shards.flatMap((s) => s.suites);
  const twice = contextsTwice(suites.map((s) => s.name));
  if (twice.length > 0) return { errors: twice };
  const seen = new Set<string>();
  const diagnosticCases = sortDiagnosticCases(
    shards
      .flatMap((s) => s.diagnosticCases)
      .filter((c) => {
        const key = c.join('\n');
        return !seen.has(key) && Boolean(seen.add(key));
      }),
  );
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const countCase = (lines: readonly string[], into: typeof totals) => {
    into.tests++;
    const body = lines.slice(1).join('\n');
    if (body.includes('<failure ')) into.failures++;
    else if (body.includes('<error ')) into.errors++;
    else if (body.includes('<skipped ')) into.skipped++;
  };
  for (const suite of suites) {
    const attrs = /tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/.exec(suite.lines[0]!);
    if (!attrs) return { errors: [`suite ${suite.name}: no test counts`] };
    totals.tests += Number(attrs[1]);
    totals.failures += Number(attrs[2]);
    totals.errors += Number(attrs[3]);
    totals.skipped += Number(attrs[4]);
  }
  const diagnosticTotals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const c of diagnosticCases) countCase(c, diagnosticTotals);
  for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += diagnosticTotals[key];
  // Each count that fails a run is a sum over disjoint shards or a union of their findings: the run failed when a shard did.
  const runFailed = shards.some((s) => s.failed);
  const first = shards[0]!;
  const counts = (c: typeof totals) => `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="0"`;
  const name = /^<testsuites name="([^"]*)"/.exec(inputs[0]!.text.split('\n')[1] ?? '')?.[1] ?? 'oclhub lint';
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${name}" ${counts(totals)}>`, `  <!-- ${first.tool}; fail on ${first.failOn}; ${runFailed ? 'failed' : 'passed'} -->`];
  for (const suite of suites) out.push(...suite.lines);
  if (diagnosticCases.length > 0) {
    out.push(`  <testsuite name="diagnostics" ${counts(diagnosticTotals)}>`);
    for (const c of diagnosticCases) out.push(...c);
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return { format: 'junit', output: out.join('\n') + '\n', exitCode: runFailed ? 1 : 0 };
}
