import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitErrorCode, GitStoreError, openRepository, WORKTREE, type GitStore } from '../../src/git/index.js';
import { commitAll, git, initRepo, OCL_PROCESS, removeDir, tempDir, writeFiles } from './helpers.js';

async function expectGitError(promise: Promise<unknown>, code: string): Promise<GitStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitStoreError);
  expect((error as GitStoreError).code).toBe(code);
  return error as GitStoreError;
}

describe('GitStore reading a repository made by the git CLI', () => {
  let dir: string;
  let store: GitStore;
  let first: string;
  let second: string;

  beforeAll(async () => {
    dir = initRepo({
      '.octopus/web/deployment_process.ocl': OCL_PROCESS,
      '.octopus/web/variables.ocl': 'variable "Env" {\n    value "dev" {}\n}\n',
      '.octopus/api/schema_version.ocl': 'version = 9\n',
      'oclhub.ocl': 'base_path = ".octopus"\n',
      'deep/a/b/c/d/e.txt': 'deep\n',
    });
    first = git(dir, ['rev-parse', 'HEAD']).trim();
    git(dir, ['tag', 'light-v1']);
    git(dir, ['tag', '-a', 'policies/no-root/v1.0.0', '-m', 'First release\n\nnotes here']);
    second = commitAll(dir, { '.octopus/web/variables.ocl': 'variable "Env" {\n    value "prod" {}\n}\n' }, 'second');
    git(dir, ['tag', '-a', 'policies/no-root/v1.1.0', '-m', 'Second release']);
    git(dir, ['branch', 'feature/x', first]);
    store = await openRepository({ dir });
  });
  afterAll(() => removeDir(dir));

  it('resolves branches, tags, HEAD, full and short commit ids to the same commits git reports', async () => {
    expect((await store.resolveRef('main')).oid).toBe(second);
    expect((await store.resolveRef('HEAD')).oid).toBe(second);
    expect((await store.resolveRef('refs/heads/main')).kind).toBe('branch');
    expect((await store.resolveRef('feature/x')).oid).toBe(first);
    expect((await store.resolveRef('light-v1')).oid).toBe(first);
    const annotated = await store.resolveRef('policies/no-root/v1.0.0');
    expect(annotated.oid).toBe(first);
    expect(annotated.kind).toBe('tag');
    expect(annotated.tagOid).toBe(git(dir, ['rev-parse', 'policies/no-root/v1.0.0']).trim());
    expect((await store.resolveRef(first)).oid).toBe(first);
    expect((await store.resolveRef(first.slice(0, 10))).oid).toBe(first);
  });

  it('lists files under a folder at any ref, matching git ls-tree', async () => {
    const files = await store.listFiles('main', '.octopus');
    const expected = git(dir, ['ls-tree', '-r', '--name-only', 'main', '.octopus']).trim().split('\n');
    expect(files.map((f) => f.path)).toEqual(expected);
    const lsTree = git(dir, ['ls-tree', '-r', 'main', '.octopus/web/variables.ocl']).trim().split(/\s+/);
    expect(files.find((f) => f.path === '.octopus/web/variables.ocl')?.oid).toBe(lsTree[2]);
    expect((await store.listFiles('main')).length).toBe(git(dir, ['ls-tree', '-r', '--name-only', 'main']).trim().split('\n').length);
    expect((await store.listFiles('main', '.octopus', { recursive: false })).length).toBe(0);
    expect((await store.listFiles('main', 'deep/a/')).map((f) => f.path)).toEqual(['deep/a/b/c/d/e.txt']);
    expect(await store.listFiles('main', 'no/such/folder')).toEqual([]);
  });

  it('reads files at old and new refs without checking out', async () => {
    expect(await store.readTextFile('policies/no-root/v1.0.0', '.octopus/web/variables.ocl')).toContain('"dev"');
    expect(await store.readTextFile('main', '.octopus/web/variables.ocl')).toContain('"prod"');
    expect(await store.readTextFile('main', '.octopus/web/deployment_process.ocl')).toBe(
      git(dir, ['show', 'main:.octopus/web/deployment_process.ocl']),
    );
    expect(await store.readTextFile(first, 'deep/a/b/c/d/e.txt')).toBe('deep\n');
    const snapshot = await store.snapshot('policies/no-root/v1.0.0');
    expect(snapshot.oid).toBe(first);
    expect(await snapshot.readTextFile('.octopus/web/variables.ocl')).toContain('"dev"');
    expect(await store.pathType('main', '.octopus')).toBe('folder');
    expect(await store.pathType('main', 'oclhub.ocl')).toBe('file');
    expect(await store.pathType('main', 'missing')).toBeNull();
    // A folder's tree id is what git reports, and changes only when something under it changes.
    const webAtMain = await store.stat('main', '.octopus/web');
    expect(webAtMain).toEqual({ type: 'folder', oid: git(dir, ['rev-parse', 'main:.octopus/web']).trim() });
    expect((await store.stat(first, '.octopus/web'))?.oid).not.toBe(webAtMain?.oid);
    expect((await store.stat(first, '.octopus/api'))?.oid).toBe((await store.stat('main', '.octopus/api'))?.oid);
    expect(await store.stat('main', '')).toEqual({ type: 'folder', oid: git(dir, ['rev-parse', 'main^{tree}']).trim() });
  });

  it('reads annotated and lightweight tags and lists them by prefix', async () => {
    expect(await store.listTags('policies/no-root/')).toEqual(['policies/no-root/v1.0.0', 'policies/no-root/v1.1.0']);
    expect(await store.listTags()).toEqual(git(dir, ['tag', '-l']).trim().split('\n').sort());
    expect(await store.listTags('policies/other/')).toEqual([]);
    await expectGitError(store.listTags('../'), GitErrorCode.InvalidRefName);
    const tag = await store.readTag('policies/no-root/v1.0.0');
    expect(tag.annotated).toBe(true);
    expect(tag.target).toBe(first);
    expect(tag.message).toBe(git(dir, ['tag', '-l', '--format=%(contents)', 'policies/no-root/v1.0.0']).replace(/\n+$/, ''));
    expect(tag.tagger?.name).toBe(git(dir, ['tag', '-l', '--format=%(taggername)', 'policies/no-root/v1.0.0']).trim());
    expect(tag.tagger?.timestamp).toBe(Number(git(dir, ['tag', '-l', '--format=%(taggerdate:unix)', 'policies/no-root/v1.0.0']).trim()));
    const light = await store.readTag('light-v1');
    expect(light).toMatchObject({ annotated: false, target: first, message: '', tagger: null });
  });

  it('reports unknown refs, missing files and folders-as-files with stable codes', async () => {
    await expectGitError(store.resolveRef('no-such-branch'), GitErrorCode.RefNotFound);
    await expectGitError(store.readFile('no-such-branch', 'oclhub.ocl'), GitErrorCode.RefNotFound);
    await expectGitError(store.resolveRef('0'.repeat(40)), GitErrorCode.RefNotFound);
    await expectGitError(store.readTag('policies/no-root/v9.9.9'), GitErrorCode.RefNotFound);
    await expectGitError(store.readFile('main', 'nope.ocl'), GitErrorCode.FileNotFound);
    await expectGitError(store.readFile('main', '.octopus'), GitErrorCode.NotAFile);
    await expectGitError(store.listFiles('main', 'oclhub.ocl'), GitErrorCode.NotAFile);
    await expectGitError(store.resolveRef('../../etc/passwd'), GitErrorCode.InvalidRefName);
    await expectGitError(store.resolveRef(''), GitErrorCode.InvalidRefName);
  });

  it.each([
    ['../outside', 'dotdot'],
    ['a/../../b', 'inner dotdot'],
    ['/etc/passwd', 'absolute'],
    ['C:/windows', 'drive letter'],
    ['a\\b', 'backslash'],
    ['a\0b', 'NUL'],
    ['a//b', 'empty segment'],
    ['./a', 'dot segment'],
    ['.git/config', '.git segment'],
    ['', 'empty'],
  ])('rejects the path %j (%s) with GIT001 on every ref, WORKTREE included', async (bad) => {
    for (const ref of ['main', WORKTREE]) {
      const error = await expectGitError(store.readFile(ref, bad), GitErrorCode.InvalidPath);
      expect(error.message).toContain('Invalid path');
    }
    if (bad !== '') await expectGitError(store.listFiles('main', bad), GitErrorCode.InvalidPath);
  });

  it('reports the current branch and a clean working copy', async () => {
    expect(await store.currentBranch()).toBe('main');
    expect(await store.isDirty()).toBe(false);
  });
});

describe('GitStore after git gc (packed refs and packfiles)', () => {
  let dir: string;
  let store: GitStore;
  beforeAll(async () => {
    dir = initRepo({ 'a.txt': 'one\n', 'folder/b.txt': 'two\n' });
    git(dir, ['tag', '-a', 'process-templates/build/v1.0.0', '-m', 'v1']);
    git(dir, ['tag', 'lightweight']);
    commitAll(dir, { 'folder/b.txt': 'three\n' }, 'next');
    git(dir, ['gc', '-q', '--aggressive', '--prune=now']);
    store = await openRepository({ dir });
  });
  afterAll(() => removeDir(dir));

  it('has really packed everything', () => {
    expect(fs.existsSync(path.join(dir, '.git/packed-refs'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, '.git/refs/tags'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, '.git/objects/pack')).some((f) => f.endsWith('.pack'))).toBe(true);
    expect(git(dir, ['count-objects', '-v'])).toMatch(/^count: 0$/m);
  });

  it('reads packed refs, packed objects and both tag kinds', async () => {
    expect((await store.resolveRef('main')).oid).toBe(git(dir, ['rev-parse', 'main']).trim());
    expect(await store.readTextFile('main', 'folder/b.txt')).toBe('three\n');
    expect(await store.readTextFile('process-templates/build/v1.0.0', 'folder/b.txt')).toBe('two\n');
    expect(await store.listTags('process-templates/')).toEqual(['process-templates/build/v1.0.0']);
    expect((await store.readTag('process-templates/build/v1.0.0')).message).toBe('v1');
    expect((await store.readTag('lightweight')).annotated).toBe(false);
  });
});

describe('GitStore on a bare repository', () => {
  let source: string;
  let bare: string;
  beforeAll(() => {
    source = initRepo({ 'x/y.ocl': 'a = 1\n' });
    bare = tempDir();
    git(bare, ['clone', '-q', '--bare', source, '.']);
  });
  afterAll(() => {
    removeDir(source);
    removeDir(bare);
  });

  it('is detected as bare, reads refs, and refuses WORKTREE', async () => {
    const store = await openRepository({ dir: bare });
    expect(store.bare).toBe(true);
    expect(await store.readTextFile('main', 'x/y.ocl')).toBe('a = 1\n');
    expect(await store.isDirty()).toBe(false);
    await expectGitError(store.listFiles(WORKTREE), GitErrorCode.InvalidRequest);
  });

  it('fails to open a folder that is not a repository', async () => {
    const empty = tempDir();
    try {
      await expectGitError(openRepository({ dir: empty }), GitErrorCode.RepositoryNotFound);
    } finally {
      removeDir(empty);
    }
  });
});

describe('WORKTREE pseudo-ref', () => {
  let dir: string;
  let store: GitStore;
  beforeAll(async () => {
    dir = initRepo({
      '.gitignore': 'build/\n*.log\n!keep.log\n/root-only.txt\n',
      '.octopus/web/deployment_process.ocl': OCL_PROCESS,
      'docs/.gitignore': 'draft-*\n',
    });
    store = await openRepository({ dir });
  });
  afterAll(() => removeDir(dir));

  it('sees uncommitted edits and new files while committed refs do not', async () => {
    writeFiles(dir, { '.octopus/web/deployment_process.ocl': 'step "edited" {}\n', '.octopus/web/variables.ocl': 'x = 1\n' });
    expect(await store.readTextFile(WORKTREE, '.octopus/web/deployment_process.ocl')).toBe('step "edited" {}\n');
    expect(await store.readTextFile('HEAD', '.octopus/web/deployment_process.ocl')).toBe(OCL_PROCESS);
    expect((await store.listFiles(WORKTREE, '.octopus')).map((f) => f.path)).toEqual([
      '.octopus/web/deployment_process.ocl',
      '.octopus/web/variables.ocl',
    ]);
    expect(await store.isDirty()).toBe(true);
    await expectGitError(store.readFile(WORKTREE, '.octopus/web/nope.ocl'), GitErrorCode.FileNotFound);
    await expectGitError(store.readFile(WORKTREE, '.octopus'), GitErrorCode.NotAFile);
  });

  it('never follows symlinks out of the working directory', async () => {
    const outside = tempDir();
    try {
      writeFiles(outside, { 'secret.txt': 'secret\n' });
      fs.symlinkSync(outside, path.join(dir, 'linked-folder'));
      fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'linked-file'));
      await expectGitError(store.readFile(WORKTREE, 'linked-folder/secret.txt'), GitErrorCode.FileNotFound);
      expect(await store.listFiles(WORKTREE, 'linked-folder')).toEqual([]);
      // A symlink reads as its target path, as Git would store it.
      expect(await store.readTextFile(WORKTREE, 'linked-file')).toBe(path.join(outside, 'secret.txt'));
      const listed = await store.listFiles(WORKTREE);
      expect(listed.filter((f) => f.path.startsWith('linked-'))).toEqual([
        { path: 'linked-file', oid: null, mode: '120000' },
        { path: 'linked-folder', oid: null, mode: '120000' },
      ]);
    } finally {
      fs.rmSync(path.join(dir, 'linked-folder'));
      fs.rmSync(path.join(dir, 'linked-file'));
      removeDir(outside);
    }
  });

  it('skips .git, node_modules and what .gitignore ignores, as git status does', async () => {
    writeFiles(dir, {
      'node_modules/pkg/index.js': '1',
      'build/out.ocl': 'x',
      'debug.log': 'x',
      'keep.log': 'x',
      'root-only.txt': 'x',
      'sub/root-only.txt': 'x',
      'docs/draft-1.md': 'x',
      'docs/final.md': 'x',
    });
    const listed = (await store.listFiles(WORKTREE)).map((f) => f.path);
    expect(listed.some((p) => p.startsWith('.git/'))).toBe(false);
    expect(listed.some((p) => p.startsWith('node_modules/'))).toBe(false);
    // What git itself considers present (tracked or untracked, not ignored), minus node_modules (always skipped).
    const gitView = git(dir, ['ls-files', '--cached', '--others', '--exclude-standard'])
      .trim()
      .split('\n')
      .filter((p) => !p.startsWith('node_modules/'))
      .sort();
    expect(listed).toEqual(gitView);
  });
});

describe('a long-lived store sees objects written by other processes', () => {
  it('reads new loose objects and new packs written by the git CLI after its first reads', async () => {
    const dir = initRepo({ 'a.txt': 'one\n' });
    try {
      const store = await openRepository({ dir });
      expect(await store.readTextFile('main', 'a.txt')).toBe('one\n');
      commitAll(dir, { 'a.txt': 'two\n', 'new/b.txt': 'b\n' }, 'loose');
      expect(await store.readTextFile('main', 'a.txt')).toBe('two\n');
      expect(await store.readTextFile('main', 'new/b.txt')).toBe('b\n');
      commitAll(dir, { 'a.txt': 'three\n' }, 'before gc');
      git(dir, ['gc', '-q', '--prune=now']);
      expect(await store.readTextFile('main', 'a.txt')).toBe('three\n');
      commitAll(dir, { 'c.txt': 'c\n' }, 'after gc');
      git(dir, ['repack', '-q', '-a', '-d']);
      expect(await store.readTextFile('main', 'c.txt')).toBe('c\n');
      expect((await store.listFiles('main')).map((f) => f.path)).toEqual(['a.txt', 'c.txt', 'new/b.txt']);
    } finally {
      removeDir(dir);
    }
  });
});
