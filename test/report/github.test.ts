import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, md, renderGithub, renderGithubStepSummary } from '../../src/report/github.js';
import { NASTY_REASON, TEMPLATE_FILE, TEMPLATE_SOURCE, WEB_FILE, cleanReport, lintReport, rangeOf } from './lint-fixture.js';

interface Command {
  level: string;
  properties: Record<string, string>;
  message: string;
}

/** Reads a workflow command the way the runner does: split on the first `::`, then `,` and `=`, then unescape. */
function parseCommand(line: string): Command {
  const match = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) throw new Error(`not a workflow command: ${line}`);
  const unescape = (s: string) => s.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
  }
  return { level: match[1]!, properties, message: unescape(match[3]!) };
}

describe('renderGithub', () => {
  const lines = renderGithub(lintReport()).trimEnd().split('\n');
  const commands = lines.slice(0, -1).map(parseCommand);

  it('writes one annotation per finding, errors first, then one summary line', () => {
    expect(commands.map((c) => c.level)).toEqual(['error', 'error', 'error', 'error', 'warning', 'warning', 'notice', 'notice']);
    expect(lines.at(-1)).toBe(
      'oclhub lint: 3 projects × 3 environments × 1 tenant: 2 blocked, 1 warning, 1 excepted, 1 error; 1 diagnostic error, 1 diagnostic warning — failed (fail on block)',
    );
    expect(renderGithub(cleanReport())).toBe('oclhub lint: 1 project × 2 environments: 0 blocked, 0 warnings, 0 errors — passed (fail on block)\n');
  });

  it('annotates a blocking violation at the step, with an inclusive end column and provenance in the message', () => {
    const blocked = commands.find((c) => c.properties.title?.endsWith('web-app/production'))!;
    const step = rangeOf(TEMPLATE_SOURCE, 'step "deploy-package" {');
    expect(blocked.level).toBe('error');
    expect(blocked.properties).toEqual({
      file: TEMPLATE_FILE,
      line: String(step.start.line),
      col: '1',
      endColumn: String('step "deploy-package" {'.length),
      title: 'Require manual intervention (blocked) — web-app/production',
    });
    expect(blocked.message.split('\n')).toEqual([
      'Production deployments need a manual intervention step before "Deploy package"',
      '',
      'web-app/production: policy Require manual intervention (require_manual_intervention 1.2.0), action block, step deploy-package',
      `${TEMPLATE_FILE}:3:1: step defined in process template deploy_web 2.3.0`,
      `${WEB_FILE}:9:1: process template used here`,
    ]);
  });

  it('escapes %, newlines, : and , so the reason cannot break out of the command', () => {
    const warningLine = lines.find((l) => l.includes('title=No pre-release packages (warning)'))!;
    expect(warningLine).toContain('is 50%25 riskier');
    expect(warningLine).not.toMatch(/\n|\u0007/);
    const warning = parseCommand(warningLine);
    expect(warning.message.startsWith(NASTY_REASON.replace('\u0007', '\\x07') + '\n\n')).toBe(true);
    const diagnostic = commands.find((c) => c.properties.title?.startsWith('OCL011'))!;
    expect(lines.find((l) => l.includes('OCL011'))).toContain('title=OCL011%3A unquoted string value::');
    expect(diagnostic.properties).toMatchObject({ file: '.octopus/search api/deployment_process.ocl', line: '3', col: '17', endColumn: '22' });
    expect(escapeData('100%\r\n::x')).toBe('100%25%0D%0A::x');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });

  it('uses endLine instead of columns for multi-line ranges, and line 1 for a file without a range', () => {
    const report = cleanReport();
    const source = 'step "a" {\n  x = 1\n}\n';
    report.evaluations[0]!.decisions[0] = {
      policy: 'p',
      inScope: true,
      allowed: false,
      action: 'warn',
      outcome: 'violation',
      reason: 'r',
      location: { file: 'f.ocl', range: rangeOf(source, source.trimEnd()) },
    };
    report.diagnostics.push({ severity: 'warning', code: 'X1', summary: 's', file: 'g.ocl' });
    const [diagnostic, decision] = renderGithub(report).trimEnd().split('\n').slice(0, -1).map(parseCommand);
    expect(decision!.properties).toMatchObject({ file: 'f.ocl', line: '1', endLine: '3' });
    expect(decision!.properties.col).toBeUndefined();
    expect(diagnostic!.properties).toMatchObject({ file: 'g.ocl', line: '1' });
  });

  it('leaves out file and line when a finding has none, and can hide exceptions', () => {
    const error = commands.find((c) => c.properties.title?.startsWith('tenant_tags'))!;
    expect(error.properties).toEqual({ title: 'tenant_tags (evaluation error) — search api/production' });
    expect(error.message).toContain('policy evaluation failed: conditions: undefined reference input.Tenant.Tags\\x1b[0m');
    const withoutExcepted = renderGithub(lintReport(), { showExcepted: false });
    expect(withoutExcepted).not.toContain('(excepted)');
    expect(renderGithub(lintReport())).toContain('title=Require a smoke test (excepted) — billing/production/acme::');
  });
});

describe('renderGithubStepSummary', () => {
  const summary = renderGithubStepSummary(lintReport(), { blobUrl: 'https://github.com/acme/hub/blob/4f2a9c1/' });
  const lines = summary.split('\n');

  it('states the verdict and the counts', () => {
    expect(lines[0]).toBe('## oclhub lint: failed');
    expect(lines).toContain('| Blocked | 2 |');
    expect(lines).toContain('| Warnings | 1 |');
    expect(lines).toContain('| Excepted | 1 |');
    expect(lines).toContain('| Not in scope | 12 |');
    expect(renderGithubStepSummary(cleanReport()).split('\n')[0]).toBe('## oclhub lint: passed');
  });

  it('lists findings with linked locations, errors and blocks first', () => {
    const start = lines.indexOf('### Policy findings');
    const rows = lines.slice(start + 4, lines.indexOf('', start + 4));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| ❗ error', '| ⛔ blocked', '| ⛔ blocked', '| ⚠️ warning']);
    expect(rows[1]).toContain('[.octopus/process-templates/deploy\\_web.ocl:3:1](https://github.com/acme/hub/blob/4f2a9c1/.octopus/process-templates/deploy_web.ocl#L3)');
    expect(summary).toContain('| billing | production | acme | Require a smoke test (require\\_smoke\\_test 1.0.0) | team-billing | 2026-12-31 | Smoke tests move to the new runner in Q3 |');
    expect(summary).toContain('(https://github.com/acme/hub/blob/4f2a9c1/.octopus/search%20api/deployment_process.ocl#L3)');
  });

  it('keeps user text inside its table cell', () => {
    expect(md('a|b\nc <script>*x*')).toBe('a\\|b<br>c &lt;script&gt;\\*x\\*');
    const row = lines.find((l) => l.startsWith('| ⚠️ warning'))!;
    expect(row.split(' | ')).toHaveLength(7);
    expect(row).toContain('use &lt;release&gt; &amp; co, not<br>beta\\x07 builds');
  });

  it('caps long tables', () => {
    const capped = renderGithubStepSummary(lintReport(), { maxRows: 1 });
    expect(capped).toContain('… and 3 more.');
  });
});
