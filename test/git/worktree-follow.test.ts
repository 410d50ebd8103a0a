/**
 * Committing to the checked-out branch of a working copy with `worktree: 'follow'`: the changed files
 * and their index entries follow the commit (so `git status` is clean and `git commit -a` keeps it), a
 * dirty file refuses the commit, a running git command's index lock is respected, and index versions
 * 2-4 come back byte-compatible (git fsck and git status read them).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitErrorCode, GitStoreError, openRepository } from '../../src/git/index.js';
import { fsck, git, gitFailure, initRepo, removeDir } from './helpers.js';

const alice = { name: 'Alice', email: 'alice@example.com' };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function hub(): string {
  const dir = initRepo({ 'oclhub.ocl': 'base_path = ".octopus"\n', '.octopus/policies/a.ocl': 'name = "A"\n', 'scripts/run.sh': 'echo hi\n' });
  dirs.push(dir);
  return dir;
}

async function commitConfig(dir: string, content: string) {
  const store = await openRepository({ dir });
  const head = git(dir, ['rev-parse', 'main']).trim();
  return store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: 'oclhub.ocl', content }], message: 'edit config', author: alice, worktree: 'follow' });
}


describe("commitChanges with worktree: 'follow'", () => {
  it('updates the file and its index entry in a clean working copy: git status clean, commit -a keeps the change', async () => {
    const dir = hub();
    const result = await commitConfig(dir, 'base_path = ".octopus"\n\npolicy "a" {\n    active_version = "1.0.0"\n}\n');
    expect(result).toMatchObject({ worktreeUpdated: true, worktreeBehind: false });
    expect(fs.readFileSync(path.join(dir, 'oclhub.ocl'), 'utf8')).toContain('active_version = "1.0.0"');
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
    expect(git(dir, ['diff', '--cached', '--name-only']).trim()).toBe('');
    // The trap the issue describes: a later `git commit -a` must not revert the commit.
    fs.writeFileSync(path.join(dir, 'scripts/run.sh'), 'echo bye\n');
    git(dir, ['commit', '-qam', 'unrelated']);
    expect(git(dir, ['show', 'main:oclhub.ocl'])).toContain('active_version = "1.0.0"');
    expect(fsck(dir)).toEqual({ status: 0, output: '' });
  });

  it('leaves other uncommitted work alone: staged and modified files elsewhere stay as they were', async () => {
    const dir = hub();
    fs.writeFileSync(path.join(dir, 'scripts/run.sh'), 'echo staged\n');
    git(dir, ['add', 'scripts/run.sh']);
    fs.writeFileSync(path.join(dir, '.octopus/policies/a.ocl'), 'name = "Edited"\n');
    fs.writeFileSync(path.join(dir, 'untracked.txt'), 'x\n');
    await commitConfig(dir, 'base_path = ".octopus"\n# changed\n');
    expect(git(dir, ['status', '--porcelain']).split('\n').filter(Boolean).sort()).toEqual(['?? untracked.txt', 'M  scripts/run.sh', ' M .octopus/policies/a.ocl'].sort());
  });

  it('refuses when the file has uncommitted changes there: nothing committed, the edit kept', async () => {
    const dir = hub();
    const head = git(dir, ['rev-parse', 'main']).trim();
    fs.writeFileSync(path.join(dir, 'oclhub.ocl'), 'base_path = ".octopus"\n# my edit\n');
    const error = await gitFailure(commitConfig(dir, 'base_path = ".octopus"\n# theirs\n'));
    expect(error.code).toBe(GitErrorCode.WorktreeConflict);
    expect(error.message).toContain('oclhub.ocl has uncommitted changes');
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(head);
    expect(fs.readFileSync(path.join(dir, 'oclhub.ocl'), 'utf8')).toContain('# my edit');
    expect(fs.existsSync(path.join(dir, '.git/index.lock'))).toBe(false);
  });

  it('refuses a staged change to the file the same way', async () => {
    const dir = hub();
    const head = git(dir, ['rev-parse', 'main']).trim();
    // A different content staged, the committed content back in the file: only the index is dirty.
    fs.writeFileSync(path.join(dir, 'oclhub.ocl'), 'base_path = ".octopus"\n# staged\n');
    git(dir, ['add', 'oclhub.ocl']);
    fs.writeFileSync(path.join(dir, 'oclhub.ocl'), git(dir, ['show', 'HEAD:oclhub.ocl']));
    const error = await gitFailure(commitConfig(dir, 'base_path = ".octopus"\n# theirs\n'));
    expect(error.code).toBe(GitErrorCode.WorktreeConflict);
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(head);
  });

  it('waits for nobody: a git command holding index.lock makes it RefLocked, nothing committed, the lock untouched', async () => {
    const dir = hub();
    const head = git(dir, ['rev-parse', 'main']).trim();
    fs.writeFileSync(path.join(dir, '.git/index.lock'), '');
    const error = await gitFailure(commitConfig(dir, 'base_path = ".octopus"\n# theirs\n'));
    expect(error.code).toBe(GitErrorCode.RefLocked);
    expect(error.message).toContain('.git/index.lock');
    expect(error.message).not.toContain(dir);
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(head);
    expect(fs.existsSync(path.join(dir, '.git/index.lock'))).toBe(true);
  });

  it('completes a follow a crash interrupted between moving the branch and renaming the index', async () => {
    const dir = hub();
    const oldIndex = fs.readFileSync(path.join(dir, '.git/index'));
    await commitConfig(dir, 'base_path = ".octopus"\n# first\n');
    // As if killed before the index rename: files and branch new, the index still the old one.
    fs.writeFileSync(path.join(dir, '.git/index'), oldIndex);
    expect(git(dir, ['diff', '--cached', '--name-only']).trim()).toBe('oclhub.ocl');
    const second = await commitConfig(dir, 'base_path = ".octopus"\n# second\n');
    expect(second.worktreeUpdated).toBe(true);
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
    expect(git(dir, ['show', 'main:oclhub.ocl'])).toContain('# second');
  });

  it('takes over an empty index.lock left by a crashed oclhub once it is stale, never a fresh or non-empty one', async () => {
    const dir = hub();
    const lock = path.join(dir, '.git/index.lock');
    fs.writeFileSync(lock, '');
    const then = new Date(Date.now() - 120_000);
    fs.utimesSync(lock, then, then);
    expect((await commitConfig(dir, 'base_path = ".octopus"\n# after crash\n')).worktreeUpdated).toBe(true);
    expect(fs.existsSync(lock)).toBe(false);
    fs.writeFileSync(lock, 'a git command writing its new index');
    fs.utimesSync(lock, then, then);
    expect((await gitFailure(commitConfig(dir, 'base_path = ".octopus"\n# blocked\n'))).code).toBe(GitErrorCode.RefLocked);
    expect(fs.existsSync(lock)).toBe(true);
  });

  it('takes over a non-empty index.lock at once when the oclhub that wrote it was killed, never one of a live process', async () => {
    const dir = hub();
    const lock = path.join(dir, '.git/index.lock');
    const owner = path.join(dir, '.git/oclhub/index.lock.owner');
    fs.copyFileSync(path.join(dir, '.git/index'), lock);
    fs.mkdirSync(path.dirname(owner), { recursive: true });
    const record = (pid: number) => fs.writeFileSync(owner, JSON.stringify({ pid, host: os.hostname(), ino: fs.statSync(lock).ino }));
    const sleeper = spawn('sleep', ['30']);
    try {
      record(sleeper.pid!);
      expect((await gitFailure(commitConfig(dir, 'base_path = ".octopus"\n# live owner\n'))).code).toBe(GitErrorCode.RefLocked);
      expect(fs.existsSync(lock)).toBe(true);
    } finally {
      sleeper.kill('SIGKILL');
    }
    const gone = spawnSync('true').pid!;
    record(gone);
    expect((await commitConfig(dir, 'base_path = ".octopus"\n# after kill -9\n')).worktreeUpdated).toBe(true);
    expect(fs.existsSync(lock)).toBe(false);
    expect(fs.existsSync(owner)).toBe(false);
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
  });

  it('undoes the files a killed follow wrote before its branch moved, then follows the new commit', async () => {
    const dir = hub();
    const head = git(dir, ['rev-parse', 'main']).trim();
    const file = path.join(dir, 'oclhub.ocl');
    const before = fs.readFileSync(file, 'utf8');
    const written = 'base_path = ".octopus"\n# never committed\n';
    // The state a kill -9 leaves after writing the files, before the new index and the branch move.
    fs.writeFileSync(path.join(dir, '.git/index.lock'), '');
    fs.writeFileSync(file, written);
    fs.mkdirSync(path.join(dir, '.git/oclhub'), { recursive: true });
    const hash = (text: string) => execFileSync('git', ['hash-object', '--stdin'], { cwd: dir, input: text, encoding: 'utf8' }).trim();
    fs.writeFileSync(
      path.join(dir, '.git/oclhub/index.lock.owner'),
      JSON.stringify({ pid: spawnSync('true').pid, host: os.hostname(), ino: fs.statSync(path.join(dir, '.git/index.lock')).ino, commit: '0'.repeat(40), files: [{ path: 'oclhub.ocl', from: hash(before), to: hash(written) }] }),
    );
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('M oclhub.ocl');
    const result = await commitConfig(dir, 'base_path = ".octopus"\n# the next activation\n');
    expect(result.worktreeUpdated).toBe(true);
    expect(git(dir, ['rev-parse', 'main~1']).trim()).toBe(head);
    expect(fs.readFileSync(file, 'utf8')).toContain('# the next activation');
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
  });

  it('completes the follow a killed oclhub left after its branch moved (its lock holds the new index)', async () => {
    const dir = hub();
    const oldIndex = fs.readFileSync(path.join(dir, '.git/index'));
    await commitConfig(dir, 'base_path = ".octopus"\n# landed\n');
    // The state a kill -9 leaves between moving the branch and renaming the lock over the index.
    fs.copyFileSync(path.join(dir, '.git/index'), path.join(dir, '.git/index.lock'));
    fs.writeFileSync(path.join(dir, '.git/index'), oldIndex);
    fs.mkdirSync(path.join(dir, '.git/oclhub'), { recursive: true });
    const tip = git(dir, ['rev-parse', 'main']).trim();
    fs.writeFileSync(path.join(dir, '.git/oclhub/index.lock.owner'), JSON.stringify({ pid: spawnSync('true').pid, host: os.hostname(), ino: fs.statSync(path.join(dir, '.git/index.lock')).ino, commit: tip, files: [] }));
    expect(git(dir, ['diff', '--cached', '--name-only']).trim()).toBe('oclhub.ocl');
    const next = await commitConfig(dir, 'base_path = ".octopus"\n# next\n');
    expect(next.worktreeUpdated).toBe(true);
    expect(git(dir, ['rev-parse', 'main~1']).trim()).toBe(tip);
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
    expect(fs.existsSync(path.join(dir, '.git/oclhub/index.lock.owner'))).toBe(false);
  });

  it.each([2, 3, 4])('keeps an index of version %i readable by git', async (version) => {
    const dir = hub();
    git(dir, ['update-index', '--index-version', String(version)]);
    if (version === 3) git(dir, ['update-index', '--skip-worktree', 'scripts/run.sh']); // extended flags
    const result = await commitConfig(dir, 'base_path = ".octopus"\n# v\n');
    expect(result.worktreeUpdated).toBe(true);
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
    expect(git(dir, ['ls-files', '-s']).trim().split('\n')).toHaveLength(3);
    expect(fs.readFileSync(path.join(dir, '.git/index')).readUInt32BE(4)).toBe(version);
    expect(fsck(dir).status).toBe(0);
  });

  it('adds a file the commit creates, and removes one it deletes, in the working copy and the index', async () => {
    const dir = hub();
    const store = await openRepository({ dir });
    const head = git(dir, ['rev-parse', 'main']).trim();
    const result = await store.commitChanges({
      branch: 'main',
      expectedOid: head,
      changes: [
        { path: '.octopus/policies/b.ocl', content: 'name = "B"\n' },
        { path: 'scripts/run.sh', delete: true },
      ],
      message: 'add b, drop run.sh',
      author: alice,
      worktree: 'follow',
    });
    expect(result.worktreeUpdated).toBe(true);
    expect(fs.readFileSync(path.join(dir, '.octopus/policies/b.ocl'), 'utf8')).toBe('name = "B"\n');
    expect(fs.existsSync(path.join(dir, 'scripts/run.sh'))).toBe(false);
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
  });

  it('refuses an index oclhub cannot rewrite safely (split index): nothing committed', async () => {
    const dir = hub();
    const head = git(dir, ['rev-parse', 'main']).trim();
    git(dir, ['update-index', '--split-index']);
    const error = await gitFailure(commitConfig(dir, 'base_path = ".octopus"\n# split\n'));
    expect(error.code).toBe(GitErrorCode.WorktreeConflict);
    expect(error.message).toContain('split or sparse index');
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(head);
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
  });

  it("with the default ('leave'), moves only the branch, as git update-ref does", async () => {
    const dir = hub();
    const store = await openRepository({ dir });
    const head = git(dir, ['rev-parse', 'main']).trim();
    const result = await store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: 'oclhub.ocl', content: 'x = 1\n' }], message: 'm', author: alice });
    expect(result).toMatchObject({ worktreeBehind: true });
    expect(result.worktreeUpdated).toBeUndefined();
  });
});
