import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { run, tempTree } from './helpers.js';

const VALID_PROCESS = 'step "deploy" {\n    name = "Deploy"\n\n    action {\n        action_type = "Octopus.Script"\n    }\n}';
const BROKEN_PROCESS = 'step "deploy" {\n    name = Deploy\n}\n';

describe('oclhub validate', () => {
  it('checks directories recursively for *.ocl, skipping node_modules and .git, and exits 0 when clean', async () => {
    const root = await tempTree({
      '.octopus/deployment_process.ocl': VALID_PROCESS,
      '.octopus/runbooks/restart.ocl': 'name = "Restart"',
      '.octopus/notes.txt': 'not ocl = ',
      'node_modules/pkg/broken.ocl': BROKEN_PROCESS,
      '.git/broken.ocl': BROKEN_PROCESS,
    });
    const result = await run(root, 'validate', '--format', 'json', '.');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { files: { file: string }[] };
    expect(report.files.map((f) => f.file)).toEqual(['.octopus/deployment_process.ocl', '.octopus/runbooks/restart.ocl']);

    const text = await run(root, 'validate', '.octopus');
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('2 files checked, no problems\n');
  });

  it('reports syntax errors with file:line:column, code, a code frame and a summary line, exiting 1', async () => {
    const root = await tempTree({ 'a.ocl': BROKEN_PROCESS, 'b.ocl': VALID_PROCESS });
    const result = await run(root, 'validate', 'a.ocl', 'b.ocl');
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^a\.ocl:2:12: error OCL\d{3}: /);
    expect(lines[1]).toBe('  2 |     name = Deploy');
    expect(lines[2]).toBe('    |            ^^^^^^');
    expect(lines.at(-2)).toBe('1 error, 0 warnings in 2 files');
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('prints exactly the documented JSON shape', async () => {
    const root = await tempTree({ 'a/.octopus/deployment_process.ocl': BROKEN_PROCESS, 'b/.octopus/deployment_process.ocl': VALID_PROCESS });
    const result = await run(root, 'validate', '--format', 'json', 'a', 'b');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['files', 'summary', 'suppressed']);
    expect(report.summary).toEqual({ files: 2, errors: 1, warnings: 0, infos: 0, suppressed: 0 });
    expect(report.suppressed).toEqual([]);
    const files = report.files as { file: string; diagnostics: Record<string, unknown>[] }[];
    expect(files.map((f) => Object.keys(f))).toEqual([
      ['file', 'diagnostics'],
      ['file', 'diagnostics'],
    ]);
    expect(files[1]!.diagnostics).toEqual([]);
    expect(files[0]!.diagnostics[0]).toMatchObject({
      severity: 'error',
      file: 'a/.octopus/deployment_process.ocl',
      range: { start: { line: 2, column: 12 }, end: { line: 2, column: 18 } },
    });
    expect(files[0]!.diagnostics[0]!.code).toMatch(/^OCL\d{3}$/);
  });

  it('exits 2 on usage errors', async () => {
    const root = await tempTree({ 'a.ocl': VALID_PROCESS });
    expect((await run(root, 'validate')).code).toBe(2);
    const missing = await run(root, 'validate', 'a.ocl', 'missing.ocl');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing.ocl');
    expect((await run(root, 'validate', '--format', 'xml', 'a.ocl')).code).toBe(2);
  });
});

describe('oclhub validate colours', () => {
  it('colours the report only when the IO says so (a TTY)', async () => {
    const root = await tempTree({ 'a.ocl': 'step "deploy" {\n    name = Deploy\n}\n' });
    const tty = { ...memoryIo(root), isTTY: true, colors: pc.createColors(true) };
    const out: string[] = [];
    tty.stdout = (t: string) => void out.push(t);
    expect(await main(['validate', 'a.ocl'], tty)).toBe(1);
    const coloured = out.join('');
    expect(coloured).toMatch(/\u001b\[31m/);
    const plain = await run(root, 'validate', 'a.ocl');
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain.stdout);
  });
});
