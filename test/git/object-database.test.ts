import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Volume, createFsFromVolume } from 'memfs';
import { openRepository, type FsLike } from '../../src/git/index.js';
import git$ from 'isomorphic-git';
import { ObjectDatabase } from '../../src/git/object-database.js';
import { parseCommit, parseTag, parseTree } from '../../src/git/object-parse.js';
import { commitAll, git, gitEnv, initRepo, removeDir } from './helpers.js';

/** Every object of the repository as `git cat-file --batch` prints it: type and content by oid. */
function catFileAll(dir: string): Map<string, { type: string; content: Buffer }> {
  const oids = git(dir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)']).trim().split('\n');
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd: dir, env: gitEnv, input: `${oids.join('\n')}\n`, maxBuffer: 1 << 28 });
  const objects = new Map<string, { type: string; content: Buffer }>();
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(10, at);
    const [oid, type, size] = out.toString('latin1', at, eol).split(' ');
    const start = eol + 1;
    objects.set(oid!, { type: type!, content: out.subarray(start, start + Number(size)) });
    at = start + Number(size) + 1;
  }
  return objects;
}

/** Several commits of similar files, so a repack stores most blobs and trees as deltas. */
function similarHistory(): string {
  const dir = initRepo();
  for (let round = 0; round < 6; round++) {
    const files: Record<string, string> = {};
    for (let p = 0; p < 12; p++) {
      const lines = Array.from({ length: 80 }, (_, i) => `    setting_${i} = "project ${p} value ${i}${i % 7 === round ? ` changed in round ${round}` : ''}"`);
      files[`.octopus/project-${p}/deployment_process.ocl`] = `step "deploy" {\n${lines.join('\n')}\n}\n`;
    }
    files['big.bin'] = 'x'.repeat(70_000 + round * 13) + `round ${round}`;
    commitAll(dir, files, `round ${round}`);
    git(dir, ['tag', '-a', `v${round}`, '-m', `release ${round}\n\nnotes`]);
  }
  return dir;
}

async function expectSameObjects(dir: string): Promise<number> {
  const expected = catFileAll(dir);
  const odb = new ObjectDatabase(fs as unknown as FsLike, `${dir}/.git`);
  for (const [oid, object] of expected) {
    const read = await odb.read(oid);
    expect(read.type, oid).toBe(object.type);
    expect(Buffer.compare(read.content, object.content), oid).toBe(0);
  }
  return expected.size;
}

describe('ObjectDatabase reads every object as git cat-file does', () => {
  let dir: string;
  beforeAll(() => {
    dir = similarHistory();
  });
  afterAll(() => removeDir(dir));

  it('loose objects', async () => {
    expect(git(dir, ['count-objects', '-v'])).not.toMatch(/^count: 0$/m);
    expect(await expectSameObjects(dir)).toBeGreaterThan(50);
  });

  it('parses trees, commits and tags into the shapes isomorphic-git gives (signed tags too)', async () => {
    const odb = new ObjectDatabase(fs as unknown as FsLike, `${dir}/.git`);
    const signed = `object ${git(dir, ['rev-parse', 'HEAD']).trim()}\ntype commit\ntag signed\ntagger T <t@example.com> 1700000000 +0130\n\nsigned message\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n`;
    const signedOid = git(dir, ['hash-object', '-t', 'tag', '-w', '--stdin'], signed).trim();
    git(dir, ['update-ref', 'refs/tags/signed', signedOid]);
    let compared = 0;
    for (const [oid, object] of [...catFileAll(dir), [signedOid, { type: 'tag' }] as const]) {
      if (object.type === 'blob') continue;
      const expected = await git$.readObject({ fs, gitdir: `${dir}/.git`, oid, format: 'parsed' });
      const content = (await odb.read(oid)).content;
      const parsed = object.type === 'tree' ? parseTree(content) : object.type === 'commit' ? parseCommit(content) : parseTag(content);
      expect(parsed, oid).toEqual(expected.object);
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('one pack with offset deltas and deep chains (git repack -adf --depth=50)', async () => {
    git(dir, ['repack', '-adfq', '--depth=50', '--window=50']);
    expect(git(dir, ['count-objects', '-v'])).toMatch(/^count: 0$/m);
    const stats = git(dir, ['verify-pack', '-v', ...fs.readdirSync(`${dir}/.git/objects/pack`).filter((f) => f.endsWith('.idx')).map((f) => `.git/objects/pack/${f}`)]);
    expect(stats).toMatch(/chain length = [2-9]/);
    await expectSameObjects(dir);
  });

  it('ref deltas (repack.useDeltaBaseOffset=false) and a version 1 pack index', async () => {
    git(dir, ['-c', 'repack.useDeltaBaseOffset=false', '-c', 'pack.indexVersion=1', 'repack', '-adfq']);
    const idx = fs.readdirSync(`${dir}/.git/objects/pack`).find((f) => f.endsWith('.idx'))!;
    expect(fs.readFileSync(`${dir}/.git/objects/pack/${idx}`).readUInt32BE(0)).not.toBe(0xff744f63);
    await expectSameObjects(dir);
  });

  it('several packs and loose objects side by side, new ones seen after invalidate()', async () => {
    git(dir, ['repack', '-adq']);
    const odb = new ObjectDatabase(fs as unknown as FsLike, `${dir}/.git`);
    const before = git(dir, ['rev-parse', 'HEAD']).trim();
    expect((await odb.read(before)).type).toBe('commit');
    // A loose object is read from its file (nothing cached says it is absent).
    const after = commitAll(dir, { 'new.txt': 'new content\n' }, 'new commit');
    expect((await odb.read(after)).type).toBe('commit');
    // Packed into a second pack (and the loose file removed): unknown to the pack listing until invalidate().
    const later = commitAll(dir, { 'later.txt': 'later content\n' }, 'later commit');
    git(dir, ['repack', '-dq']);
    expect(fs.readdirSync(`${dir}/.git/objects/pack`).filter((f) => f.endsWith('.pack')).length).toBe(2);
    await expect(odb.read(later)).rejects.toMatchObject({ name: 'NotFoundError' });
    odb.invalidate();
    expect((await odb.read(later)).type).toBe('commit');
    commitAll(dir, { 'loose.txt': 'loose beside two packs\n' }, 'loose commit');
    await expectSameObjects(dir);
  });

  it('a corrupt pack entry is an error saying so, never "missing"', async () => {
    const copy = `${dir}-corrupt`;
    fs.cpSync(dir, copy, { recursive: true });
    try {
      git(copy, ['repack', '-adfq']);
      const pack = fs.readdirSync(`${copy}/.git/objects/pack`).find((f) => f.endsWith('.pack'))!;
      const file = `${copy}/.git/objects/pack/${pack}`;
      const path = '.octopus/project-3/deployment_process.ocl';
      const blob = git(copy, ['rev-parse', `HEAD:${path}`]).trim();
      // verify-pack -v: `<oid> <type> <size> <size in pack> <offset> …`
      const line = git(copy, ['verify-pack', '-v', file.replace(/\.pack$/, '.idx')]).split('\n').find((l) => l.startsWith(blob))!;
      const offset = Number(line.trim().split(/\s+/)[4]);
      fs.chmodSync(file, 0o644);
      const bytes = fs.readFileSync(file);
      // Damage the entry's compressed data (its header, the trailer and the index stay intact).
      for (let i = offset + 4; i < offset + 24; i++) bytes[i] = 0xff;
      fs.writeFileSync(file, bytes);
      const store = await openRepository({ dir: copy });
      const failure = await store.readFile('HEAD', path).then(() => undefined, (e: Error) => e);
      expect(failure?.message).toMatch(new RegExp(`repository is corrupt: ${path.replace(/\./g, '\\.')} at HEAD cannot be read: object ${blob}`));
      expect(failure?.message).not.toMatch(/missing/);
    } finally {
      removeDir(copy);
    }
  });
});

describe('GitStore on a packed repository', () => {
  let dir: string;
  beforeAll(() => {
    dir = similarHistory();
    git(dir, ['gc', '-q', '--aggressive', '--prune=now']);
  });
  afterAll(() => removeDir(dir));

  it('reads every file at every tag as git show does, with commits and tags parsed as git prints them', async () => {
    const store = await openRepository({ dir });
    for (let round = 0; round < 6; round++) {
      const tag = await store.readTag(`v${round}`);
      expect(tag.target).toBe(git(dir, ['rev-parse', `v${round}^{commit}`]).trim());
      expect(tag.message).toBe(`release ${round}\n\nnotes`);
      const snapshot = await store.snapshot(`v${round}`);
      for (const file of await snapshot.listFiles()) {
        expect(await snapshot.readTextFile(file.path)).toBe(git(dir, ['show', `v${round}:${file.path}`]));
      }
    }
  });

  it('sees a branch moved by git in packed-refs (cached by the file stat)', async () => {
    const store = await openRepository({ dir });
    const first = (await store.resolveRef('main')).oid;
    expect(first).toBe(git(dir, ['rev-parse', 'main']).trim());
    git(dir, ['update-ref', 'refs/heads/main', 'v2^{commit}']);
    git(dir, ['pack-refs', '--all']);
    expect(fs.existsSync(`${dir}/.git/refs/heads/main`)).toBe(false);
    expect((await store.resolveRef('main')).oid).toBe(git(dir, ['rev-parse', 'v2^{commit}']).trim());
  });
});

describe('without git or a disk: memfs', () => {
  it('reads loose objects and a pack copied in from a real repository', async () => {
    const dir = similarHistory();
    try {
      git(dir, ['repack', '-adfq']);
      commitAll(dir, { 'after-pack.txt': 'loose\n' }, 'one loose commit');
      const volume = new Volume();
      const copy = (from: string, to: string) => {
        for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
          if (entry.isDirectory()) {
            volume.mkdirSync(`${to}/${entry.name}`, { recursive: true });
            copy(`${from}/${entry.name}`, `${to}/${entry.name}`);
          } else volume.writeFileSync(`${to}/${entry.name}`, fs.readFileSync(`${from}/${entry.name}`));
        }
      };
      volume.mkdirSync('/repo/.git', { recursive: true });
      copy(`${dir}/.git`, '/repo/.git');
      const store = await openRepository({ fs: createFsFromVolume(volume) as unknown as FsLike, dir: '/repo' });
      for (const file of await store.listFiles('main')) {
        expect(await store.readTextFile('main', file.path)).toBe(git(dir, ['show', `main:${file.path}`]));
      }
    } finally {
      removeDir(dir);
    }
  });
});
