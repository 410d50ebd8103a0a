/**
 * Crash safety of the GitStore, on real repositories made and checked with the git CLI: objects written
 * the way Git writes them (temporary file, flushed, renamed; refs only after), a crash's empty object
 * file healed by the next write of that object, corrupt objects reported as such (never as "missing"),
 * and locks left by a crashed writer removed once stale.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitErrorCode, GitStoreError, openRepository, watchCorruption, type FsLike, type GitStore } from '../../src/git/index.js';
import { commitAll, fsck, git, gitFailure, initRepo, removeDir } from './helpers.js';

const alice = { name: 'Alice Publisher', email: 'alice@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };


function objectFile(dir: string, oid: string): string {
  return path.join(dir, '.git/objects', oid.slice(0, 2), oid.slice(2));
}

/** What `git hash-object` says the blob id of `content` is (without writing it). */
function blobId(dir: string, content: string): string {
  return execFileSync('git', ['hash-object', '--stdin'], { cwd: dir, input: content, encoding: 'utf8' }).trim();
}

/** Replaces an object file's bytes (object files are read-only, as git writes them). */
function damage(file: string, bytes: Buffer): void {
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, bytes);
}

describe('loose objects after a crash', () => {
  let dir: string;
  beforeAll(() => {
    dir = initRepo({ 'oclhub.ocl': 'base_path = ".octopus"\n', '.octopus/policies/a.ocl': 'name = "A"\n' });
  });
  afterAll(() => removeDir(dir));

  it('rewrites an empty object file when the same content is committed again, and fsck is clean after', async () => {
    const content = 'name = "B"\n';
    const oid = blobId(dir, content);
    // A writer killed between creating the object file and writing its bytes (isomorphic-git's plain writeFile).
    fs.mkdirSync(path.dirname(objectFile(dir, oid)), { recursive: true });
    fs.writeFileSync(objectFile(dir, oid), '');
    expect(fsck(dir).status).not.toBe(0);

    const store = await openRepository({ dir });
    const head = git(dir, ['rev-parse', 'main']).trim();
    const commit = await store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: '.octopus/policies/b.ocl', content }], message: 'add b', author: alice });
    expect(fs.statSync(objectFile(dir, oid)).size).toBeGreaterThan(0);
    expect(git(dir, ['cat-file', '-p', `${commit.oid}:.octopus/policies/b.ocl`])).toBe(content);
    expect(fsck(dir)).toEqual({ status: 0, output: '' });
    // Read back through a fresh store: the file exists at main (it did "not exist" before the fix).
    expect(new TextDecoder().decode(await (await openRepository({ dir })).readFile('main', '.octopus/policies/b.ocl'))).toBe(content);
  });

  it('writes objects as git does: no temporary files left, read-only object files', async () => {
    const store = await openRepository({ dir });
    const head = git(dir, ['rev-parse', 'main']).trim();
    const commit = await store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: 'notes.txt', content: 'durable\n' }], message: 'notes', author: alice });
    const blob = git(dir, ['rev-parse', `${commit.oid}:notes.txt`]).trim();
    expect(fs.statSync(objectFile(dir, blob)).mode & 0o777).toBe(0o444);
    const leftovers = fs.readdirSync(path.join(dir, '.git/objects'), { recursive: true }).map(String).filter((f) => f.includes('tmp_obj_'));
    expect(leftovers).toEqual([]);
    expect(fsck(dir).status).toBe(0);
  });
});

describe('write order: objects flushed before the ref that names them', () => {
  it('fsyncs every new object file before renaming the branch lock over the ref', async () => {
    const dir = initRepo({ 'a.txt': 'a\n' });
    try {
      const events: string[] = [];
      // Node's own fs, with the calls that matter for durability recorded in order.
      const base = fs.promises;
      const promises = new Proxy(base, {
        get(target, name) {
          const value = Reflect.get(target, name) as unknown;
          if (name === 'open') {
            return async (file: string, flags: string, mode?: number) => {
              const handle = await base.open(file, flags, mode);
              const sync = handle.sync.bind(handle);
              return Object.assign(handle, {
                sync: async () => {
                  events.push(`sync ${path.relative(dir, file)}`);
                  return sync();
                },
              });
            };
          }
          if (name === 'rename') {
            return async (from: string, to: string) => {
              events.push(`rename ${path.relative(dir, from)} -> ${path.relative(dir, to)}`);
              return base.rename(from, to);
            };
          }
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const store = await openRepository({ dir, fs: { promises } as unknown as FsLike });
      const head = git(dir, ['rev-parse', 'main']).trim();
      const commit = await store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: 'b/c.txt', content: 'c\n' }], message: 'c', author: alice });
      const refRename = events.findIndex((e) => e === 'rename .git/refs/heads/main.lock -> .git/refs/heads/main');
      expect(refRename).toBeGreaterThan(0);
      expect(events).toContain('sync .git/refs/heads/main.lock');
      // blob, two trees and the commit: each flushed under its temporary name and renamed, all before the ref moves.
      const objects = events.slice(0, refRename).filter((e) => /^rename .*tmp_obj_/.test(e));
      expect(objects).toHaveLength(4);
      for (const rename of objects) {
        const temp = rename.split(' ')[1]!;
        expect(events.indexOf(`sync ${temp}`)).toBeGreaterThanOrEqual(0);
        expect(events.indexOf(`sync ${temp}`)).toBeLessThan(events.indexOf(rename));
      }
      expect(objects.map((e) => e.split(' -> ')[1]!.replace(/\//g, '').slice(-40))).toContain(commit.oid);
      expect(fsck(dir)).toEqual({ status: 0, output: '' });
    } finally {
      removeDir(dir);
    }
  });
});

describe('corrupt objects are errors, never "missing"', () => {
  let dir: string;
  let blob: string;
  beforeAll(() => {
    dir = initRepo({ 'oclhub.ocl': 'base_path = ".octopus"\n', '.octopus/policies/a.ocl': 'name = "A"\n'.repeat(40) });
    blob = git(dir, ['rev-parse', 'HEAD:.octopus/policies/a.ocl']).trim();
    const file = objectFile(dir, blob);
    damage(file, fs.readFileSync(file).subarray(0, 12));
  });
  afterAll(() => removeDir(dir));

  it('a truncated blob: ObjectUnreadable naming the object and the path, without isomorphic-git internals', async () => {
    const store = await openRepository({ dir });
    const error = await gitFailure(store.readTextFile('HEAD', '.octopus/policies/a.ocl'));
    expect(error.code).toBe(GitErrorCode.ObjectUnreadable);
    expect(error.details.oid).toBe(blob);
    expect(error.message).toContain(blob);
    expect(error.message).toContain('.octopus/policies/a.ocl');
    expect(error.message).not.toMatch(/please report|internal error/i);
    // The path itself is still there: only its content is unreadable.
    expect(await store.pathType('HEAD', '.octopus/policies/a.ocl')).toBe('file');
  });

  it('is reported to the watch even when the caller turns the failure into "absent"', async () => {
    const store = await openRepository({ dir });
    const seen: string[] = [];
    store.onCorruptObject((o) => seen.push(o.oid));
    const watched = await watchCorruption(async () => {
      try {
        return await store.readTextFile('HEAD', '.octopus/policies/a.ocl');
      } catch {
        return undefined; // a careless caller: "no such template"
      }
    });
    expect('value' in watched && watched.value).toBeUndefined();
    expect(watched.found).toEqual([expect.objectContaining({ oid: blob, path: '.octopus/policies/a.ocl', at: 'HEAD' })]);
    expect(seen).toContain(blob);
  });

  it('is reported to every watch in progress (fail closed), and to none that starts after', async () => {
    const store = await openRepository({ dir });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A watch that reads nothing itself, running while another one meets the corrupt object.
    const bystander = watchCorruption(async () => {
      await gate;
      return 'sound';
    });
    const reader = await watchCorruption(() => store.readTextFile('HEAD', '.octopus/policies/a.ocl'));
    release();
    expect(reader.found.map((o) => o.oid)).toEqual([blob]);
    expect((await bystander).found.map((o) => o.oid)).toEqual([blob]);
    expect((await watchCorruption(async () => 'later')).found).toEqual([]);
  });

  it('an empty tree object makes the folder unreadable, not empty', async () => {
    const other = initRepo({ '.octopus/policies/x.ocl': 'name = "X"\n', 'oclhub.ocl': 'base_path = ".octopus"\n' });
    try {
      const tree = git(other, ['rev-parse', 'HEAD:.octopus/policies']).trim();
      damage(objectFile(other, tree), Buffer.alloc(0));
      const store = await openRepository({ dir: other });
      const error = await gitFailure(store.listFiles('HEAD', '.octopus'));
      expect(error.code).toBe(GitErrorCode.ObjectUnreadable);
      expect(error.message).toContain('.octopus/policies');
      expect(error.message).toContain('empty');
      expect((await gitFailure(store.readFile('HEAD', '.octopus/policies/x.ocl'))).code).toBe(GitErrorCode.ObjectUnreadable);
    } finally {
      removeDir(other);
    }
  });

  it('an unknown commit id a user types is still just unknown (not corruption)', async () => {
    const store = await openRepository({ dir });
    const watched = await watchCorruption(() => store.resolveRef('0123456789abcdef0123456789abcdef01234567'));
    expect('error' in watched && (watched.error as GitStoreError).code).toBe(GitErrorCode.RefNotFound);
    expect(watched.found).toEqual([]);
  });
});

describe('stale locks', () => {
  let dir: string;
  let store: GitStore;
  beforeAll(async () => {
    dir = initRepo({ '.octopus/policies/a.ocl': 'name = "A"\n' });
    store = await openRepository({ dir });
  });
  afterAll(() => removeDir(dir));

  const age = (file: string, seconds: number) => {
    const then = new Date(Date.now() - seconds * 1000);
    fs.utimesSync(file, then, then);
  };

  it('a tag lock older than a minute (a crashed publisher) is removed and the tag created', async () => {
    const lock = path.join(dir, '.git/refs/tags/policies/a/v1.0.0.lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, '');
    age(lock, 120);
    const tag = await store.createTag({ name: 'policies/a/v1.0.0', target: 'main', message: 'first', tagger: alice });
    expect(git(dir, ['rev-parse', 'policies/a/v1.0.0']).trim()).toBe(tag.oid);
    expect(fs.existsSync(lock)).toBe(false);
    expect(fsck(dir).status).toBe(0);
  });

  it('a fresh lock (a live writer) is waited for, then RefLocked with a retry hint and no server path', async () => {
    const lock = path.join(dir, '.git/refs/tags/policies/a/v2.0.0.lock');
    fs.writeFileSync(lock, '');
    try {
      const error = await gitFailure(store.createTag({ name: 'policies/a/v2.0.0', target: 'main', message: 'second', tagger: alice, lockTimeoutMs: 50 }));
      expect(error.code).toBe(GitErrorCode.RefLocked);
      expect(error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(error.message).toContain('.git/refs/tags/policies/a/v2.0.0.lock');
      expect(error.message).not.toContain(dir);
      expect(fs.existsSync(lock)).toBe(true);
    } finally {
      fs.rmSync(lock);
    }
  });

  it('a stale branch lock is removed too', async () => {
    const head = git(dir, ['rev-parse', 'main']).trim();
    const lock = path.join(dir, '.git/refs/heads/main.lock');
    fs.writeFileSync(lock, `${head}\n`);
    age(lock, 61);
    const commit = await store.commitChanges({ branch: 'main', expectedOid: head, changes: [{ path: 'b.txt', content: 'b\n' }], message: 'b', author: alice });
    expect(git(dir, ['rev-parse', 'main']).trim()).toBe(commit.oid);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('a repository lock serialises check-then-act across stores, and a stale one is taken over', async () => {
    const other = await openRepository({ dir });
    const order: string[] = [];
    const slow = (label: string) => async () => {
      order.push(`${label} in`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push(`${label} out`);
    };
    await Promise.all([store.withLock('publish/policies/a', slow('A')), other.withLock('publish/policies/a', slow('B'))]);
    expect([order.slice(0, 2), order.slice(2)].map((pair) => pair[0]!.split(' ')[0] === pair[1]!.split(' ')[0])).toEqual([true, true]);
    const lock = path.join(dir, '.git/oclhub/locks/publish/policies/a.lock');
    fs.writeFileSync(lock, '99999 crashed\n');
    age(lock, 120);
    expect(await store.withLock('publish/policies/a', async () => 'ran', { timeoutMs: 50 })).toBe('ran');
    expect(fs.existsSync(lock)).toBe(false);
    // git itself ignores the folder: fsck stays clean.
    expect(fsck(dir).status).toBe(0);
  });
});

describe('revisions users type', () => {
  let dir: string;
  let store: GitStore;
  const commits: string[] = [];
  beforeAll(async () => {
    dir = initRepo({ 'a.txt': '1\n' });
    commits.push(git(dir, ['rev-parse', 'HEAD']).trim());
    commits.push(commitAll(dir, { 'a.txt': '2\n' }, 'two'));
    commits.push(commitAll(dir, { 'a.txt': '3\n' }, 'three'));
    git(dir, ['tag', '-a', 'policies/a/v1.0.0', '-m', 'v1', 'HEAD~1']);
    git(dir, ['branch', 'feature']);
    git(dir, ['update-ref', 'refs/remotes/origin/main', commits[1]!]);
    store = await openRepository({ dir });
  });
  afterAll(() => removeDir(dir));

  it('resolves what git rev-parse resolves', async () => {
    const short = commits[1]!.slice(0, 8);
    for (const rev of ['HEAD', 'HEAD~2', 'HEAD^', 'HEAD~', 'HEAD^^', 'main~1', 'main^1', 'main~0', '@', '@~1', 'feature~2', 'policies/a/v1.0.0^{commit}', 'policies/a/v1.0.0~1', 'origin/main', 'origin/main^', short, `${short}~1`, commits[2]!]) {
      expect((await store.resolveRef(rev)).oid, rev).toBe(git(dir, ['rev-parse', `${rev}^{commit}`]).trim());
    }
  });

  it('an unknown ref is "Unknown ref" with did-you-mean, never "Invalid tag name"', async () => {
    const typo = await gitFailure(store.resolveRef('mian'));
    expect(typo.code).toBe(GitErrorCode.RefNotFound);
    expect(typo.message).toBe('Unknown ref "mian": no branch, tag or commit has that name. Did you mean "main"?');
    expect(typo.details.suggestion).toBe('main');
    expect((await gitFailure(store.resolveRef('featur~1'))).details.suggestion).toBe('feature');
    const tooFar = await gitFailure(store.resolveRef('HEAD~5'));
    expect(tooFar.code).toBe(GitErrorCode.RefNotFound);
    expect(tooFar.message).toContain('has no parent');
    const merge = await gitFailure(store.resolveRef('HEAD^2'));
    expect(merge.message).toContain('has no parent 2');
    for (const bad of ['HEAD~x', '~1', 'main@{1}', 'a b']) {
      const error = await gitFailure(store.resolveRef(bad));
      expect(error.code, bad).toBe(GitErrorCode.InvalidRefName);
      expect(error.message).not.toContain('tag name');
    }
  });
});

describe('writeFileAtomicWith: a file written in pieces', () => {
  it('writes groups of pieces in order, with Node and with a file system whose handles have no writev', async () => {
    const { writeFileAtomicWith } = await import('../../src/git/durable.js');
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'oclhub-writev-'));
    try {
      const pieces = Array.from({ length: 2_000 }, (_, i) => Buffer.from(`piece ${i}|`));
      const expected = Buffer.concat(pieces).toString();
      const withWritev = path.join(dir, 'a.txt');
      await writeFileAtomicWith(fs as unknown as FsLike, withWritev, async (out) => {
        await out.write('head|');
        // More pieces than one writev system call takes (IOV_MAX 1024): all of them still land, in order.
        await out.writev(pieces);
      });
      expect(fs.readFileSync(withWritev, 'utf8')).toBe(`head|${expected}`);

      const plainOpen = fs.promises.open;
      const noWritev = { promises: { ...fs.promises, open: async (...args: Parameters<typeof plainOpen>) => {
        const handle = await plainOpen(...args);
        return { write: (d: Uint8Array) => handle.write(d), writeFile: (d: Uint8Array) => handle.writeFile(d), sync: () => handle.sync(), close: () => handle.close() };
      } } } as unknown as FsLike;
      const without = path.join(dir, 'b.txt');
      await writeFileAtomicWith(noWritev, without, async (out) => void (await out.writev(pieces.slice(0, 10))));
      expect(fs.readFileSync(without, 'utf8')).toBe(Buffer.concat(pieces.slice(0, 10)).toString());
      expect(fs.readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt']);
    } finally {
      removeDir(dir);
    }
  });

  it('hands `written` the complete temporary file before the rename, and a failing `written` leaves the destination as it was', async () => {
    const { writeFileAtomicWith } = await import('../../src/git/durable.js');
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'oclhub-written-'));
    try {
      const file = path.join(dir, 'report.json');
      const pieces = Array.from({ length: 3_000 }, (_, i) => Buffer.from(`piece ${i}|`));
      const copy = path.join(dir, 'copy');
      let seen: string | undefined;
      await writeFileAtomicWith(
        fs as unknown as FsLike,
        file,
        async (out) => void (await out.writev(pieces)),
        undefined,
        async (temp) => {
          seen = temp;
          expect(fs.existsSync(file)).toBe(false); // not renamed yet
          await fs.promises.copyFile(temp, copy);
        },
      );
      expect(path.dirname(seen!)).toBe(dir);
      expect(path.basename(seen!)).toMatch(/^\.report\.json\.tmp-/);
      expect(fs.readFileSync(copy)).toEqual(Buffer.concat(pieces));
      expect(fs.readFileSync(file)).toEqual(Buffer.concat(pieces));

      fs.writeFileSync(file, 'the old report\n');
      await expect(
        writeFileAtomicWith(fs as unknown as FsLike, file, async (out) => void (await out.write('new')), undefined, async () => {
          throw new Error('no copy');
        }),
      ).rejects.toThrow('no copy');
      expect(fs.readFileSync(file, 'utf8')).toBe('the old report\n');
      expect(fs.readdirSync(dir).sort()).toEqual(['copy', 'report.json']);
    } finally {
      removeDir(dir);
    }
  });
});

describe('writeFileAtomicWith: a large file flushed while it is written', () => {
  it('starts flushes behind the writes, keeps every byte in order, and fails the write when an early flush fails', async () => {
    const { writeFileAtomicWith, WRITE_BEHIND_BYTES } = await import('../../src/git/durable.js');
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'oclhub-write-behind-'));
    try {
      const slab = Buffer.alloc(1 << 20);
      const slabs = Math.ceil((2.5 * WRITE_BEHIND_BYTES) / slab.length);
      const plainOpen = fs.promises.open;
      /** Node's file system, counting each handle's flushes; `failing`: the early ones fail. */
      const counted = (failing: boolean) => {
        const calls = { datasync: 0, sync: 0 };
        const fsLike = { promises: { ...fs.promises, open: async (...args: Parameters<typeof plainOpen>) => {
          const handle = await plainOpen(...args);
          return {
            write: (d: Uint8Array) => handle.write(d),
            writeFile: (d: Uint8Array) => handle.writeFile(d),
            datasync: async () => {
              calls.datasync++;
              if (failing) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
              return handle.datasync();
            },
            sync: () => (calls.sync++, handle.sync()),
            close: () => handle.close(),
          };
        } } } as unknown as FsLike;
        return { calls, fsLike };
      };
      const fill = async (out: { write(piece: Uint8Array): Promise<unknown> }) => {
        for (let i = 0; i < slabs; i++) await out.write(slab.fill(i % 251));
      };
      const expected = Buffer.concat(Array.from({ length: slabs }, (_, i) => Buffer.alloc(slab.length, i % 251)));

      const file = path.join(dir, 'report.json');
      const good = counted(false);
      await writeFileAtomicWith(good.fsLike, file, fill);
      expect(fs.readFileSync(file).equals(expected)).toBe(true);
      expect(good.calls.datasync).toBeGreaterThanOrEqual(1); // behind the writes
      expect(good.calls.sync).toBe(2); // and the last flush, as before (the file's, then its folder's)

      // An early flush that fails: the write fails, the report in place stays, no temporary file is left.
      fs.writeFileSync(file, 'the old report\n');
      const bad = counted(true);
      await expect(writeFileAtomicWith(bad.fsLike, file, fill)).rejects.toThrow('EIO');
      expect(bad.calls.datasync).toBe(1); // no flush started after one failed
      expect(fs.readFileSync(file, 'utf8')).toBe('the old report\n');
      expect(fs.readdirSync(dir)).toEqual(['report.json']);

      // A small file is only flushed once, at the end.
      const small = counted(false);
      await writeFileAtomicWith(small.fsLike, path.join(dir, 'small.json'), async (out) => void (await out.write(slab)));
      expect(small.calls).toEqual({ datasync: 0, sync: 2 });
    } finally {
      removeDir(dir);
    }
  });
});

describe('replaceFileSync: caches and records replaced atomically', () => {
  it('replaces the file whole, leaves no temporary file, and removes its own when the rename fails', async () => {
    const { replaceFileSync } = await import('../../src/git/durable.js');
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'oclhub-replace-'));
    try {
      const file = path.join(dir, 'record.json');
      replaceFileSync(file, 'first');
      replaceFileSync(file, Buffer.from('second'));
      expect(fs.readFileSync(file, 'utf8')).toBe('second');
      expect(fs.readdirSync(dir)).toEqual(['record.json']);

      // A folder where the file should be: the temporary file is written, the rename fails, and it is removed.
      const taken = path.join(dir, 'taken');
      fs.mkdirSync(path.join(taken, 'inside'), { recursive: true });
      expect(() => replaceFileSync(taken, 'data')).toThrow();
      expect(fs.readdirSync(dir).sort()).toEqual(['record.json', 'taken']);

      // No folder: nothing is created.
      expect(() => replaceFileSync(path.join(dir, 'missing', 'file'), 'data')).toThrow();
      expect(fs.readdirSync(dir).sort()).toEqual(['record.json', 'taken']);
    } finally {
      removeDir(dir);
    }
  });
});
