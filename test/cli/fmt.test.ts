import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliProcess, finished, run, tempTree } from './helpers.js';

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

  it('leaves a project file with old-writer heredocs and no schema_version.ocl alone, and says why (SCH108)', async () => {
    // Which unindent rule applies depends on the project's schema version, which nothing here gives.
    const old = 'step "s" {\n    action {\n        properties = {\n            Octopus.Action.Script.ScriptBody = <<-EOT\n                a\n                  b\n            EOT\n        }\n    }\n}\n';
    const root = await tempTree({ '.octopus/deployment_process.ocl': old, 'other.ocl': MESSY });
    const result = await run(root, 'fmt', '.');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('other.ocl\n');
    expect(result.stderr).toMatch(/SCH108/);
    expect(result.stderr).toMatch(/deployment_process\.ocl:4/);
    expect(await readFile(path.join(root, '.octopus/deployment_process.ocl'), 'utf8')).toBe(old);
    expect((await run(root, 'fmt', '--check', '.octopus')).code).toBe(0);
    // With the schema version known, the same file is formatted.
    await writeFile(path.join(root, '.octopus/schema_version.ocl'), 'version = 5\n');
    expect(await run(root, 'fmt', '.octopus')).toMatchObject({ code: 0, stdout: '.octopus/deployment_process.ocl\n', stderr: '' });
  });

  it('exits 2 on usage errors', async () => {
    const root = await tempTree({ 'a.ocl': FORMATTED });
    expect((await run(root, 'fmt', 'nope.ocl')).code).toBe(2);
  });
});

/** A large hand-written process: about 2.5 MB, formatted output larger still. */
function largeMessyProcess(steps = 7000): string {
  let text = '';
  for (let i = 0; i < steps; i++) text += `step "s${i}" {\n  name = "Step ${i}"\n  action {\n    action_type = "Octopus.Script"\n    properties = {\n      b = "2"\n      A = "${'x'.repeat(200)}"\n    }\n  }\n}\n\n`;
  return text;
}

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe('oclhub fmt never loses a file', () => {
  it('killed with SIGKILL while writing a large file, it leaves the original intact (or the complete result)', async () => {
    const messy = largeMessyProcess();
    const root = await tempTree({ 'big.ocl': messy });
    const file = path.join(root, 'big.ocl');
    const formatted = (await run(root, 'fmt', '--stdout', 'big.ocl')).stdout;
    for (let round = 0; round < 2; round++) {
      writeFileSync(file, messy);
      const child = cliProcess(['fmt', 'big.ocl'], { cwd: root });
      const exited = finished(child);
      // Kill at the first sign of writing: a temporary file appears, or the file itself changes.
      const watcher = watch(root, () => child.kill('SIGKILL'));
      const poll = setInterval(() => {
        if (statSync(file).size !== messy.length) child.kill('SIGKILL');
      }, 0);
      const { code, stderr } = await exited;
      watcher.close();
      clearInterval(poll);
      // Killed (no exit code), or finished cleanly: never a crash before it began.
      expect(code === null || code === 0, stderr).toBe(true);
      const after = readFileSync(file, 'utf8');
      expect(after === messy || after === formatted, `round ${round}: ${after.length} bytes of ${messy.length} / ${formatted.length}`).toBe(true);
      // A leftover temporary file is never taken for an OCL file by the next run.
      for (const name of readdirSync(root)) if (name !== 'big.ocl') expect(name.endsWith('.ocl')).toBe(false);
    }
    expect((await run(root, 'fmt', '.')).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(formatted);
  }, 120_000);

  it('keeps the file mode when it rewrites', async () => {
    const root = await tempTree({ 'messy.ocl': MESSY });
    chmodSync(path.join(root, 'messy.ocl'), 0o640);
    expect((await run(root, 'fmt', 'messy.ocl')).code).toBe(0);
    expect(statSync(path.join(root, 'messy.ocl')).mode & 0o777).toBe(0o640);
  });

  it.skipIf(!isRoot)('on a full disk: one clear line, exit 2, the original untouched and no temporary file left', async () => {
    const mount = path.join(tmpdir(), `oclhub-full-${process.pid}`);
    mkdirSync(mount, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
    try {
      const messy = largeMessyProcess(2000); // ~700 KB: the original and its rewrite do not both fit
      writeFileSync(path.join(mount, 'big.ocl'), messy);
      const result = await run(mount, 'fmt', 'big.ocl');
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('oclhub fmt: cannot write big.ocl: no space left on device (ENOSPC); the file is unchanged\n');
      expect(readFileSync(path.join(mount, 'big.ocl'), 'utf8')).toBe(messy);
      expect(readdirSync(mount)).toEqual(['big.ocl']);
    } finally {
      execFileSync('umount', [mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  }, 60_000);
  if (!isRoot) console.warn('fmt full-disk test skipped: mounting a small tmpfs needs root');

  it('refuses a file that is not UTF-8 with a positioned diagnostic and never rewrites it', async () => {
    const root = await tempTree({});
    const latin1 = Buffer.concat([Buffer.from('step "a" {\n  name = "caf'), Buffer.from([0xe9]), Buffer.from('"\n}\n')]);
    writeFileSync(path.join(root, 'latin.ocl'), latin1);
    const result = await run(root, 'fmt', 'latin.ocl');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^latin\.ocl:2:14: error OCL031: The file is not valid UTF-8 \(byte 0xe9 at byte offset 24\)/);
    expect(readFileSync(path.join(root, 'latin.ocl'))).toEqual(latin1);
    expect((await run(root, 'fmt', '--check', 'latin.ocl')).code).toBe(1);
  });

  it('skips a FIFO named *.ocl with a warning instead of blocking on it', async () => {
    const root = await tempTree({ 'messy.ocl': MESSY });
    execFileSync('mkfifo', [path.join(root, 'pipe.ocl')]);
    const result = await run(root, 'fmt', '.');
    expect(result).toEqual({ code: 0, stdout: 'messy.ocl\n', stderr: 'oclhub fmt: warning: pipe.ocl: skipped: not a regular file (a FIFO)\n' });
    const named = await run(root, 'fmt', 'pipe.ocl');
    expect(named.stderr).toBe('oclhub fmt: warning: pipe.ocl: skipped: not a regular file (a FIFO)\n');
  });

  it('reports a dangling symbolic link as one line and exits 2', async () => {
    const root = await tempTree({ 'messy.ocl': MESSY });
    symlinkSync(path.join(root, 'gone.ocl'), path.join(root, 'link.ocl'));
    const result = await run(root, 'fmt', '.');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('oclhub fmt: link.ocl: is a symbolic link to nothing (dangling link)\n');
    expect(readFileSync(path.join(root, 'messy.ocl'), 'utf8')).toBe(FORMATTED);
  });

  it('reports unreadable folders and files as errors (exit 2), never skipping them silently', async () => {
    const root = await tempTree({ 'messy.ocl': MESSY, 'secret/inner.ocl': MESSY, 'locked.ocl': MESSY });
    chmodSync(root, 0o755);
    chmodSync(path.join(root, 'secret'), 0o000);
    chmodSync(path.join(root, 'locked.ocl'), 0o000);
    chmodSync(path.join(root, 'messy.ocl'), 0o666);
    // Root reads everything: check as an ordinary user then.
    const result = isRoot ? await finished(cliProcess(['fmt', '.'], { cwd: root, uid: NOBODY })) : await run(root, 'fmt', '.');
    chmodSync(path.join(root, 'secret'), 0o755);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('oclhub fmt: secret: cannot read folder: permission denied (EACCES)\n');
    expect(result.stderr).toContain('oclhub fmt: cannot read locked.ocl: permission denied (EACCES)\n');
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 60_000);
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
