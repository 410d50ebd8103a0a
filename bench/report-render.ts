/**
 * Lint renderer benchmark: a synthetic lint report (projects × 4 environments × 20 policies, every
 * tenth decision a violation with template provenance, every fiftieth excepted, plus one diagnostic
 * per project) rendered in every format, against `JSON.stringify` of the same report as the
 * baseline measured in the same run.   Run: npx tsx bench/report-render.ts [projects=250] [rounds=7]
 * Figures are medians of wall time; the ratio column is time / baseline.
 */
import { performance } from 'node:perf_hooks';
import { LineIndex, type Diagnostic } from '../src/diagnostics.js';
import { renderGithub, renderGithubStepSummary } from '../src/report/github.js';
import { renderJunit } from '../src/report/junit.js';
import { renderLintJson } from '../src/report/lint-json.js';
import type { Evaluation, LintReport, PolicyDecision } from '../src/report/lint-report.js';
import { renderLintText } from '../src/report/lint-text.js';
import { renderSarif } from '../src/report/sarif.js';

const PROJECTS = Number(process.argv[2] ?? 250);
const ROUNDS = Number(process.argv[3] ?? 7);
const ENVIRONMENTS = ['development', 'test', 'staging', 'production'];
const POLICIES = Array.from({ length: 20 }, (_, i) => `policy_${i}`);

function buildReport(): LintReport {
  const template = Array.from({ length: 40 }, (_, i) => `step "step-${i}" {\n    name = "Step ${i}"\n}\n`).join('\n');
  const templateIndex = new LineIndex(template);
  const sources = new Map<string, string>([['.octopus/process-templates/deploy.ocl', template]]);
  const evaluations: Evaluation[] = [];
  const diagnostics: Diagnostic[] = [];
  let n = 0;
  for (let p = 0; p < PROJECTS; p++) {
    const project = `project-${p}`;
    const file = `.octopus/${project}/deployment_process.ocl`;
    const usage = `process_template "deploy" {\n    process_template_slug = "deploy"\n    version_mask = "2.X"\n}\n`;
    sources.set(file, usage);
    const usageRange = new LineIndex(usage).range(0, 26);
    diagnostics.push({ severity: 'warning', code: 'TPL204', summary: `version mask of ${project} is behind`, file, range: usageRange });
    for (const environment of ENVIRONMENTS) {
      const decisions: PolicyDecision[] = POLICIES.map((policy, i) => {
        n++;
        const base = { policy, policyName: `Policy ${i}`, version: '1.0.0', inScope: true, allowed: true, action: i % 3 ? 'block' : 'warn' } as const;
        if (n % 10 !== 0) return { ...base, outcome: n % 4 ? 'pass' : 'skipped' };
        const offset = template.indexOf(`step "step-${n % 40}"`);
        const range = templateIndex.range(offset, offset + 15);
        return {
          ...base,
          allowed: false,
          outcome: n % 50 === 0 ? 'excepted' : 'violation',
          reason: `Step ${n % 40} violates ${policy} in ${environment}`,
          ...(n % 50 === 0 ? { exception: { owner: 'team', reason: 'migration', expires: '2027-01-01' } } : {}),
          location: {
            file: '.octopus/process-templates/deploy.ocl',
            range,
            step: `step-${n % 40}`,
            related: [{ file, range: usageRange, message: 'process template used here' }],
          },
        };
      });
      evaluations.push({ project, environment, decisions });
    }
  }
  return { tool: { name: 'oclhub', version: '0.1.0' }, hubRef: 'main', evaluations, diagnostics, sources, failOn: 'block' };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(render: () => string): { ms: number; bytes: number } {
  let bytes = 0;
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    bytes = render().length;
    times.push(performance.now() - start);
  }
  return { ms: median(times), bytes };
}

const report = buildReport();
const decisions = report.evaluations.reduce((sum, e) => sum + e.decisions.length, 0);
console.log(`report: ${PROJECTS} projects × ${ENVIRONMENTS.length} environments × ${POLICIES.length} policies = ${decisions} decisions, ${report.diagnostics.length} diagnostics; median of ${ROUNDS}`);
const baseline = measure(() => JSON.stringify({ ...report, sources: undefined }));
const rows: Array<[string, { ms: number; bytes: number }]> = [
  ['JSON.stringify (baseline)', baseline],
  ['text', measure(() => renderLintText(report))],
  ['text --verbose', measure(() => renderLintText(report, { verbose: true }))],
  ['json', measure(() => renderLintJson(report))],
  ['sarif', measure(() => renderSarif(report))],
  ['junit', measure(() => renderJunit(report))],
  ['github', measure(() => renderGithub(report))],
  ['github step summary', measure(() => renderGithubStepSummary(report))],
];
for (const [name, { ms, bytes }] of rows) {
  console.log(`${name.padEnd(26)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / baseline.ms).toFixed(1).padStart(6)}×  ${(bytes / 1024).toFixed(0).padStart(7)} KiB  ${((decisions / ms) * 1000).toFixed(0).padStart(9)} decisions/s`);
}
