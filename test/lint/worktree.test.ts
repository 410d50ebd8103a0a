/** oclWorktreeMatches: are the working tree's OCL and lock files exactly the commit's? With and without remembered state. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ObjectCache, openRepository } from '../../src/git/index.js';
import { oclWorktreeMatches, statPrefix, worktreeStateHolds as stateHoldsNow, worktreeStateName, worktreeStatesWritten } from '../../src/lint/worktree.js';
import { commitAll, git, initRepo, removeDir, tempDir } from '../git/helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function repo(): string {
  const dir = initRepo({ 'oclhub.ocl': 'base_path = ".octopus"\n', '.octopus/deployment_process.ocl': 'step "a" {\n    name = "A"\n}\n', 'README.md': 'not OCL\n' });
  dirs.push(dir);
  return dir;
}

// Each check, then the state it wrote renamed into place (off the main thread in the CLI), for the test to read.
async function matches(dir: string, stateDir?: string): Promise<boolean> {
  const store = await openRepository({ dir });
  const answer = await oclWorktreeMatches(store, git(dir, ['rev-parse', 'HEAD']).trim(), dir, stateDir);
  await worktreeStatesWritten();
  return answer;
}

async function worktreeStateHolds(...args: Parameters<typeof stateHoldsNow>): Promise<boolean> {
  const answer = await stateHoldsNow(...args);
  await worktreeStatesWritten();
  return answer;
}

/**
 * A repository with three committed projects and a state folder; `both` checks the working tree with
 * the state (a tree diff from the commit it was verified at) and without any (a full listing), expects
 * the same answer from each, and returns it.
 */
function threeProjects(): { dir: string; write: (file: string, text: string) => void; both: () => Promise<boolean> } {
  const dir = repo();
  const state = tempDir('oclhub-worktree-state-');
  dirs.push(state);
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  for (const slug of ['a', 'b', 'c']) write(`projects/${slug}/.octopus/deployment_process.ocl`, `step "${slug}" {\n    name = "${slug}"\n}\n`);
  commitAll(dir, {}, 'three projects');
  const both = async () => {
    const withState = await matches(dir, state);
    expect(await matches(dir)).toBe(withState);
    return withState;
  };
  return { dir, write, both };
}

describe('oclWorktreeMatches', () => {
  it('is true for a clean tree, false for a changed, added, removed or staged OCL file; other files do not count', async () => {
    const dir = repo();
    expect(await matches(dir)).toBe(true);
    fs.writeFileSync(path.join(dir, 'README.md'), 'changed\n');
    expect(await matches(dir)).toBe(true);
    const file = path.join(dir, '.octopus/deployment_process.ocl');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('"A"', '"B"'));
    expect(await matches(dir)).toBe(false);
    fs.writeFileSync(file, original);
    expect(await matches(dir)).toBe(true);
    fs.writeFileSync(path.join(dir, '.octopus/variables.ocl'), 'variable "X" {\n    value "1" {}\n}\n');
    expect(await matches(dir)).toBe(false);
    git(dir, ['add', '-A']);
    expect(await matches(dir)).toBe(false);
    fs.rmSync(path.join(dir, '.octopus/variables.ocl'));
    git(dir, ['add', '-A']);
    expect(await matches(dir)).toBe(true);
    // A lock file is read by --locked: it counts.
    fs.writeFileSync(path.join(dir, 'oclhub.lock.json'), '{}\n');
    expect(await matches(dir)).toBe(false);
    fs.rmSync(path.join(dir, 'oclhub.lock.json'));
    fs.rmSync(path.join(dir, 'oclhub.ocl'));
    expect(await matches(dir)).toBe(false);
  });

  it("caches the files it read as the commit's blobs when they are, and never a file that differs from its blob", async () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, 'extra.ocl'), 'name = "x"\n');
    commitAll(dir, {}, 'extra');
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    const blob = (file: string) => git(dir, ['rev-parse', `HEAD:${file}`]).trim();
    const file = path.join(dir, '.octopus/deployment_process.ocl');
    const committed = fs.readFileSync(file, 'utf8');
    // With no index to vouch for any file, every file is read.
    fs.rmSync(path.join(dir, '.git/index'));
    // Clean: every file read is its blob, cached, and read back at the commit from the cache.
    let objects = new ObjectCache();
    let store = await openRepository({ dir, cache: objects });
    expect(await oclWorktreeMatches(store, head, dir)).toBe(true);
    for (const name of ['oclhub.ocl', '.octopus/deployment_process.ocl', 'extra.ocl']) expect(objects.has(blob(name))).toBe(true);
    objects.resetStats();
    expect(await store.readTextFile(head, '.octopus/deployment_process.ocl')).toBe(committed);
    expect(objects.stats().misses).toBe(0);
    // One file edited (same length): not the commit; its bytes are never taken for its blob, which reads as committed.
    fs.writeFileSync(file, committed.replace('"A"', '"B"'));
    objects = new ObjectCache();
    store = await openRepository({ dir, cache: objects });
    expect(await oclWorktreeMatches(store, head, dir)).toBe(false);
    expect(objects.has(blob('.octopus/deployment_process.ocl'))).toBe(false);
    expect(await store.readTextFile(head, '.octopus/deployment_process.ocl')).toBe(committed);
  });

  it('remembers a verified tree, and still sees a same-size edit made after it', async () => {
    const dir = repo();
    const state = tempDir('oclhub-worktree-state-');
    dirs.push(state);
    expect(await matches(dir, state)).toBe(true);
    expect(fs.readdirSync(state).filter((f) => f.startsWith('worktree-'))).toHaveLength(1);
    expect(await matches(dir, state)).toBe(true);
    const file = path.join(dir, '.octopus/deployment_process.ocl');
    // Same size, new content; the modification time moves on (set it so, whatever the clock's grain).
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"A"', '"Z"'));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    expect(await matches(dir, state)).toBe(false);
    // Committed: a new commit, a new verification.
    commitAll(dir, {}, 'Z');
    expect(await matches(dir, state)).toBe(true);
  });

  it('after a new commit, re-lists only folders whose stat moved and re-reads only files whose stat moved, and still sees every difference', async () => {
    const dir = repo();
    const state = tempDir('oclhub-worktree-state-');
    dirs.push(state);
    fs.mkdirSync(path.join(dir, 'projects/a/.octopus'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'projects/a/.octopus/deployment_process.ocl'), 'step "b" {\n    name = "B"\n}\n');
    commitAll(dir, {}, 'a project');
    // As a checkout made an hour ago leaves them: not "racily clean".
    const then = new Date(Date.now() - 3600_000);
    for (const p of ['.', '.octopus', '.octopus/deployment_process.ocl', 'oclhub.ocl', 'projects', 'projects/a', 'projects/a/.octopus', 'projects/a/.octopus/deployment_process.ocl']) fs.utimesSync(path.join(dir, p), then, then);
    expect(await matches(dir, state)).toBe(true);
    // A new commit that changes nothing lint reads: the remembered stats carry over.
    commitAll(dir, { 'README.md': 'again\n' }, 'readme');
    fs.utimesSync(dir, then, then);
    expect(await matches(dir, state)).toBe(true);
    // A new file in a folder remembered as unchanged moves the folder's time: it is listed again.
    fs.writeFileSync(path.join(dir, 'projects/a/.octopus/runbook_x.ocl'), 'name = "x"\n');
    expect(await matches(dir, state)).toBe(false);
    fs.rmSync(path.join(dir, 'projects/a/.octopus/runbook_x.ocl'));
    expect(await matches(dir, state)).toBe(true);
    // A nested new folder with an OCL file.
    fs.mkdirSync(path.join(dir, 'projects/a/.octopus/nested'));
    fs.writeFileSync(path.join(dir, 'projects/a/.octopus/nested/deployment_process.ocl'), 'step "c" {\n    name = "C"\n}\n');
    expect(await matches(dir, state)).toBe(false);
  });
  it('after a new commit, reads only the folders whose tree changed, and answers as a full listing would', async () => {
    const { dir, write, both } = threeProjects();
    expect(await both()).toBe(true);
    // One project changed, one added, one file removed: all committed, so the tree is the commit.
    write('projects/a/.octopus/deployment_process.ocl', 'step "a" {\n    name = "A2"\n}\n');
    write('projects/d/.octopus/deployment_process.ocl', 'step "d" {\n    name = "d"\n}\n');
    fs.rmSync(path.join(dir, 'projects/b/.octopus/deployment_process.ocl'));
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'change, add, remove']);
    expect(await both()).toBe(true);
    // Edits only (no file added or removed), committed: the remembered files with their new blob ids are the commit's.
    write('projects/a/.octopus/deployment_process.ocl', 'step "a" {\n    name = "A3"\n}\n');
    write('oclhub.ocl', 'base_path = ".octopus"\n# edited\n');
    git(dir, ['commit', '-qam', 'edits']);
    expect(await both()).toBe(true);
    // Edited again and committed, then edited once more without a commit: not the commit.
    write('projects/c/.octopus/deployment_process.ocl', 'step "c" {\n    name = "C2"\n}\n');
    git(dir, ['commit', '-qam', 'edit c']);
    write('projects/c/.octopus/deployment_process.ocl', 'step "c" {\n    name = "C3"\n}\n');
    expect(await both()).toBe(false);
    git(dir, ['checkout', '-q', '--', '.']);
    expect(await both()).toBe(true);
    // A commit that changes a file the working tree does not have changed (committed from elsewhere): not the commit.
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    write('projects/a/.octopus/deployment_process.ocl', 'step "a" {\n    name = "A4"\n}\n');
    git(dir, ['commit', '-qam', 'a4']);
    git(dir, ['reset', '-q', '--soft', head]);
    git(dir, ['reset', '-q']);
    git(dir, ['checkout', '-q', '--', '.']);
    git(dir, ['reset', '-q', '--soft', 'HEAD@{2}']);
    expect(await both()).toBe(false);
    git(dir, ['reset', '-q', '--hard', 'HEAD']);
    expect(await both()).toBe(true);
    // A commit adds a file the working tree then lacks: the changed folder is read, the file missed.
    write('projects/c/.octopus/variables.ocl', 'variable "X" {\n    value "1" {}\n}\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'variables']);
    fs.rmSync(path.join(dir, 'projects/c/.octopus/variables.ocl'));
    expect(await both()).toBe(false);
    git(dir, ['checkout', '-q', '--', '.']);
    expect(await both()).toBe(true);
    // Back to an older commit (the state is of a newer one): the trees differ the other way round.
    git(dir, ['checkout', '-q', 'HEAD~2']);
    expect(await both()).toBe(true);
    // A folder that becomes a file at the next commit, and a file that becomes a folder.
    git(dir, ['checkout', '-q', '-']);
    expect(await both()).toBe(true);
    fs.rmSync(path.join(dir, 'projects/d'), { recursive: true });
    write('projects/d', 'now a file\n');
    fs.rmSync(path.join(dir, 'oclhub.ocl'));
    write('oclhub.ocl/nested.ocl', 'name = "x"\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'swap']);
    expect(await both()).toBe(true);
  });
  it('lists packed trees (read without waiting), loose ones and a mix of both alike, with a state of the commit before and without', async () => {
    const { dir, write, both } = threeProjects();
    git(dir, ['gc', '-q']);
    expect(await both()).toBe(true);
    // New trees loose, the previous commit's packed: the tree diff reads both kinds.
    write('projects/b/.octopus/deployment_process.ocl', 'step "b" {\n    name = "B2"\n}\n');
    write('projects/d/.octopus/deployment_process.ocl', 'step "d" {\n    name = "d"\n}\n');
    commitAll(dir, {}, 'edit b, add d');
    expect(await both()).toBe(true);
    write('projects/e/.octopus/deployment_process.ocl', 'step "e" {\n    name = "e"\n}\n');
    expect(await both()).toBe(false);
    fs.rmSync(path.join(dir, 'projects/e'), { recursive: true });
    // One store checked twice: the second listing takes the trees the first one cached.
    const store = await openRepository({ dir });
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    expect(await oclWorktreeMatches(store, head, dir)).toBe(true);
    fs.writeFileSync(path.join(dir, 'projects/a/.octopus/extra.ocl'), 'x = 1\n');
    expect(await oclWorktreeMatches(store, head, dir)).toBe(false);
  });

  it('after a commit of edits, writes the same state a full verification writes (its own bytes patched), which then vouches as one', async () => {
    const dir = repo();
    const state = tempDir('oclhub-worktree-state-');
    const fresh = tempDir('oclhub-worktree-state-');
    dirs.push(state, fresh);
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    };
    for (const slug of ['a', 'b', 'ü c']) write(`projects/${slug}/.octopus/deployment_process.ocl`, `step "${slug}" {\n    name = "${slug}"\n}\n`);
    commitAll(dir, {}, 'three projects');
    expect(await matches(dir, state)).toBe(true);
    const stateFile = path.join(state, worktreeStateName(dir));
    // The header's verification time differs between two verifications; the rest is the same state.
    const withoutTime = (bytes: Buffer) => {
      const newline = bytes.indexOf(10);
      const fields = bytes.toString('latin1', 0, newline).split(' ');
      fields[2] = 'T';
      return Buffer.concat([Buffer.from(fields.join(' '), 'latin1'), bytes.subarray(newline)]);
    };
    for (const [round, edits] of [['1', ['projects/b/.octopus/deployment_process.ocl']], ['2', ['projects/a/.octopus/deployment_process.ocl', 'projects/ü c/.octopus/deployment_process.ocl', 'oclhub.ocl']]] as const) {
      for (const file of edits) write(file, `${fs.readFileSync(path.join(dir, file), 'utf8')}# edit ${round} makes it longer\n`);
      git(dir, ['commit', '-qam', `edits ${round}`]);
      const before = fs.readFileSync(stateFile);
      expect(await matches(dir, state)).toBe(true);
      const patched = fs.readFileSync(stateFile);
      expect(patched.equals(before)).toBe(false);
      fs.rmSync(fresh, { recursive: true, force: true });
      expect(await matches(dir, fresh)).toBe(true);
      expect(withoutTime(patched).equals(withoutTime(fs.readFileSync(path.join(fresh, worktreeStateName(dir)))))).toBe(true);
    }
    // A check right after another (its state maybe still being renamed into place) reads the new state.
    write('projects/b/.octopus/deployment_process.ocl', 'step "b" {\n    name = "b3"\n}\n');
    git(dir, ['commit', '-qam', 'edit b']);
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    expect(await oclWorktreeMatches(await openRepository({ dir }), head, dir, state)).toBe(true);
    expect(await stateHoldsNow(state, dir, head)).toBe(true);
    // The patched state vouches for the tree at its commit, and still sees an edit after it.
    expect(await worktreeStateHolds(state, dir, head)).toBe(true);
    write('projects/b/.octopus/deployment_process.ocl', 'step "b" {\n    name = "changed"\n}\n');
    expect(await worktreeStateHolds(state, dir, head)).toBe(false);
  });

  it('re-stamps its state once files had to be read, so the next check trusts their stats; an edit after that is still seen', async () => {
    const dir = repo();
    const state = tempDir('oclhub-worktree-state-');
    dirs.push(state);
    const then = new Date(Date.now() - 3600_000);
    for (const p of ['.', '.octopus', '.octopus/deployment_process.ocl', 'oclhub.ocl']) fs.utimesSync(path.join(dir, p), then, then);
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    expect(await matches(dir, state)).toBe(true);
    const stateFile = path.join(state, worktreeStateName(dir));
    const identity = () => {
      const info = fs.statSync(stateFile);
      return `${info.ino}:${info.mtimeMs}:${fs.readFileSync(stateFile).subarray(0, 120).toString('latin1').split('\n')[0]}`;
    };
    const verifiedAt = () => Number(fs.readFileSync(stateFile, 'latin1').split('\n')[0]!.split(' ')[2]);
    const first = identity();
    const firstVerified = verifiedAt();
    // Nothing to read: the state is left as it is.
    expect(await worktreeStateHolds(state, dir, head)).toBe(true);
    expect(identity()).toBe(first);
    // Touched (same content, a new time well in the past): read once, then vouched for by its new stat.
    const file = path.join(dir, '.octopus/deployment_process.ocl');
    const touched = new Date(Date.now() - 1800_000);
    fs.utimesSync(file, touched, touched);
    expect(await worktreeStateHolds(state, dir, head)).toBe(true);
    const second = identity();
    expect(second).not.toBe(first);
    expect(verifiedAt()).toBeGreaterThan(firstVerified);
    expect(await worktreeStateHolds(state, dir, head)).toBe(true);
    expect(identity()).toBe(second); // not read again, so not written again
    expect(await matches(dir, state)).toBe(true);
    // A same-size edit with the time put back to the re-stamped one: the change time still moved.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"A"', '"Q"'));
    fs.utimesSync(file, touched, touched);
    expect(await worktreeStateHolds(state, dir, head)).toBe(false);
    expect(await matches(dir, state)).toBe(false);
    // Committed, with the edit's time well in the past: after the new commit's check, the next one reads nothing.
    commitAll(dir, {}, 'Q');
    fs.utimesSync(file, touched, touched);
    fs.utimesSync(path.join(dir, '.octopus'), then, then);
    fs.utimesSync(dir, then, then);
    const next = git(dir, ['rev-parse', 'HEAD']).trim();
    expect(await matches(dir, state)).toBe(true);
    const third = identity();
    expect(await worktreeStateHolds(state, dir, next)).toBe(true);
    expect(identity()).toBe(third);
  });

  it('keeps paths of any characters in its state: non-ASCII, spaces, names like __proto__', async () => {
    const dir = repo();
    const state = tempDir('oclhub-worktree-state-');
    dirs.push(state);
    const files = ['projects/café au lait/.octopus/deployment_process.ocl', 'projects/__proto__/.octopus/deployment_process.ocl', 'projects/日本/constructor.ocl'];
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), 'step "a" {\n    name = "A"\n}\n');
    }
    commitAll(dir, {}, 'projects with unusual names');
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    expect(await matches(dir, state)).toBe(true);
    expect(await worktreeStateHolds(state, dir, head)).toBe(true);
    const edited = path.join(dir, files[0]!);
    fs.writeFileSync(edited, 'step "b" {\n    name = "B"\n}\n');
    expect(await worktreeStateHolds(state, dir, head)).toBe(false);
    expect(await matches(dir, state)).toBe(false);
    git(dir, ['checkout', '-q', '--', '.']);
    fs.writeFileSync(path.join(dir, 'projects/日本/new.ocl'), 'a = 1\n');
    expect(await worktreeStateHolds(state, dir, head)).toBe(false);
    fs.rmSync(path.join(dir, 'projects/日本/new.ocl'));
    expect(await matches(dir, state)).toBe(true);
    expect(await worktreeStateHolds(state, dir, head)).toBe(true);
  });

  it('reads a torn, foreign or other-format state as no state: the re-run check declines and the full check starts over', async () => {
    const dir = repo();
    const state = tempDir('oclhub-worktree-state-');
    dirs.push(state);
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    expect(await matches(dir, state)).toBe(true);
    const file = path.join(state, worktreeStateName(dir));
    const good = fs.readFileSync(file);
    expect(await worktreeStateHolds(state, dir, head)).toBe(true);
    expect(await worktreeStateHolds(state, dir, '0'.repeat(40))).toBe(false);
    const header = good.subarray(0, good.indexOf(10)).toString('latin1');
    for (const bad of [
      good.subarray(0, good.length - 8), // torn
      Buffer.concat([good, Buffer.alloc(8)]), // longer than its header says
      Buffer.from(good.toString('latin1').replace(/^oclhub-worktree\/\d+/, 'oclhub-worktree/4'), 'latin1'), // another format
      Buffer.concat([Buffer.from(header.replace(/ (\d+) (\d+) (\d+)$/, (_m, d: string, f: string, t: string) => ` ${d} ${f} ${Number(t) + 1}`), 'latin1'), good.subarray(header.length)]), // counts that do not add up
      Buffer.alloc(0), // empty
      Buffer.from('{"format":"oclhub-worktree/4"}'), // the old JSON state
    ]) {
      fs.writeFileSync(file, bad);
      expect(await worktreeStateHolds(state, dir, head)).toBe(false);
      expect(await matches(dir, state)).toBe(true);
      expect(fs.readFileSync(file)).toHaveLength(good.length); // written anew
      expect(await worktreeStateHolds(state, dir, head)).toBe(true);
    }
    // A stats table of the other byte order (a state carried to another machine): its marker does not read back.
    const tableAt = good.length - 8 * (1 + 2 * Number(header.split(' ')[3]) + 4 * Number(header.split(' ')[4]));
    const swapped = Buffer.from(good);
    swapped.subarray(tableAt).swap64();
    fs.writeFileSync(file, swapped);
    expect(await worktreeStateHolds(state, dir, head)).toBe(false);
  });
});

describe('statPrefix', () => {
  it("names paths relative to the process's folder only while that folder is the tree's root itself", () => {
    const base = tempDir('oclhub-stat-prefix-');
    dirs.push(base);
    const root = path.join(base, 'root');
    fs.mkdirSync(root);
    const cwd = process.cwd();
    try {
      expect(statPrefix(root)).toBe(`${root}${path.sep}`);
      process.chdir(root);
      const here = process.cwd();
      expect(statPrefix(here)).toBe('');
      // Moved away and another folder put at its path: the path names a folder the process is not in.
      fs.renameSync(here, path.join(base, 'moved'));
      fs.mkdirSync(here);
      expect(statPrefix(here)).toBe(`${here}${path.sep}`);
      // And with no folder at that path any more.
      fs.rmdirSync(here);
      expect(statPrefix(here)).toBe(`${here}${path.sep}`);
    } finally {
      process.chdir(cwd);
    }
  });

  it('sees every change from inside the tree as from outside it', async () => {
    const dir = repo();
    const stateDir = path.join(dir, '.oclhub-cache');
    const commit = git(dir, ['rev-parse', 'HEAD']).trim();
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const here = process.cwd();
      expect(statPrefix(here)).toBe('');
      // Verified once, a while after the files were written (not racily clean).
      const then = new Date(Date.now() - 3600_000);
      for (const file of ['oclhub.ocl', '.octopus/deployment_process.ocl']) fs.utimesSync(file, then, then);
      for (const folder of ['.octopus', '.']) fs.utimesSync(folder, then, then);
      expect(await matches(here, stateDir)).toBe(true);
      expect(await worktreeStateHolds(stateDir, here, commit)).toBe(true);
      // A same-size edit with the time put back: the change time moved.
      const file = '.octopus/deployment_process.ocl';
      const before = fs.statSync(file);
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text.replace('"A"', '"Z"'));
      fs.utimesSync(file, before.atime, before.mtime);
      expect(await worktreeStateHolds(stateDir, here, commit)).toBe(false);
      fs.writeFileSync(file, text);
      expect(await worktreeStateHolds(stateDir, here, commit)).toBe(true);
      // A new OCL file in a folder.
      fs.writeFileSync('.octopus/extra.ocl', 'step "x" {}\n');
      expect(await worktreeStateHolds(stateDir, here, commit)).toBe(false);
      fs.rmSync('.octopus/extra.ocl');
      expect(await worktreeStateHolds(stateDir, here, commit)).toBe(true);
      // A folder gone.
      fs.renameSync('.octopus', 'elsewhere');
      expect(await worktreeStateHolds(stateDir, here, commit)).toBe(false);
      fs.renameSync('elsewhere', '.octopus');
    } finally {
      process.chdir(cwd);
    }
  });
});
