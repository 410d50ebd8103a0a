import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateHub } from '../../src/model/validate.js';
import { run, tempTree } from './helpers.js';

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe('oclhub init', () => {
  it('scaffolds a hub whose starter policy tests pass and whose files validate', async () => {
    const root = await tempTree({});
    const r = await run(root, 'init', 'hub');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created hub/oclhub.ocl\n');
    expect(r.stdout).toContain('created hub/.octopus/policies/process_template_required.ocl\n');
    const hub = path.join(root, 'hub');
    const files = filesUnder(hub);
    expect(files.filter((f) => f.startsWith('.octopus/policies/'))).toHaveLength(6);
    expect(files.filter((f) => f.startsWith('policy-tests/')).length).toBeGreaterThanOrEqual(12);

    const texts = new Map(files.filter((f) => f.endsWith('.ocl')).map((f) => [f, readFileSync(path.join(hub, f), 'utf8')]));
    const validation = await validateHub({ files: texts });
    expect(validation.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(validation.config?.environments.map((e) => e.slug)).toEqual(['development', 'staging', 'production']);

    const tests = await run(root, 'test', '--hub', 'hub');
    expect(tests.code).toBe(0);
    expect(tests.stdout).toMatch(/(\d+) tests, \1 passed, 0 failed \(6 policies\)/);
  });

  it('refuses an existing hub and keeps existing files', async () => {
    const hub = await tempTree({ 'oclhub.ocl': 'base_path = ".octopus"\n' });
    const r = await run(hub, 'init');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already a hub');

    const partial = await tempTree({ '.octopus/policies/process_template_required.ocl': 'mine' });
    const again = await run(partial, 'init');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('kept    .octopus/policies/process_template_required.ocl (exists)');
    expect(readFileSync(path.join(partial, '.octopus/policies/process_template_required.ocl'), 'utf8')).toBe('mine');
  });
});
