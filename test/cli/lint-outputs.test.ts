/**
 * `oclhub lint` for CI jobs: several report files from one run beside the main format, written
 * atomically, and the GitHub job summary appended to $GITHUB_STEP_SUMMARY. On the demo hub (a real Git
 * repository with published, activated policies), the CLI run in-process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { RENDERED, RENDERED_BODY } from '../../src/lint/fast-rerun.js';
import type { GitlabIssue } from '../../src/report/gitlab.js';
import { removeDir, tempDir } from '../git/helpers.js';
import { demoHub } from '../e2e/demo-hub.js';

async function cli(cwd: string, argv: string[], env: Record<string, string> = {}) {
  const io = { ...memoryIo(cwd), env };
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

let hub: string;
let out: string;
beforeAll(async () => {
  hub = await demoHub();
  out = tempDir('oclhub-lint-outputs-');
}, 120_000);
afterAll(() => {
  if (hub) removeDir(hub);
  if (out) removeDir(out);
});

describe('oclhub lint --output-<format>', () => {
  it('writes SARIF, JUnit, JSON and GitLab reports of the same run beside the text output', async () => {
    const files = { sarif: path.join(out, 'reports/oclhub.sarif'), junit: path.join(out, 'reports/junit.xml'), json: path.join(out, 'reports/lint.json'), gitlab: path.join(out, 'gl-code-quality.json') };
    const r = await cli(hub, ['lint', '--no-cache', '--output-sarif', files.sarif, '--output-junit', files.junit, '--output-json', files.json, '--output-gitlab', files.gitlab]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/blocked require_manual_approval_in_production/);
    // Each file is what `--format <format>` prints for the same hub.
    for (const [format, file] of Object.entries(files)) {
      const alone = await cli(hub, ['lint', '--no-cache', '--format', format]);
      expect(alone.code).toBe(1);
      expect(fs.readFileSync(file, 'utf8').trimEnd(), format).toBe(alone.stdout.trimEnd());
    }
    const sarif = JSON.parse(fs.readFileSync(files.sarif, 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    const gitlab = JSON.parse(fs.readFileSync(files.gitlab, 'utf8')) as GitlabIssue[];
    expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toContain('require_manual_approval_in_production');
    expect(gitlab.find((i) => i.check_name === 'require_manual_approval_in_production')).toMatchObject({ severity: 'critical', location: { path: expect.stringMatching(/^projects\/.+\.ocl$/) } });
    expect(fs.readFileSync(files.junit, 'utf8')).toMatch(/^<\?xml/);
    // Written by rename: no temporary file is left next to the reports.
    expect(fs.readdirSync(path.join(out, 'reports')).sort()).toEqual(['junit.xml', 'lint.json', 'oclhub.sarif']);
  });

  it('--format gitlab prints the Code Quality report', async () => {
    const r = await cli(hub, ['lint', '--no-cache', '--format', 'gitlab']);
    expect(r.code).toBe(1);
    const issues = JSON.parse(r.stdout) as GitlabIssue[];
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(Object.keys(issue)).toEqual(expect.arrayContaining(['description', 'check_name', 'fingerprint', 'severity', 'location']));
  });

  it('refuses a file named by two report options, and reports a file it cannot write (exit 2), leaving what was there', async () => {
    const same = path.join(out, 'same.json');
    const twice = await cli(hub, ['lint', '--no-cache', '--output-json', same, '--output-gitlab', same]);
    expect(twice).toMatchObject({ code: 2, stdout: '' });
    expect(twice.stderr).toContain('is named by two report options');
    expect(fs.existsSync(same)).toBe(false);
    // A folder where the report should go: the rename fails, the folder and its content stay.
    const blocked = path.join(out, 'blocked.sarif');
    fs.mkdirSync(blocked);
    fs.writeFileSync(path.join(blocked, 'keep'), 'kept');
    const r = await cli(hub, ['lint', '--no-cache', '--output-sarif', blocked]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/oclhub lint: cannot write .*blocked\.sarif: /);
    expect(fs.readFileSync(path.join(blocked, 'keep'), 'utf8')).toBe('kept');
    expect(fs.readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('every format from the lint cache', () => {
  it('writes, from the pieces the cache stores (read back from its files), what a run without the cache writes', async () => {
    const cache = path.join(out, 'formats-cache');
    const dir = path.join(out, 'formats');
    for (const format of ['text', 'sarif', 'junit', 'github', 'gitlab', 'json']) {
      const uncached = await cli(hub, ['lint', '--no-cache', '--format', format]);
      expect(uncached.code, uncached.stderr).toBe(1);
      // Cold (the pieces this run stores), then the rendered report's cache dropped: every project from the cache.
      for (const round of ['cold', 'from the cache']) {
        const file = path.join(dir, `${format}-${round}.out`);
        const r = await cli(hub, ['lint', '--format', format, '--output', file], { OCLHUB_CACHE_DIR: cache });
        expect(r.code, `${format} ${round}: ${r.stderr}`).toBe(1);
        expect(fs.readFileSync(file, 'utf8').trimEnd(), `${format} ${round}`).toBe(uncached.stdout.trimEnd());
        for (const name of [RENDERED, RENDERED_BODY]) fs.rmSync(path.join(cache, 'lint', name), { force: true });
      }
    }
    // The extra report files of a text run, from the cache.
    const files = { sarif: path.join(dir, 'side.sarif'), junit: path.join(dir, 'side.xml'), json: path.join(dir, 'side.json'), gitlab: path.join(dir, 'side.gitlab.json') };
    const r = await cli(hub, ['lint', '--output-sarif', files.sarif, '--output-junit', files.junit, '--output-json', files.json, '--output-gitlab', files.gitlab], { OCLHUB_CACHE_DIR: cache });
    expect(r.code, r.stderr).toBe(1);
    for (const [format, file] of Object.entries(files)) expect(fs.readFileSync(file, 'utf8').trimEnd(), format).toBe((await cli(hub, ['lint', '--no-cache', '--format', format])).stdout.trimEnd());
  });
});

describe('oclhub lint --format sarif', () => {
  it('writes the log to stdout or --output as it is produced, and stores it for the next run to print', async () => {
    const uncached = await cli(hub, ['lint', '--no-cache', '--format', 'sarif']);
    expect(uncached.code, uncached.stderr).toBe(1);
    expect((JSON.parse(uncached.stdout) as { runs: { results: unknown[] }[] }).runs[0]!.results.length).toBeGreaterThan(0);
    for (const output of ['stdout', '--output'] as const) {
      const cache = path.join(out, `sarif-cache-${output}`);
      const file = path.join(out, `sarif-${output}/oclhub.sarif`);
      const first = await cli(hub, ['lint', '--format', 'sarif', ...(output === '--output' ? ['--output', file] : [])], { OCLHUB_CACHE_DIR: cache });
      expect(first.code, first.stderr).toBe(1);
      expect(output === '--output' ? fs.readFileSync(file, 'utf8') : first.stdout, output).toBe(uncached.stdout);
      // The stored copy is the log, byte for byte, and the next run prints it.
      expect(fs.readFileSync(path.join(cache, 'lint', RENDERED_BODY), 'utf8'), output).toBe(uncached.stdout);
      const again = await cli(hub, ['lint', '--format', 'sarif'], { OCLHUB_CACHE_DIR: cache });
      expect(again).toEqual({ code: 1, stdout: uncached.stdout, stderr: '' });
    }
  });
});

describe('oclhub lint --format github', () => {
  it('appends the Markdown job summary to $GITHUB_STEP_SUMMARY, keeping what earlier steps wrote', async () => {
    const summary = path.join(out, 'step-summary.md');
    fs.writeFileSync(summary, '# Earlier step\n');
    const r = await cli(hub, ['lint', '--no-cache', '--format', 'github'], { GITHUB_STEP_SUMMARY: summary });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=projects\/.+,line=\d+/m);
    const first = fs.readFileSync(summary, 'utf8');
    expect(first.startsWith('# Earlier step\n')).toBe(true);
    expect(first).toContain('require\\_manual\\_approval\\_in\\_production');
    expect(first).toMatch(/\n\|.*\|/);
    await cli(hub, ['lint', '--no-cache', '--format', 'github'], { GITHUB_STEP_SUMMARY: summary });
    expect(fs.readFileSync(summary, 'utf8')).toBe(first + first.slice('# Earlier step\n'.length));
  });

  it('writes no summary file for the other formats, or when the variable is unset', async () => {
    const summary = path.join(out, 'unused-summary.md');
    await cli(hub, ['lint', '--no-cache', '--format', 'text'], { GITHUB_STEP_SUMMARY: summary });
    expect(fs.existsSync(summary)).toBe(false);
    const r = await cli(hub, ['lint', '--no-cache', '--format', 'github']);
    expect(r.code).toBe(1);
  });
});
