import { describe, expect, it } from 'vitest';
import { run, tempTree } from './helpers.js';

const PROCESS = [
  'step "deploy" {',
  '    name = "Deploy"',
  '    properties = {',
  '        Octopus.Action.TargetRoles = "web"',
  '    }',
  '',
  '    action {',
  '        is_required = true',
  '        retries = 3',
  '        ratio = 1.50',
  '        script = <<-EOT',
  '                echo "hi"',
  '                ',
  '                exit 0',
  '                EOT',
  '    }',
  '}',
].join('\n');

describe('oclhub convert', () => {
  it('prints an OCL file as the documented JSON form', async () => {
    const root = await tempTree({ 'p.ocl': PROCESS });
    const result = await run(root, 'convert', '--to', 'json', 'p.ocl');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ ocl: 1, lineEnding: '\n', finalNewline: false });
    expect(json.body[0]).toMatchObject({ block: 'step', labels: ['deploy'] });
    expect(json.body[0].body[2].body).toEqual([
      { attribute: 'is_required', value: true },
      { attribute: 'retries', value: 3 },
      { attribute: 'ratio', value: { decimal: '1.50' } },
      { attribute: 'script', value: { heredoc: 'echo "hi"\n\nexit 0', tag: 'EOT', indented: true } },
    ]);
  });

  it('round-trips OCL -> JSON -> OCL to the formatted file (the target format defaults from the extension)', async () => {
    const root = await tempTree({ 'p.ocl': PROCESS });
    const json = await run(root, 'convert', 'p.ocl');
    const withJson = await tempTree({ 'p.json': json.stdout });
    const back = await run(withJson, 'convert', 'p.json');
    expect(back).toEqual({ code: 0, stdout: PROCESS, stderr: '' });
  });

  it('reports invalid JSON with a position and exits 1', async () => {
    const root = await tempTree({ 'bad.json': '{\n  "ocl": 1,\n  "body": [,]\n}' });
    const result = await run(root, 'convert', '--to', 'ocl', 'bad.json');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^bad\.json:3:12: error OCL211: invalid JSON/);
    expect(result.stderr).toContain('  3 |   "body": [,]\n    |            ^');
  });

  it('reports JSON that OCL cannot express with its JSON path and exits 1', async () => {
    const doc = { ocl: 1, body: [{ block: 'my-step', body: [] }, { attribute: 'n', value: 1e10 }] };
    const root = await tempTree({ 'doc.json': JSON.stringify(doc) });
    const result = await run(root, 'convert', 'doc.json');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('doc.json: error OCL204: $.body[0].block: "my-step" is not a valid OCL name');
    expect(result.stderr).toContain('doc.json: error OCL205: $.body[1].value: ');
  });

  it('reports OCL syntax errors and exits 1', async () => {
    const root = await tempTree({ 'p.ocl': 'a = [1, 1.5]' });
    const result = await run(root, 'convert', 'p.ocl');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^p\.ocl:1:\d+: error OCL\d{3}: /);
  });

  it('reads heredocs in folders with schema_version < 6 by the legacy rule', async () => {
    const heredoc = 'description = <<-EOT\n        text\n    EOT';
    const root = await tempTree({
      'old/schema_version.ocl': 'version = 5',
      'old/p.ocl': heredoc,
      'old/runbooks/r.ocl': heredoc,
      'new/schema_version.ocl': 'version = 6',
      'new/p.ocl': heredoc,
      'none/p.ocl': heredoc,
    });
    const valueOf = async (file: string) => JSON.parse((await run(root, 'convert', file)).stdout).body[0].value.heredoc;
    expect(await valueOf('old/p.ocl')).toBe('text');
    expect(await valueOf('old/runbooks/r.ocl')).toBe('text');
    expect(await valueOf('new/p.ocl')).toBe('    text');
    expect(await valueOf('none/p.ocl')).toBe('    text');
  });

  it('exits 2 on usage errors', async () => {
    const root = await tempTree({ 'p.ocl': PROCESS });
    expect((await run(root, 'convert')).code).toBe(2);
    expect((await run(root, 'convert', 'missing.ocl')).code).toBe(2);
    expect((await run(root, 'convert', '--to', 'yaml', 'p.ocl')).code).toBe(2);
  });
  it('warns that heredocs of an old-writer project file without schema_version.ocl are read with today\'s rule (SCH108)', async () => {
    const old = 'step "s" {\n    action {\n        properties = {\n            Octopus.Action.Script.ScriptBody = <<-EOT\n                a\n            EOT\n        }\n    }\n}\n';
    const root = await tempTree({ '.octopus/deployment_process.ocl': old });
    const result = await run(root, 'convert', '.octopus/deployment_process.ocl');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/SCH108/);
    expect(JSON.parse(result.stdout)).toBeTypeOf('object');
  });
});
