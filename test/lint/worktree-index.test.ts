/**
 * oclWorktreeMatches with Git's index (a cold check, no remembered state): a file whose stat data its
 * index entry vouches for is that entry's blob without being read; any doubt reads and hashes it. A file
 * read is cached as its blob (worktree.ts), so the object cache tells which files were read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectCache, openRepository } from '../../src/git/index.js';
import { parseIndex, serializeIndex } from '../../src/git/index-file.js';
import { mayConvertContent } from '../../src/git/content-conversion.js';
import { oclWorktreeMatches } from '../../src/lint/worktree.js';
import { commitAll, git, initRepo, removeDir, tempDir } from '../git/helpers.js';

const dirs: string[] = [];
const savedEnv = { ...process.env };

// Git config and attributes outside the repository are the machine's: none for these tests.
beforeAll(() => {
  const xdg = tempDir('oclhub-xdg-');
  dirs.push(xdg);
  Object.assign(process.env, { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_ATTR_NOSYSTEM: '1', XDG_CONFIG_HOME: xdg });
});
afterAll(() => {
  for (const name of ['GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM', 'GIT_ATTR_NOSYSTEM', 'XDG_CONFIG_HOME']) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
  dirs.forEach(removeDir);
});

const OCL = ['oclhub.ocl', '.octopus/deployment_process.ocl', 'projects/a/.octopus/deployment_process.ocl'];
const PROCESS = '.octopus/deployment_process.ocl';
/** The file hashed even when the index vouches for it (a conversion Git was told of on its command line shows in it). */
const SPOT_CHECKED = ['oclhub.ocl'];

/** A repository as a checkout leaves it: files written before the index, so no entry is racily clean. */
function checkedOut(): string {
  const dir = initRepo({
    'oclhub.ocl': 'base_path = ".octopus"\n',
    [PROCESS]: 'step "a" {\n    name = "A"\n}\n',
    'projects/a/.octopus/deployment_process.ocl': 'step "b" {\n    name = "B"\n}\n',
    'README.md': 'not OCL\n',
  });
  dirs.push(dir);
  const then = new Date(Date.now() - 3600_000);
  for (const file of OCL) fs.utimesSync(path.join(dir, file), then, then);
  // Records the files' new stat data in a newly written index.
  git(dir, ['update-index', '-q', '--refresh']);
  return dir;
}

/** The check's answer at `commit` (HEAD by default), and which OCL files it read (cached as their blobs). */
async function check(dir: string, commit = git(dir, ['rev-parse', 'HEAD']).trim()): Promise<{ same: boolean; read: string[] }> {
  const objects = new ObjectCache();
  const store = await openRepository({ dir, cache: objects });
  const same = await oclWorktreeMatches(store, commit, dir);
  const read = OCL.filter((file) => objects.has(git(dir, ['rev-parse', `${commit}:${file}`]).trim()));
  return { same, read };
}

/** Sets the index file's modification time, in seconds (its content stays as it is). */
function indexTime(dir: string, time: number): void {
  fs.utimesSync(path.join(dir, '.git/index'), time, time);
}

/**
 * Rewrites `file`'s index entry to record the file's current stat data (exactly, to the nanosecond)
 * with the blob id it has, and `flags` (bits set in the entry's flags), `extended` (its extended flags,
 * version 3) and `stage`: an entry that vouches for a content the file no longer has.
 */
function forgeEntry(dir: string, file: string, options: { flags?: number; extended?: number; stage?: number } = {}): void {
  const indexFile = path.join(dir, '.git/index');
  const index = parseIndex(fs.readFileSync(indexFile));
  const entry = index.entries.find((e) => e.path === file)!;
  const stat = fs.statSync(path.join(dir, file), { bigint: true });
  const head = Buffer.alloc(options.extended === undefined ? 62 : 64);
  entry.head.copy(head, 0, 0, 62);
  head.writeUInt32BE(Number(stat.ctimeNs / 1_000_000_000n), 0);
  head.writeUInt32BE(Number(stat.ctimeNs % 1_000_000_000n), 4);
  head.writeUInt32BE(Number(stat.mtimeNs / 1_000_000_000n), 8);
  head.writeUInt32BE(Number(stat.mtimeNs % 1_000_000_000n), 12);
  head.writeUInt32BE(Number(stat.ino % 2n ** 32n), 20);
  head.writeUInt32BE(Number(stat.size), 36);
  head.writeUInt16BE(head.readUInt16BE(60) | (options.flags ?? 0) | (options.extended === undefined ? 0 : 0x4000), 60);
  if (options.extended !== undefined) {
    head.writeUInt16BE(options.extended, 62);
    index.version = 3;
  }
  entry.head = head;
  entry.stage = options.stage ?? entry.stage;
  fs.writeFileSync(indexFile, serializeIndex(index));
}

/** Replaces `file`'s content with one of the same size (and a later modification time). */
function sameSizeEdit(dir: string, file: string): void {
  const full = path.join(dir, file);
  const text = fs.readFileSync(full, 'utf8');
  fs.writeFileSync(full, text.replace('"A"', '"Z"'));
  expect(fs.readFileSync(full, 'utf8')).not.toBe(text);
}

describe('oclWorktreeMatches with the index', () => {
  it('takes a file the index vouches for as its blob without reading it, and still sees an edited, added or deleted file', async () => {
    const dir = checkedOut();
    expect(await check(dir)).toEqual({ same: true, read: SPOT_CHECKED });
    const file = path.join(dir, PROCESS);
    const original = fs.readFileSync(file);
    fs.writeFileSync(file, original.toString().replace('"A"', '"Edited"'));
    expect((await check(dir)).same).toBe(false);
    fs.writeFileSync(file, original);
    expect(await check(dir)).toMatchObject({ same: true });
    fs.writeFileSync(path.join(dir, 'projects/a/.octopus/variables.ocl'), 'variable "X" {\n    value "1" {}\n}\n');
    expect((await check(dir)).same).toBe(false);
    fs.rmSync(path.join(dir, 'projects/a/.octopus/variables.ocl'));
    expect((await check(dir)).same).toBe(true);
    fs.rmSync(path.join(dir, 'projects/a/.octopus/deployment_process.ocl'));
    expect((await check(dir)).same).toBe(false);
  });

  it('sees a same-size edit whose modification time was put back (the change time moved)', async () => {
    const dir = checkedOut();
    const full = path.join(dir, PROCESS);
    const before = fs.statSync(full);
    sameSizeEdit(dir, PROCESS);
    fs.utimesSync(full, before.atime, before.mtime);
    expect(fs.statSync(full).mtimeMs).toBe(before.mtimeMs);
    expect(fs.statSync(full).size).toBe(before.size);
    expect((await check(dir)).same).toBe(false);
  });

  it('believes an entry whose stat data match, which is why it does not believe a racily clean one, nor one Git itself does not check', async () => {
    const dir = checkedOut();
    sameSizeEdit(dir, PROCESS);
    // A whole second, which file and index times both hold exactly.
    const second = Math.floor(Date.now() / 1000) - 100;
    fs.utimesSync(path.join(dir, PROCESS), second, second);
    // A forged entry in an index written after the file was modified: believed (as by `git status`).
    forgeEntry(dir, PROCESS);
    indexTime(dir, second + 10);
    expect((await check(dir)).same).toBe(true);
    // The same entry in an index written in the instant the file was modified, or before: racily clean, so read.
    indexTime(dir, second);
    expect(fs.statSync(path.join(dir, '.git/index')).mtimeMs).toBe(fs.statSync(path.join(dir, PROCESS)).mtimeMs);
    expect((await check(dir)).same).toBe(false);
    indexTime(dir, second - 1);
    expect((await check(dir)).same).toBe(false);
    // Assume-valid, skip-worktree, intent-to-add, a conflict stage: never believed.
    for (const options of [{ flags: 0x8000 }, { extended: 0x4000 }, { extended: 0x2000 }, { stage: 1 }]) {
      const dir = checkedOut();
      sameSizeEdit(dir, PROCESS);
      forgeEntry(dir, PROCESS, options);
      indexTime(dir, Math.ceil(fs.statSync(path.join(dir, PROCESS)).mtimeMs / 1000) + 10);
      expect((await check(dir)).same, JSON.stringify(options)).toBe(false);
    }
  });

  it('reads every file without an index, with a damaged or split index, and answers as it', async () => {
    for (const spoil of [
      (dir: string) => fs.rmSync(path.join(dir, '.git/index')),
      (dir: string) => {
        const file = path.join(dir, '.git/index');
        const bytes = fs.readFileSync(file);
        bytes[bytes.length >> 1]! ^= 0xff;
        fs.writeFileSync(file, bytes);
      },
      (dir: string) => fs.writeFileSync(path.join(dir, '.git/index'), 'DIRC'),
      (dir: string) => git(dir, ['update-index', '--split-index']),
    ]) {
      const dir = checkedOut();
      spoil(dir);
      expect(await check(dir)).toEqual({ same: true, read: OCL });
      fs.writeFileSync(path.join(dir, PROCESS), 'step "a" {\n    name = "Edited"\n}\n');
      expect((await check(dir)).same).toBe(false);
    }
  });

  it('reads an index of version 4 (prefix-compressed paths)', async () => {
    const dir = checkedOut();
    git(dir, ['update-index', '--index-version', '4']);
    expect(fs.readFileSync(path.join(dir, '.git/index')).readUInt32BE(4)).toBe(4);
    expect(await check(dir)).toEqual({ same: true, read: SPOT_CHECKED });
    sameSizeEdit(dir, PROCESS);
    expect((await check(dir)).same).toBe(false);
  });

  it('reads every file when Git might convert content: attributes anywhere, line-ending config', async () => {
    const cases: [string, (dir: string) => void][] = [
      ['.gitattributes in a folder', (dir) => fs.writeFileSync(path.join(dir, 'projects/a/.gitattributes'), '*.ocl filter=lfs\n')],
      ['info/attributes', (dir) => fs.writeFileSync(path.join(dir, '.git/info/attributes'), '*.ocl text eol=crlf\n')],
      ['core.autocrlf', (dir) => git(dir, ['config', 'core.autocrlf', 'input'])],
      ['an include', (dir) => git(dir, ['config', 'include.path', '/nonexistent'])],
    ];
    for (const [name, convert] of cases) {
      const dir = checkedOut();
      convert(dir);
      expect(await check(dir), name).toEqual({ same: true, read: OCL });
    }
    const dir = checkedOut();
    expect(mayConvertContent(path.join(dir, '.git'))).toBe(false);
    expect(mayConvertContent(path.join(dir, '.git'), { ...process.env, GIT_CONFIG_PARAMETERS: "'core.autocrlf'='true'" })).toBe(true);
    expect(mayConvertContent(path.join(dir, '.git'), process.env, 'win32')).toBe(true);
  });

  it('sees content converted by settings given on the command line only, which the index records as unconverted blobs', async () => {
    const dir = checkedOut();
    for (const file of OCL) fs.rmSync(path.join(dir, file));
    // CRLF files, LF blobs in the index, and no trace of core.autocrlf in any config.
    git(dir, ['-c', 'core.autocrlf=true', 'checkout', '-q', '--', '.']);
    expect(fs.readFileSync(path.join(dir, 'oclhub.ocl'), 'latin1')).toContain('\r\n');
    const then = new Date(Date.now() - 3600_000);
    for (const file of OCL) fs.utimesSync(path.join(dir, file), then, then);
    git(dir, ['-c', 'core.autocrlf=true', 'update-index', '-q', '--refresh']);
    expect(git(dir, ['-c', 'core.autocrlf=true', 'status', '--porcelain'])).toBe('');
    expect(mayConvertContent(path.join(dir, '.git'))).toBe(false);
    expect((await check(dir)).same).toBe(false);
    // Without oclhub.ocl, the file hashed all the same is the first one the index vouches for.
    fs.rmSync(path.join(dir, 'oclhub.ocl'));
    git(dir, ['rm', '-q', '--cached', 'oclhub.ocl']);
    git(dir, ['commit', '-q', '-m', 'no oclhub.ocl']);
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    const store = await openRepository({ dir });
    expect(await oclWorktreeMatches(store, head, dir)).toBe(false);
  });

  it('takes an index at another commit: its blob ids are compared with the commit checked', async () => {
    const dir = checkedOut();
    const first = git(dir, ['rev-parse', 'HEAD']).trim();
    commitAll(dir, { [PROCESS]: 'step "a" {\n    name = "A2"\n}\n' }, 'edit');
    const then = new Date(Date.now() - 1800_000);
    for (const file of OCL) fs.utimesSync(path.join(dir, file), then, then);
    git(dir, ['update-index', '-q', '--refresh']);
    // Working tree and index at the second commit, checked against the first: the edited file differs.
    expect((await check(dir, first)).same).toBe(false);
    expect(await check(dir)).toEqual({ same: true, read: SPOT_CHECKED });
    // The first commit checked out again, index and all, then the second commit's content written back
    // over it by hand (as an editor would): the index vouches for nothing of it, the file is read.
    git(dir, ['checkout', '-q', first]);
    fs.writeFileSync(path.join(dir, PROCESS), 'step "a" {\n    name = "A2"\n}\n');
    const second = git(dir, ['rev-parse', 'main']).trim();
    expect((await check(dir, second)).same).toBe(true);
    expect((await check(dir, second)).read).toContain(PROCESS);
  });
});
