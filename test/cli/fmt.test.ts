import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, tempTree } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/ocl');
const hasCorpus = existsSync(path.join(corpus, 'BYTE_STABLE.txt'));
if (!hasCorpus) console.warn(`fmt corpus tests skipped: ${corpus} is absent`);

// Hand-written layout: 2-space indent, no blank line before the block, unsorted map keys.
const MESSY = [
  'step "a" {',
  '  name = "A"',
  '  properties = {',
  '    b = "2"',
  '    A = "1"',
  '  }',
  '  action {',
  '    script = "echo 1\\necho 2"',
  '  }',
  '}',
  '',
].join('\n');

const FORMATTED = [
  'step "a" {',
  '    name = "A"',
  '    properties = {',
  '        A = "1"',
  '        b = "2"',
  '    }',
  '',
  '    action {',
  '        script = <<-EOT',
  '                echo 1',
  '                echo 2',
  '                EOT',
  '    }',
  '}',
  '',
].join('\n');

describe('oclhub fmt', () => {
  it('rewrites files whose layout differs, lists them, and leaves formatted files untouched', async () => {
    const root = await tempTree({ 'messy.ocl': MESSY, 'clean.ocl': FORMATTED });
    const before = await stat(path.join(root, 'clean.ocl'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const result = await run(root, 'fmt', '.');
    expect(result).toEqual({ code: 0, stdout: 'messy.ocl\n', stderr: '' });
    expect(await readFile(path.join(root, 'messy.ocl'), 'utf8')).toBe(FORMATTED);
    expect((await stat(path.join(root, 'clean.ocl'))).mtimeMs).toBe(before.mtimeMs);
    expect(await run(root, 'fmt', '--check', '.')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('--check lists the files that would change, exits 1 and writes nothing', async () => {
    const root = await tempTree({ 'messy.ocl': MESSY, 'clean.ocl': FORMATTED });
    const result = await run(root, 'fmt', '--check', 'messy.ocl', 'clean.ocl');
    expect(result).toEqual({ code: 1, stdout: 'messy.ocl\n', stderr: '' });
    expect(await readFile(path.join(root, 'messy.ocl'), 'utf8')).toBe(MESSY);
  });

  it('--stdout prints the formatted text and writes nothing', async () => {
    const root = await tempTree({ 'messy.ocl': MESSY });
    const result = await run(root, 'fmt', '--stdout', 'messy.ocl');
    expect(result).toEqual({ code: 0, stdout: FORMATTED, stderr: '' });
    expect(await readFile(path.join(root, 'messy.ocl'), 'utf8')).toBe(MESSY);
  });

  it('never rewrites a file with syntax errors: reports it and exits 1, formatting the others', async () => {
    const broken = 'step "a" {\n  name = A\n}\n';
    const root = await tempTree({ 'broken.ocl': broken, 'messy.ocl': MESSY });
    const result = await run(root, 'fmt', '.');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('messy.ocl\n');
    expect(result.stderr).toMatch(/^broken\.ocl:2:10: error OCL\d{3}: /);
    expect(result.stderr).toContain('  2 |   name = A\n    |          ^');
    expect(await readFile(path.join(root, 'broken.ocl'), 'utf8')).toBe(broken);
  });

  it('keeps CRLF line endings and the absence of a final newline', async () => {
    const root = await tempTree({ 'crlf.ocl': 'a = 1\r\nb {\r\n  c = "x\\ny"\r\n}' });
    await run(root, 'fmt', 'crlf.ocl');
    expect(await readFile(path.join(root, 'crlf.ocl'), 'utf8')).toBe('a = 1\r\n\r\nb {\r\n    c = <<-EOT\r\n            x\n            y\r\n            EOT\r\n}');
  });

  it('keeps heredoc values in legacy folders (schema_version < 6) and migrates their layout', async () => {
    // The old writer put the end tag 4 spaces shallower; read with the legacy rule the value is
    // "a\n  b". After fmt, both the legacy and the current rule read that same value.
    const old = 'step "s" {\n    action {\n        script = <<-EOT\n                a\n                  b\n            EOT\n    }\n}';
    const root = await tempTree({ 'p/schema_version.ocl': 'version = 5', 'p/process.ocl': old });
    expect((await run(root, 'fmt', 'p')).code).toBe(0);
    const formatted = await readFile(path.join(root, 'p/process.ocl'), 'utf8');
    expect(formatted).toBe('step "s" {\n    action {\n        script = <<-EOT\n                a\n                  b\n                EOT\n    }\n}');
  });

  it('exits 2 on usage errors', async () => {
    const root = await tempTree({ 'a.ocl': FORMATTED });
    expect((await run(root, 'fmt', 'nope.ocl')).code).toBe(2);
  });
});

describe.skipIf(!hasCorpus)('oclhub fmt on the corpus (acceptance)', () => {
  it('--check reports no change for every byte-stable file', async () => {
    const files = readFileSync(path.join(corpus, 'BYTE_STABLE.txt'), 'utf8')
      .split(/\r?\n/)
      .filter(Boolean)
      .map((f) => path.join(corpus, 'valid', f));
    expect(files.length).toBeGreaterThan(40);
    expect(await run(repoRoot, 'fmt', '--check', ...files)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('is idempotent on every valid file (formatted in a temporary copy)', async () => {
    const root = await tempTree({});
    const valid = readdirSync(path.join(corpus, 'valid'));
    for (const file of valid) await copyFile(path.join(corpus, 'valid', file), path.join(root, file));
    const first = await run(root, 'fmt', '.');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean).length).toBeLessThan(valid.length - 40);
    expect(await run(root, 'fmt', '--check', '.')).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
