/**
 * How the CLI fails when the machine, not the input, is the problem: a missing or plain hub folder, a
 * corrupt repository, an unknown ref, file-system errors and a closed output pipe each end as one
 * clear line and exit 2 (or, for the pipe, quietly) — never "internal error" with a stack trace, and
 * never "no problems" over content that could not be read.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoHub, git } from '../e2e/demo-hub.js';
import { removeDir } from '../git/helpers.js';
import { cliProcess, finished, run, tempTree } from './helpers.js';

const isRoot = process.getuid?.() === 0;

/** The CLI in a child process; as `nobody` when the test runs as root (root reads everything). */
function cli(args: string[], cwd: string, options: { asNobody?: boolean } = {}) {
  return cliProcess(args, { cwd, ...(options.asNobody && isRoot ? { uid: 65534 } : {}) });
}

const NO_STACK = /internal error|\n\s+at \S/;

describe('oclhub validate --hub on something that is not a hub', () => {
  it('a folder that does not exist: exit 2, not "no problems"', async () => {
    const root = await tempTree({});
    const result = await run(root, 'validate', '--hub', path.join(root, 'does/not/exist'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no such folder');
    expect(result.stdout).toBe('');
  });

  it('a folder that is not a Git repository: exit 2', async () => {
    const root = await tempTree({ 'oclhub.ocl': 'base_path = ".octopus"\n' });
    const result = await run(root, 'validate', '--hub', root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a Git repository');
  });
});

describe('a corrupt hub repository', () => {
  it('fails validate and lint with the object id and path (exit 2), printing no result computed without it', async () => {
    const dir = await demoHub();
    try {
      const blob = git(dir, ['rev-parse', 'HEAD:.octopus/policies/no_disabled_steps.ocl']).trim();
      const file = path.join(dir, '.git/objects', blob.slice(0, 2), blob.slice(2));
      const bytes = readFileSync(file);
      chmodSync(file, 0o644);
      writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const validate = await run(dir, 'validate', '--hub', dir, '--ref', 'HEAD');
      expect(validate.code).toBe(2);
      expect(validate.stdout).toBe('');
      expect(validate.stderr).toBe(
        `oclhub validate: the repository is corrupt: object ${blob} (.octopus/policies/no_disabled_steps.ocl at ${git(dir, ['rev-parse', 'HEAD']).trim().slice(0, 12)}) cannot be read: the object file is truncated or damaged (it does not decompress). Run \`git fsck --full\` and restore the object from a clone or backup.\n`,
      );

      const config = git(dir, ['rev-parse', 'HEAD:oclhub.ocl']).trim();
      const configFile = path.join(dir, '.git/objects', config.slice(0, 2), config.slice(2));
      chmodSync(configFile, 0o644);
      writeFileSync(configFile, '');
      const lint = await run(dir, 'lint', '--hub', dir, '--ref', 'HEAD');
      expect(lint.code).toBe(2);
      expect(lint.stderr).toContain(`object ${config} (oclhub.ocl`);
      expect(lint.stderr).toContain('the object file is empty');
      expect(lint.stderr).not.toContain('has no oclhub.ocl');
      expect(lint.stderr).not.toMatch(/please report/i);
    } finally {
      removeDir(dir);
    }
  }, 120_000);
});

describe('refs', () => {
  it('an unknown ref is said as such, with did-you-mean (exit 2); git revisions work', async () => {
    const dir = await demoHub();
    try {
      const unknown = await run(dir, 'lint', '--hub', dir, '--ref', 'mian');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('Unknown ref "mian": no branch, tag or commit has that name. Did you mean "main"?');
      expect(unknown.stderr).not.toContain('oclhub.ocl');
      expect((await run(dir, 'validate', '--hub', dir, '--ref', 'HEAD^{commit}')).code).toBe(0);
      git(dir, ['commit', '-q', '--allow-empty', '-m', 'second']);
      expect((await run(dir, 'validate', '--hub', dir, '--ref', 'HEAD~1')).code).toBe(0);
      const tooFar = await run(dir, 'validate', '--hub', dir, '--ref', 'HEAD~9');
      expect(tooFar.code).toBe(2);
      expect(tooFar.stderr).toContain('has no parent');
    } finally {
      removeDir(dir);
    }
  }, 120_000);
});

describe('file-system failures are one line, exit 2', () => {
  it('EEXIST: init into a path that is a file', async () => {
    const root = await tempTree({ afile: 'x' });
    const result = await run(root, 'init', 'afile');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`oclhub init: mkdir ${path.join(root, 'afile')}: already exists (EEXIST)\n`);
  });

  it('EACCES: init into a folder that cannot be written', async () => {
    const root = await tempTree({});
    chmodSync(root, 0o755);
    mkdirSync(path.join(root, 'ro'), { mode: 0o555 });
    chmodSync(path.join(root, 'ro'), 0o555);
    const result = await finished(cli(['init', 'ro/hub'], root, { asNobody: true }));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`oclhub init: mkdir ${path.join(root, 'ro/hub')}: permission denied (EACCES)\n`);
  }, 60_000);

  it('a reader that closes the pipe early: the command ends quietly (no EPIPE stack)', async () => {
    let big = '';
    for (let i = 0; i < 3000; i++) big += `step "s${i}" {\n    name = "Step ${i}"\n}\n\n`;
    const root = await tempTree({ 'big.ocl': big });
    const child = cli(['convert', 'big.ocl'], root);
    const done = finished(child);
    child.stdout!.once('data', () => child.stdout!.destroy());
    const result = await done;
    expect(result.stderr).not.toMatch(NO_STACK);
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.code).toBe(0);
  }, 60_000);
});
