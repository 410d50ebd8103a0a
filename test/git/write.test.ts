import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import git_ from 'isomorphic-git';
import { Volume, createFsFromVolume } from 'memfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitErrorCode, GitStoreError, openRepository, WORKTREE, type FsLike, type GitStore } from '../../src/git/index.js';
import { commitAll, fsck, git, gitResult, initRepo, OCL_PROCESS, removeDir } from './helpers.js';

const alice = { name: 'Alice Publisher', email: 'alice@example.com', timestamp: 1_700_000_000, timezoneOffset: -120 };
const bob = { name: 'Bob', email: 'bob@example.com' };

async function outcome(promise: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: GitStoreError }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    expect(error).toBeInstanceOf(GitStoreError);
    return { ok: false, error: error as GitStoreError };
  }
}

describe('createTag', () => {
  let dir: string;
  let store: GitStore;
  let head: string;
  beforeAll(async () => {
    dir = initRepo({ '.octopus/policies/no-root.ocl': 'name = "No root"\n' });
    head = git(dir, ['rev-parse', 'HEAD']).trim();
    store = await openRepository({ dir });
  });
  afterAll(() => removeDir(dir));

  it('writes an annotated tag the git CLI reads back, and fsck stays clean', async () => {
    const tag = await store.createTag({
      name: 'policies/no-root/v1.0.0',
      target: 'main',
      message: 'Publish no-root 1.0.0\n\ncontent-hash: sha256:abc',
      tagger: alice,
    });
    expect(tag).toMatchObject({ annotated: true, target: head, name: 'policies/no-root/v1.0.0' });
    expect(git(dir, ['tag', '-l', 'policies/*']).trim()).toBe('policies/no-root/v1.0.0');
    expect(git(dir, ['cat-file', '-t', 'policies/no-root/v1.0.0']).trim()).toBe('tag');
    expect(git(dir, ['rev-parse', 'policies/no-root/v1.0.0^{commit}']).trim()).toBe(head);
    const raw = git(dir, ['cat-file', '-p', 'policies/no-root/v1.0.0']);
    expect(raw).toContain(`object ${head}\ntype commit\ntag policies/no-root/v1.0.0\n`);
    expect(raw).toContain('tagger Alice Publisher <alice@example.com> 1700000000 +0200');
    // The object body is the message plus the one final newline `git tag -m` would add.
    expect(raw.endsWith('\n\nPublish no-root 1.0.0\n\ncontent-hash: sha256:abc\n')).toBe(true);
    expect(fsck(dir)).toEqual({ status: 0, output: '' });
    const reread = await store.readTag('policies/no-root/v1.0.0');
    expect(reread.message).toBe('Publish no-root 1.0.0\n\ncontent-hash: sha256:abc');
    expect(reread.tagger).toEqual(alice);
  });

  it('never overwrites: a second create fails with TagExists, also for packed tags', async () => {
    const name = 'policies/no-root/v2.0.0';
    await store.createTag({ name, target: 'main', message: 'first', tagger: alice });
    const again = await outcome(store.createTag({ name, target: 'main', message: 'second', tagger: bob }));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe(GitErrorCode.TagExists);
    git(dir, ['pack-refs', '--all']);
    expect(fs.existsSync(path.join(dir, '.git/refs/tags/policies/no-root/v2.0.0'))).toBe(false);
    const packed = await outcome(store.createTag({ name, target: 'main', message: 'third', tagger: bob }));
    expect(packed.ok).toBe(false);
    if (!packed.ok) expect(packed.error.code).toBe(GitErrorCode.TagExists);
    expect((await store.readTag(name)).message).toBe('first');
    expect(git(dir, ['tag', '-l', '--format=%(contents)', name]).trim()).toBe('first');
  });

  it('rejects invalid tag names and unknown targets with stable codes', async () => {
    for (const bad of ['../escape', 'a..b', 'has space', 'x.lock', '/lead', 'trail/', 'a:b', 'tilde~1', '']) {
      const result = await outcome(store.createTag({ name: bad, target: 'main', message: 'm', tagger: alice }));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe(GitErrorCode.InvalidRefName);
      expect(gitResult(dir, ['check-ref-format', `refs/tags/${bad}`]).status).not.toBe(0);
    }
    const unknown = await outcome(store.createTag({ name: 'ok/v1', target: 'nope', message: 'm', tagger: alice }));
    expect(!unknown.ok && unknown.error.code).toBe(GitErrorCode.RefNotFound);
    const badTagger = await outcome(store.createTag({ name: 'ok/v1', target: 'main', message: 'm', tagger: { name: 'x<y', email: 'e' } }));
    expect(!badTagger.ok && badTagger.error.code).toBe(GitErrorCode.InvalidRequest);
  });

  it('two concurrent creators of one tag in one process (two stores): exactly one succeeds', async () => {
    const other = await openRepository({ dir });
    for (let round = 0; round < 5; round++) {
      const name = `process-templates/build/v1.${round}.0`;
      const results = await Promise.all([
        outcome(store.createTag({ name, target: 'main', message: 'A', tagger: alice })),
        outcome(other.createTag({ name, target: 'main', message: 'B', tagger: bob })),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const loser = results.find((r) => !r.ok);
      expect(loser && !loser.ok && loser.error.code).toBe(GitErrorCode.TagExists);
      const winner = results.findIndex((r) => r.ok);
      expect(git(dir, ['tag', '-l', '--format=%(contents)', name]).trim()).toBe(winner === 0 ? 'A' : 'B');
    }
    expect(fs.readdirSync(path.join(dir, '.git/refs/tags/process-templates/build')).some((f) => f.endsWith('.lock'))).toBe(false);
    expect(fsck(dir).status).toBe(0);
  });
});

function runWorkers(args: string[][], signal: string): Promise<Array<{ ok: boolean; code?: string; oid?: string }>> {
  const worker = path.resolve(import.meta.dirname, 'race-worker.ts');
  const children = args.map(
    (a) =>
      new Promise<{ ok: boolean; code?: string; oid?: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', worker, ...a], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('close', (code) => {
          if (code !== 0) reject(new Error(`worker failed (${code}): ${err}`));
          else resolve(JSON.parse(out.trim().split('\n').pop()!));
        });
      }),
  );
  // Release both together once both have started and opened their stores.
  const labels = args.map((a) => a[5]!);
  const release = setInterval(() => {
    if (labels.every((label) => fs.existsSync(`${signal}.ready-${label}`))) {
      clearInterval(release);
      fs.writeFileSync(signal, 'go');
    }
  }, 5);
  return Promise.all(children).finally(() => {
    clearInterval(release);
    for (const label of labels) fs.rmSync(`${signal}.ready-${label}`, { force: true });
  });
}

describe('races across processes', () => {
  let dir: string;
  beforeAll(() => {
    dir = initRepo({ 'README.md': 'hub\n' });
  });
  afterAll(() => removeDir(dir));

  it('two processes creating the same tag: exactly one succeeds, the other gets TagExists', async () => {
    const signal = path.join(dir, '..', `${path.basename(dir)}-tag-go`);
    const results = await runWorkers(
      [
        ['tag', dir, signal, 'policies/x/v1.0.0', '', 'p1'],
        ['tag', dir, signal, 'policies/x/v1.0.0', '', 'p2'],
      ],
      signal,
    );
    fs.rmSync(signal, { force: true });
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)?.code).toBe(GitErrorCode.TagExists);
    const winner = results.find((r) => r.ok)!;
    expect(git(dir, ['rev-parse', 'policies/x/v1.0.0']).trim()).toBe(winner.oid);
    expect(fsck(dir).status).toBe(0);
  });

  it('two processes committing on the same expected oid: one wins, one gets Conflict, history intact', async () => {
    const base = git(dir, ['rev-parse', 'main']).trim();
    const signal = path.join(dir, '..', `${path.basename(dir)}-commit-go`);
    const results = await runWorkers(
      [
        ['commit', dir, signal, 'main', base, 'c1'],
        ['commit', dir, signal, 'main', base, 'c2'],
      ],
      signal,
    );
    fs.rmSync(signal, { force: true });
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)?.code).toBe(GitErrorCode.Conflict);
    const winner = results.find((r) => r.ok)!;
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(winner.oid);
    expect(git(dir, ['log', '--format=%H', 'main']).trim().split('\n')).toEqual([winner.oid, base]);
    expect(fsck(dir).status).toBe(0);
  });
});

describe('commitChanges', () => {
  let dir: string;
  let store: GitStore;
  beforeAll(async () => {
    dir = initRepo({
      '.octopus/web/deployment_process.ocl': OCL_PROCESS,
      '.octopus/web/variables.ocl': 'a = 1\n',
      '.octopus/api/variables.ocl': 'b = 2\n',
      'scripts/run.sh': '#!/bin/sh\necho hi\n',
    });
    fs.chmodSync(path.join(dir, 'scripts/run.sh'), 0o755);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'exec bit']);
    store = await openRepository({ dir });
  });
  afterAll(() => removeDir(dir));

  it('adds, modifies and deletes paths in one commit that git log, ls-tree and fsck accept', async () => {
    const before = git(dir, ['rev-parse', 'main']).trim();
    const worktreeBefore = fs.readFileSync(path.join(dir, '.octopus/web/variables.ocl'), 'utf8');
    const result = await store.commitChanges({
      branch: 'main',
      expectedOid: before,
      changes: [
        { path: '.octopus/web/variables.ocl', content: 'a = 2\n' },
        { path: '.octopus/new/deep/schema_version.ocl', content: 'version = 9\n' },
        { path: '.octopus/api/variables.ocl', delete: true },
        { path: 'scripts/run.sh', content: '#!/bin/sh\necho bye\n' },
      ],
      message: 'Publish changes',
      author: alice,
    });
    expect(result.parent).toBe(before);
    expect(result.worktreeBehind).toBe(true);
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(result.oid);
    expect(git(dir, ['log', '--format=%H %s', '-2', 'main']).trim().split('\n')).toEqual([
      `${result.oid} Publish changes`,
      `${before} exec bit`,
    ]);
    expect(git(dir, ['log', '-1', '--format=%an <%ae> %at', 'main']).trim()).toBe('Alice Publisher <alice@example.com> 1700000000');
    expect(git(dir, ['show', 'main:.octopus/web/variables.ocl'])).toBe('a = 2\n');
    expect(git(dir, ['show', 'main:.octopus/new/deep/schema_version.ocl'])).toBe('version = 9\n');
    // The folder holding only the deleted file is gone (Git has no empty trees).
    expect(git(dir, ['ls-tree', '--name-only', 'main', '.octopus/']).trim().split('\n')).toEqual([
      '.octopus/new',
      '.octopus/web',
    ]);
    expect(git(dir, ['ls-tree', 'main', 'scripts/run.sh'])).toMatch(/^100755 /);
    expect(git(dir, ['diff', '--name-status', before, result.oid]).trim().split('\n').sort()).toEqual(
      ['A\t.octopus/new/deep/schema_version.ocl', 'D\t.octopus/api/variables.ocl', 'M\t.octopus/web/variables.ocl', 'M\tscripts/run.sh'].sort(),
    );
    expect(fsck(dir)).toEqual({ status: 0, output: '' });
    // git keeps a reflog for branches of a working copy; our update is in it like one of its own.
    expect(git(dir, ['reflog', '-1', '--format=%H %gs', 'main']).trim()).toBe(`${result.oid} commit: Publish changes`);
    // Working copy and index untouched: the worktree is now behind, as after `git update-ref`.
    expect(fs.readFileSync(path.join(dir, '.octopus/web/variables.ocl'), 'utf8')).toBe(worktreeBefore);
    expect(git(dir, ['diff', '--cached', '--name-only', 'main']).trim()).not.toBe('');
    expect(await store.readTextFile(WORKTREE, '.octopus/web/variables.ocl')).toBe(worktreeBefore);
    expect(await store.readTextFile('main', '.octopus/web/variables.ocl')).toBe('a = 2\n');
  });

  it('fails cleanly on a stale expected oid and loses nothing', async () => {
    const head = git(dir, ['rev-parse', 'main']).trim();
    const stale = git(dir, ['rev-parse', 'main~1']).trim();
    const result = await outcome(
      store.commitChanges({ branch: 'main', expectedOid: stale, changes: [{ path: 'x.txt', content: 'x' }], message: 'late', author: bob }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(GitErrorCode.Conflict);
      expect(result.error.message).toContain(head);
    }
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(head);
  });

  it('two concurrent commits on one expected oid: one wins, the other conflicts, history intact', async () => {
    const other = await openRepository({ dir });
    const base = git(dir, ['rev-parse', 'main']).trim();
    const results = await Promise.all([
      outcome(store.commitChanges({ branch: 'main', expectedOid: base, changes: [{ path: 'one.txt', content: '1' }], message: 'one', author: alice })),
      outcome(other.commitChanges({ branch: 'main', expectedOid: base, changes: [{ path: 'two.txt', content: '2' }], message: 'two', author: bob })),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const loser = results.find((r) => !r.ok);
    expect(loser && !loser.ok && loser.error.code).toBe(GitErrorCode.Conflict);
    const winnerSubject = results[0]!.ok ? 'one' : 'two';
    expect(git(dir, ['log', '-2', '--format=%s', 'main']).trim().split('\n')[0]).toBe(winnerSubject);
    expect(git(dir, ['rev-parse', 'main~1']).trim()).toBe(base);
    expect(fsck(dir).status).toBe(0);
  });

  it('creates a new branch with expectedOid null and refuses it when the branch exists', async () => {
    const created = await store.commitChanges({
      branch: 'publish/new',
      expectedOid: null,
      changes: [{ path: 'only.txt', content: 'root commit\n' }],
      message: 'orphan',
      author: alice,
    });
    expect(git(dir, ['log', '--format=%H', 'publish/new']).trim()).toBe(created.oid);
    expect(created.worktreeBehind).toBe(false);
    const again = await outcome(
      store.commitChanges({ branch: 'publish/new', expectedOid: null, changes: [{ path: 'b', content: 'b' }], message: 'm', author: alice }),
    );
    expect(!again.ok && again.error.code).toBe(GitErrorCode.Conflict);
    expect(fsck(dir).status).toBe(0);
  });

  it('validates change sets: bad paths, duplicates, file/folder clashes, missing deletes, no-op commits', async () => {
    const head = git(dir, ['rev-parse', 'main']).trim();
    const attempt = (changes: any[], extra: object = {}) =>
      outcome(store.commitChanges({ branch: 'main', expectedOid: head, changes, message: 'm', author: alice, ...extra }));
    const cases: Array<[any[], string]> = [
      [[{ path: '../x', content: 'x' }], GitErrorCode.InvalidPath],
      [[{ path: 'a\\b', content: 'x' }], GitErrorCode.InvalidPath],
      [[{ path: 'a', content: 'x' }, { path: 'a', content: 'y' }], GitErrorCode.InvalidRequest],
      [[{ path: 'a', content: 'x' }, { path: 'a/b', content: 'y' }], GitErrorCode.InvalidRequest],
      [[{ path: '.octopus', content: 'x' }], GitErrorCode.NotAFile],
      [[{ path: 'scripts/run.sh/inner', content: 'x' }], GitErrorCode.NotAFile],
      [[{ path: 'missing.txt', delete: true }], GitErrorCode.FileNotFound],
      [[{ path: '.octopus/web/variables.ocl', content: 'a = 2\n' }], GitErrorCode.InvalidRequest],
      [[{ path: 'x' }], GitErrorCode.InvalidRequest],
    ];
    for (const [changes, code] of cases) {
      const result = await attempt(changes);
      expect(!result.ok && result.error.code, JSON.stringify(changes)).toBe(code);
    }
    const badBranch = await outcome(store.commitChanges({ branch: 'HEAD', expectedOid: head, changes: [], message: 'm', author: alice }));
    expect(!badBranch.ok && badBranch.error.code).toBe(GitErrorCode.InvalidRefName);
    const badOid = await outcome(store.commitChanges({ branch: 'main', expectedOid: 'abc', changes: [], message: 'm', author: alice }));
    expect(!badOid.ok && badOid.error.code).toBe(GitErrorCode.InvalidRequest);
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(head);
  });

  it('reports a lock left behind by a crashed writer as RefLocked', async () => {
    const head = git(dir, ['rev-parse', 'main']).trim();
    const lock = path.join(dir, '.git/refs/heads/main.lock');
    fs.writeFileSync(lock, '');
    try {
      const result = await outcome(
        store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: 'z', content: 'z' }], message: 'm', author: alice, lockTimeoutMs: 50 }),
      );
      expect(!result.ok && result.error.code).toBe(GitErrorCode.RefLocked);
      expect(fs.existsSync(lock)).toBe(true);
    } finally {
      fs.rmSync(lock);
    }
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(head);
  });

  it('writes on top of a packed branch after git gc', async () => {
    git(dir, ['gc', '-q', '--prune=now']);
    const head = git(dir, ['rev-parse', 'main']).trim();
    const result = await store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: 'after-gc.txt', content: 'gc\n' }], message: 'after gc', author: alice });
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(result.oid);
    expect(git(dir, ['show', 'main:after-gc.txt'])).toBe('gc\n');
    expect(fsck(dir)).toEqual({ status: 0, output: '' });
  });
});

describe('memfs repositories', () => {
  it('commits, tags and reads back entirely in memory', async () => {
    const mem = createFsFromVolume(new Volume()) as unknown as FsLike;
    await git_.init({ fs: mem as any, dir: '/hub', defaultBranch: 'main' });
    const store = await openRepository({ fs: mem, dir: '/hub' });
    expect(store.bare).toBe(false);
    expect(await store.isDirty()).toBe(false);
    await mem.promises.writeFile('/hub/draft.ocl', 'x = 1\n');
    expect(await store.isDirty()).toBe(true);
    await mem.promises.unlink('/hub/draft.ocl');
    const first = await store.commitChanges({
      branch: 'main',
      expectedOid: null,
      changes: [
        { path: '.octopus/process-templates/build.ocl', content: OCL_PROCESS },
        { path: 'oclhub.ocl', content: 'base_path = ".octopus"\n' },
      ],
      message: 'init',
      author: alice,
    });
    expect(await store.currentBranch()).toBe('main');
    expect((await store.resolveRef('HEAD')).oid).toBe(first.oid);
    expect(first.worktreeBehind).toBe(true);
    await store.createTag({ name: 'process-templates/build/v1.0.0', target: 'main', message: 'v1', tagger: alice });
    const second = await store.commitChanges({
      branch: 'main',
      expectedOid: first.oid,
      changes: [{ path: '.octopus/process-templates/build.ocl', content: 'step "x" {}\n' }],
      message: 'edit',
      author: bob,
    });
    expect(await store.readTextFile('process-templates/build/v1.0.0', '.octopus/process-templates/build.ocl')).toBe(OCL_PROCESS);
    expect(await store.readTextFile('main', '.octopus/process-templates/build.ocl')).toBe('step "x" {}\n');
    expect(await store.listTags('process-templates/build/')).toEqual(['process-templates/build/v1.0.0']);
    // isomorphic-git itself agrees on the history we wrote.
    const log = await git_.log({ fs: mem as any, gitdir: '/hub/.git', ref: 'main' });
    expect(log.map((c) => c.oid)).toEqual([second.oid, first.oid]);
    const again = await outcome(store.createTag({ name: 'process-templates/build/v1.0.0', target: 'main', message: 'x', tagger: bob }));
    expect(!again.ok && again.error.code).toBe(GitErrorCode.TagExists);
    // WORKTREE on memfs reads the (empty) working directory, not the commits.
    expect(await store.listFiles(WORKTREE)).toEqual([]);
  });
});

describe('round trip: git CLI repo → our writes → git CLI', () => {
  it('git can clone and check out what we committed and tagged', async () => {
    const dir = initRepo({ 'a.txt': 'a\n' });
    const clone = path.join(dir, '..', `${path.basename(dir)}-clone`);
    try {
      commitAll(dir, { 'b/c.txt': 'c\n' }, 'cli commit');
      const store = await openRepository({ dir });
      const head = (await store.resolveRef('main')).oid!;
      const ours = await store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: 'b/d.txt', content: 'd\n' }], message: 'ours', author: alice });
      await store.createTag({ name: 'policies/p/v1.0.0', target: ours.oid, message: 'ours', tagger: alice });
      git(path.dirname(clone), ['clone', '-q', dir, clone]);
      expect(fs.readFileSync(path.join(clone, 'b/d.txt'), 'utf8')).toBe('d\n');
      expect(fs.readFileSync(path.join(clone, 'b/c.txt'), 'utf8')).toBe('c\n');
      expect(git(clone, ['describe', '--tags', 'HEAD']).trim()).toBe('policies/p/v1.0.0');
      expect(fsck(clone).status).toBe(0);
    } finally {
      removeDir(dir);
      removeDir(clone);
    }
  });
});
