/**
 * The fast paths of reads (bench/git.ts measures them): ref files remembered by their stamp, the
 * reused native inflate stream, and tree walks through cached trees. Each must give git's answers,
 * and a long-lived store must see every change another process makes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitErrorCode, openRepository } from '../../src/git/index.js';
import { inflateSized, useReusedInflater } from '../../src/git/inflate.js';
import { git, gitFailure, removeDir, tempDir, writeFiles } from './helpers.js';

let dir: string;

beforeEach(() => {
  dir = tempDir();
  git(dir, ['init', '-q', '-b', 'main']);
  writeFiles(dir, { 'a/one.txt': 'one\n', 'a/b/two.txt': 'two\n' });
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'first']);
});

afterEach(() => removeDir(dir));

const revParse = (ref: string) => git(dir, ['rev-parse', ref]).trim();

describe('ref names resolved again and again by one store', () => {
  it('follows a branch moved, packed, deleted and re-created by git', async () => {
    const store = await openRepository({ dir });
    expect((await store.resolveRef('main')).oid).toBe(revParse('main'));
    writeFiles(dir, { 'a/one.txt': 'changed\n' });
    git(dir, ['commit', '-qam', 'second']);
    const second = revParse('main');
    expect((await store.resolveRef('main')).oid).toBe(second);
    // Packed: the loose file goes, packed-refs holds the branch.
    git(dir, ['pack-refs', '--all']);
    expect(fs.existsSync(path.join(dir, '.git/refs/heads/main'))).toBe(false);
    expect((await store.resolveRef('main')).oid).toBe(revParse('main'));
    expect((await store.resolveRef('HEAD')).oid).toBe(revParse('main'));
    // A loose file written over the packed value wins again.
    const previous = revParse('main~1');
    git(dir, ['update-ref', 'refs/heads/main', previous]);
    expect((await store.resolveRef('main')).oid).toBe(previous);
    expect((await store.resolveRef('main')).oid).toBe(revParse('main'));
    // Deleted, and created again under the same name.
    git(dir, ['branch', 'gone']);
    expect((await store.resolveRef('gone')).oid).toBe(revParse('gone'));
    git(dir, ['branch', '-D', 'gone']);
    expect((await gitFailure(store.resolveRef('gone'))).code).toBe(GitErrorCode.RefNotFound);
    git(dir, ['branch', 'gone', second]);
    expect((await store.resolveRef('gone')).oid).toBe(second);
  });

  it('sees a tag created after a name was looked up and not found, before the branch of that name', async () => {
    git(dir, ['branch', 'release']);
    const store = await openRepository({ dir });
    expect((await store.resolveRef('release')).fullRef).toBe('refs/heads/release');
    writeFiles(dir, { 'a/one.txt': 'tagged\n' });
    git(dir, ['commit', '-qam', 'tagged']);
    git(dir, ['tag', 'release']);
    // Git's order: refs/tags/<name> before refs/heads/<name>.
    const resolved = await store.resolveRef('release');
    expect(resolved.fullRef).toBe('refs/tags/release');
    expect(resolved.oid).toBe(revParse('refs/tags/release'));
  });

  it('treats a name under a ref file (ENOTDIR) and a folder of refs as absent, like git', async () => {
    git(dir, ['branch', 'feature/x']);
    const store = await openRepository({ dir });
    expect((await gitFailure(store.resolveRef('main/sub'))).code).toBe(GitErrorCode.RefNotFound);
    expect((await gitFailure(store.resolveRef('refs/heads/feature'))).code).toBe(GitErrorCode.RefNotFound);
    expect((await store.resolveRef('feature/x')).oid).toBe(revParse('feature/x'));
  });

  it('reads a ref rewritten within the same millisecond-scale tick with the same size', async () => {
    const store = await openRepository({ dir });
    const first = revParse('main');
    writeFiles(dir, { 'a/one.txt': 'next\n' });
    git(dir, ['commit', '-qam', 'next']);
    const second = revParse('main');
    const file = path.join(dir, '.git/refs/heads/main');
    for (const oid of [first, second, first, second]) {
      // Rewritten in place: same inode, same size; only the content (and perhaps not even the time) differs.
      fs.writeFileSync(file, `${oid}\n`);
      expect((await store.resolveRef('main')).oid).toBe(oid);
    }
  });
});

describe('the reused inflate stream', () => {
  const text = Buffer.from('step "deploy" {\n    name = "Deploy"\n}\n'.repeat(40));
  const entry = Buffer.concat([Buffer.from([0x95, 0x0a]), deflateSync(text), Buffer.from('the next entry')]);

  for (const reuse of [true, false]) {
    it(`inflates an entry of known size and refuses damaged, truncated or mis-sized ones (${reuse ? 'reused handle' : 'inflateSync'})`, () => {
      useReusedInflater(reuse);
      try {
        expect(inflateSized(entry, 2, entry.length, text.length)?.equals(text)).toBe(true);
        expect(inflateSized(entry, 2, entry.length, text.length - 1)).toBeUndefined();
        expect(inflateSized(entry, 2, entry.length, text.length + 1)).toBeUndefined();
        expect(inflateSized(entry, 2, entry.length - 30, text.length)).toBeUndefined();
        const damaged = Buffer.from(entry);
        damaged[10] ^= 0x55;
        expect(inflateSized(damaged, 2, damaged.length, text.length)).toBeUndefined();
        // A failure leaves the stream usable for the next entry.
        expect(inflateSized(entry, 2, entry.length, text.length)?.equals(text)).toBe(true);
      } finally {
        useReusedInflater(true);
      }
    });
  }

  it('reads a repacked repository (deltas) to the bytes git reads, both ways', async () => {
    for (let i = 0; i < 5; i++) {
      writeFiles(dir, { 'a/one.txt': `one\n${'a line of a growing file\n'.repeat(20 + i)}` });
      git(dir, ['commit', '-qam', `change ${i}`]);
    }
    git(dir, ['repack', '-adfq']);
    for (const reuse of [true, false]) {
      useReusedInflater(reuse);
      try {
        const store = await openRepository({ dir });
        for (const ref of ['main', 'main~2', 'main~5']) {
          expect(await store.readTextFile(ref, 'a/one.txt')).toBe(git(dir, ['show', `${ref}:a/one.txt`]));
        }
      } finally {
        useReusedInflater(true);
      }
    }
  });
});

describe('tree walks through cached trees', () => {
  it('answers absent paths, folders and files in a pinned snapshot the same cold and warm', async () => {
    const store = await openRepository({ dir });
    const snapshot = await store.snapshot('main');
    const ask = async () => ({
      file: await snapshot.readTextFile('a/b/two.txt'),
      missing: (await gitFailure(snapshot.readFile('a/b/none.txt'))).code,
      underFile: (await gitFailure(snapshot.readFile('a/one.txt/x'))).code,
      folder: (await gitFailure(snapshot.readFile('a/b'))).code,
      stat: await snapshot.stat('a/b'),
    });
    const cold = await ask();
    expect(cold).toEqual({ file: 'two\n', missing: GitErrorCode.FileNotFound, underFile: GitErrorCode.FileNotFound, folder: GitErrorCode.NotAFile, stat: { type: 'folder', oid: revParse('main:a/b') } });
    expect(await ask()).toEqual(cold);
  });
});

describe('objects read without waiting once their pack is loaded', () => {
  it('reads the same as the async path, and reports a damaged entry with its path, as the async path does', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`projects/p${i}/deployment_process.ocl`] = `step "p${i}" {\n${'    x = "y"\n'.repeat(40 + i)}}\n`;
    writeFiles(dir, files);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'projects']);
    git(dir, ['repack', '-adfq']);
    const damagedPath = 'projects/p7/deployment_process.ocl';
    const damagedBlob = revParse(`main:${damagedPath}`);
    const packDir = path.join(dir, '.git/objects/pack');
    const idx = fs.readdirSync(packDir).find((f) => f.endsWith('.idx'))!;
    const line = git(dir, ['verify-pack', '-v', path.join(packDir, idx)]).split('\n').find((l) => l.startsWith(damagedBlob))!;
    const offset = Number(line.trim().split(/\s+/)[4]);
    const packFile = path.join(packDir, idx.replace(/\.idx$/, '.pack'));
    fs.chmodSync(packFile, 0o644);
    const bytes = fs.readFileSync(packFile);
    for (let i = offset + 4; i < offset + 16; i++) bytes[i] ^= 0x5a;
    fs.writeFileSync(packFile, bytes);

    const store = await openRepository({ dir });
    const commit = revParse('main');
    // The first read loads the pack listing and the pack; the ones after it are read synchronously.
    expect(await store.readTextFile(commit, 'a/one.txt')).toBe('one\n');
    const listed = await store.listFiles(commit, 'projects');
    expect(listed.map((f) => f.path)).toEqual(Object.keys(files).sort());
    expect(store.cacheStats().misses).toBe(1 + 1 + 1 + 1 + 1 + 12); // commit, root, a, one.txt, projects, project folders
    const seen: string[] = [];
    store.onCorruptObject((object) => seen.push(`${object.path}: ${object.oid}`));
    for (const file of listed) {
      if (file.path === damagedPath) continue;
      expect(await store.readTextFile(commit, file.path)).toBe(files[file.path]);
    }
    const failure = await gitFailure(store.readTextFile(commit, damagedPath));
    expect(failure.code).toBe(GitErrorCode.ObjectUnreadable);
    expect(failure.message).toBe(
      `The repository is corrupt: ${damagedPath} at ${commit} cannot be read: object ${damagedBlob}: the pack entry at offset ${failure.message.match(/offset (\d+)/)?.[1]} does not decompress to the ${failure.message.match(/the (\d+) bytes/)?.[1]} bytes its header says`,
    );
    expect(seen).toContain(`${damagedPath}: ${damagedBlob}`);
  });
});
