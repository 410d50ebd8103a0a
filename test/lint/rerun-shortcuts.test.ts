/**
 * The re-run shortcuts of a lint after a change: project folders listed by tree id
 * (lint/tree-listings.ts) and published policies validated once per content (hub/policy-cache.ts).
 * Each change a result depends on — a template published, a policy activated, oclhub.ocl edited, a
 * project added, removed or renamed, a file edited and not committed, a damaged cache file — leaves
 * the cached run printing byte for byte what a run without any cache prints, with the same exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRepository } from '../../src/git/index.js';
import { cachedObject } from '../../src/git/repo.js';
import { openPolicyValidations } from '../../src/hub/policy-cache.js';
import { changedPaths, untouchedBy } from '../../src/lint/run-manifest.js';
import { projectFilesAt, TreeListings } from '../../src/lint/tree-listings.js';
import { validatePolicyFile } from '../../src/policy/load.js';
import { commitAll, git, removeDir, tempDir } from '../git/helpers.js';
import { demoHub, openAt, PUBLISHER } from '../e2e/demo-hub.js';
import { expectLintSameAsUncached, run } from '../cli/helpers.js';

const lint = (cwd: string, argv: string[]) => run(cwd, 'lint', ...argv);

/** The cached run (after the previous one's cache) against a run with no cache at all, in JSON and in text. */
const expectSameAsUncached = (hub: string, what: string) => expectLintSameAsUncached(hub, what, ['json', 'text']);

const CACHE = '.oclhub-cache';
const PROCESS = 'projects/payments-api/.octopus/deployment_process.ocl';
const REPORTING = 'projects/reporting/.octopus/deployment_process.ocl';

let hub: string;

beforeAll(async () => {
  hub = await demoHub();
}, 120_000);
afterAll(() => {
  if (hub) removeDir(hub);
});

describe('oclhub lint after each kind of change, with the listing and policy caches', () => {
  it('prints what a run without cache prints', async () => {
    const first = await expectSameAsUncached(hub, 'first run');
    expect(fs.existsSync(path.join(hub, CACHE, 'lint-listings.json'))).toBe(true);
    expect(fs.existsSync(path.join(hub, CACHE, 'lint-policies.json'))).toBe(true);

    // One project changed (committed): its disabled step enabled, which changes a decision.
    const reportingText = fs.readFileSync(path.join(hub, REPORTING), 'utf8');
    commitAll(hub, { [REPORTING]: reportingText.replace('is_disabled = true\n', '') }, 'one project');
    const changed = await expectSameAsUncached(hub, 'one project changed');
    expect(changed).not.toBe(first.replaceAll(git(hub, ['rev-parse', 'HEAD~1']).trim(), git(hub, ['rev-parse', 'HEAD']).trim()));
    const process = fs.readFileSync(path.join(hub, PROCESS), 'utf8');
    commitAll(hub, { [PROCESS]: process.replace('name = "Approve"', 'name = "Approve it"') }, 'another project');
    await expectSameAsUncached(hub, 'another project changed');

    // A template published: payments-api's `1.X` mask resolves to the new version.
    const templateFile = '.octopus/process-templates/manual-approval.ocl';
    const template = fs.readFileSync(path.join(hub, templateFile), 'utf8');
    commitAll(hub, { [templateFile]: template.replace(/description = "[^"]*"/, 'description = "Approval, now with a new description"') }, 'template');
    const published = await (await openAt(hub)).publish({ kind: 'process-templates', slug: 'manual-approval', bump: 'minor', publisher: PUBLISHER });
    expect(published.published, JSON.stringify(published.diagnostics)).toBeTruthy();
    await expectSameAsUncached(hub, 'template published');

    // A policy published and activated: a new validation, the others from the cache.
    const policy = fs.readFileSync(path.join(hub, '.octopus/policies/no_disabled_steps.ocl'), 'utf8').replaceAll('package no_disabled_steps', 'package no_disabled_steps_anywhere');
    commitAll(hub, { '.octopus/policies/no_disabled_steps_anywhere.ocl': policy.replace('violation_action = "warn"', 'violation_action = "block"') }, 'policy');
    const policyPublished = await (await openAt(hub)).publish({ kind: 'policies', slug: 'no_disabled_steps_anywhere', bump: 'major', publisher: PUBLISHER });
    expect(policyPublished.published, JSON.stringify(policyPublished.diagnostics)).toBeTruthy();
    const config = fs.readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8');
    commitAll(hub, { 'oclhub.ocl': `${config}\npolicy "no_disabled_steps_anywhere" {\n    active_version = "1.0.0"\n}\n` }, 'activate');
    const activated = await expectSameAsUncached(hub, 'policy activated');
    expect(activated).toContain('no_disabled_steps_anywhere');

    // oclhub.ocl changed: a project's environments.
    const withPolicy = fs.readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8');
    commitAll(hub, { 'oclhub.ocl': withPolicy.replace('environments = ["development", "production"]', 'environments = ["development", "staging", "production"]') }, 'environments');
    await expectSameAsUncached(hub, 'oclhub.ocl changed');

    // A project added: a copy of reporting's folder (the same tree id as reporting's, another folder).
    const reporting = 'projects/reporting/.octopus';
    const copies: Record<string, string> = {};
    for (const name of fs.readdirSync(path.join(hub, reporting))) copies[`projects/reporting-copy/.octopus/${name}`] = fs.readFileSync(path.join(hub, reporting, name), 'utf8');
    const before = fs.readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8');
    commitAll(hub, { ...copies, 'oclhub.ocl': `${before}\nproject "reporting-copy" {\n    name = "Reporting copy"\n    group = "finance"\n    path = "projects/reporting-copy/.octopus"\n}\n` }, 'add');
    const added = await expectSameAsUncached(hub, 'project added');
    expect(added).toContain('projects/reporting-copy/.octopus/deployment_process.ocl');

    // A project renamed (its folder moved as it is: the same tree id under a new path).
    git(hub, ['mv', 'projects/reporting-copy', 'projects/reports']);
    fs.writeFileSync(path.join(hub, 'oclhub.ocl'), fs.readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8').replace('projects/reporting-copy/.octopus', 'projects/reports/.octopus'));
    commitAll(hub, {}, 'rename');
    const renamed = await expectSameAsUncached(hub, 'project renamed');
    expect(renamed).toContain('projects/reports/.octopus/deployment_process.ocl');
    expect(renamed).not.toContain('projects/reporting-copy/');

    // A project removed.
    const registered = fs.readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8');
    git(hub, ['rm', '-rq', 'projects/reports']);
    commitAll(hub, { 'oclhub.ocl': registered.replace(/\nproject "reporting-copy" \{[^}]*\}\n/, '\n') }, 'remove');
    const removed = await expectSameAsUncached(hub, 'project removed');
    expect(removed).not.toContain('projects/reports/');

    // A file edited in the working tree, not committed (the disabled step back): the working tree is what is linted.
    const committed = await expectSameAsUncached(hub, 'before the edit');
    fs.writeFileSync(path.join(hub, REPORTING), reportingText);
    const edited = await expectSameAsUncached(hub, 'working tree edited');
    expect(edited).not.toContain(git(hub, ['rev-parse', 'HEAD']).trim());
    expect(edited).toContain('export-to-warehouse');
    expect(committed).not.toContain('export-to-warehouse');
    git(hub, ['checkout', '--', REPORTING]);
    expect(await expectSameAsUncached(hub, 'edit undone')).toBe(committed);
    const current = fs.readFileSync(path.join(hub, PROCESS), 'utf8');

    // Damaged listings and validations: misses, same output.
    for (const name of ['lint-listings.json', 'lint-policies.json']) {
      const file = path.join(hub, CACHE, name);
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 10] ^= 0x20;
      fs.writeFileSync(file, bytes);
    }
    commitAll(hub, { [PROCESS]: current.replace('name = "Approve it"', 'name = "Approve once more"') }, 'after damage');
    await expectSameAsUncached(hub, 'damaged caches');
  }, 240_000);
});

describe('projectFilesAt with TreeListings', () => {
  it('lists a folder from Git once per tree id and folder, then from the stored listing, with the same answer', async () => {
    const dir = tempDir('oclhub-listings-');
    try {
      const store = await openRepository({ dir: hub });
      const commit = git(hub, ['rev-parse', 'HEAD']).trim();
      const listFiles = vi.spyOn(store, 'listFiles');
      const folder = 'projects/storefront/.octopus';
      const plain = await projectFilesAt(store, commit, folder, undefined);
      expect(plain?.projectFiles).toBeGreaterThan(0);
      // Runbooks are the project's own files.
      expect([...plain!.fileIds.keys()]).toContain(`${folder}/runbooks/restart-site.ocl`);
      const first = await TreeListings.open(dir);
      expect(await projectFilesAt(store, commit, folder, first)).toEqual(plain);
      await first.save();
      const calls = listFiles.mock.calls.length;
      const second = await TreeListings.open(dir);
      expect(await projectFilesAt(store, commit, folder, second)).toEqual(plain);
      expect(listFiles.mock.calls.length).toBe(calls);
      // Found from the parent folder's tree id in \`projects\`: the parent's own tree is not read.
      // After a commit that changed another project (\`projects\` is another tree, storefront's the same).
      const next = commitAll(hub, { [PROCESS]: `${fs.readFileSync(path.join(hub, PROCESS), 'utf8')}\n` }, 'another project');
      const fresh = await openRepository({ dir: hub });
      expect(await projectFilesAt(fresh, next, folder, second)).toEqual(plain);
      expect(cachedObject(fresh.context, git(hub, ['rev-parse', `${next}:projects`]).trim())).toBeDefined();
      expect(cachedObject(fresh.context, git(hub, ['rev-parse', `${next}:projects/storefront`]).trim())).toBeUndefined();
      // The same tree under another folder: listed again, its paths under that folder.
      git(hub, ['mv', 'projects/storefront', 'projects/shop']);
      git(hub, ['commit', '-qm', 'move']);
      const afterMove = git(hub, ['rev-parse', 'HEAD']).trim();
      const shop = await projectFilesAt(store, afterMove, 'projects/shop/.octopus', second);
      expect(listFiles.mock.calls.length).toBe(calls + 1);
      expect([...shop!.fileIds.keys()]).toEqual([...plain!.fileIds.keys()].map((f) => f.replace('projects/storefront/', 'projects/shop/')));
      expect(shop).toEqual(await projectFilesAt(store, afterMove, 'projects/shop/.octopus', undefined));
      // An absent folder lists as empty, with or without listings.
      expect((await projectFilesAt(store, afterMove, 'projects/storefront/.octopus', second))?.projectFiles).toBe(0);
      git(hub, ['reset', '-q', '--hard', commit]);
    } finally {
      removeDir(dir);
    }
  });

  it('with lookUpFromGitFirst, lists the first folders from Git and leaves the stored listings alone, then reads them', async () => {
    const dir = tempDir('oclhub-listings-first-');
    try {
      const store = await openRepository({ dir: hub });
      const commit = git(hub, ['rev-parse', 'HEAD']).trim();
      const [storefront, reporting] = ['projects/storefront/.octopus', 'projects/reporting/.octopus'];
      const stored = await TreeListings.open(dir);
      const expected = await projectFilesAt(store, commit, storefront, stored);
      await stored.save();
      const file = path.join(dir, 'lint-listings.json');
      const bytes = fs.readFileSync(file);
      const listFiles = vi.spyOn(store, 'listFiles');
      const listings = await TreeListings.open(dir);
      listings.lookUpFromGitFirst(1);
      // The first lookup: from Git, though the file holds the folder's listing; the same answer.
      const plainReporting = await projectFilesAt(store, commit, reporting, undefined);
      const calls = listFiles.mock.calls.length;
      expect(await projectFilesAt(store, commit, reporting, listings)).toEqual(plainReporting);
      expect(listFiles.mock.calls.length).toBe(calls + 1);
      // Nothing read: the file is not written again (it does not lose what it held).
      await listings.save();
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
      // The next lookup reads the file: the stored listing, no Git listing.
      expect(await projectFilesAt(store, commit, storefront, listings)).toEqual(expected);
      expect(listFiles.mock.calls.length).toBe(calls + 1);
      // Read now: saved with both folders.
      await listings.save();
      const again = await TreeListings.open(dir);
      for (const [folder, listing] of [[reporting, plainReporting], [storefront, expected]] as const) expect(await projectFilesAt(store, commit, folder, again)).toEqual(listing);
      expect(listFiles.mock.calls.length).toBe(calls + 1);
    } finally {
      vi.restoreAllMocks();
      removeDir(dir);
    }
  });
});

describe('the run manifest', () => {
  afterEach(() => vi.restoreAllMocks());

  it('keys the projects a commit left untouched without looking them up, and prints what a run without cache prints', async () => {
    fs.rmSync(path.join(hub, CACHE), { recursive: true, force: true });
    await expectSameAsUncached(hub, 'before');
    const listingsFile = path.join(hub, CACHE, 'lint-listings.json');
    const folders = () => [...fs.readFileSync(listingsFile, 'utf8').matchAll(/"(projects\/[^"]+\/\.octopus)"/g)].map((m) => m[1]).sort();
    const before = [...new Set(folders())];
    expect(before.length).toBeGreaterThanOrEqual(3);
    const find = vi.spyOn(TreeListings.prototype, 'find');
    const text = fs.readFileSync(path.join(hub, PROCESS), 'utf8');
    commitAll(hub, { [PROCESS]: text.replace(/name = "Approve[^"]*"/, 'name = "Approve by manifest"') }, 'manifest');
    const cached = await lint(hub, ['--format', 'json']);
    // Only the changed project was looked up.
    expect(find.mock.calls.map((call) => call[2])).toEqual(['projects/payments-api/.octopus']);
    find.mockRestore();
    expect(cached.stdout).toBe((await lint(hub, ['--format', 'json', '--no-cache'])).stdout);
    // The listings of the projects keyed from the manifest are kept.
    expect([...new Set(folders())]).toEqual(before);
    // A manifest that cannot be trusted (damaged, or naming a commit the repository lacks) is not used.
    const manifest = path.join(hub, CACHE, 'lint-manifest.json');
    const stored = fs.readFileSync(manifest, 'utf8');
    const commit = git(hub, ['rev-parse', 'HEAD']).trim();
    for (const broken of [stored.replaceAll(commit, 'f'.repeat(40)), stored.slice(0, -20)]) {
      fs.writeFileSync(manifest, broken);
      commitAll(hub, { [PROCESS]: text.replace(/name = "Approve[^"]*"/, `name = "Approve ${broken.length}"`) }, 'broken manifest');
      const spy = vi.spyOn(TreeListings.prototype, 'find');
      await expectSameAsUncached(hub, 'broken manifest');
      expect(new Set(spy.mock.calls.map((call) => call[2])).size).toBeGreaterThanOrEqual(3);
      spy.mockRestore();
    }
  }, 120_000);

  it('finds what changed between two commits by tree, and which folders that leaves untouched', async () => {
    const store = await openRepository({ dir: hub });
    const from = git(hub, ['rev-parse', 'HEAD']).trim();
    commitAll(hub, { 'projects/reporting/.octopus/notes.ocl': 'x = 1\n', 'projects/new/.octopus/deployment_process.ocl': 'step "a" {}\n' }, 'two');
    const to = git(hub, ['rev-parse', 'HEAD']).trim();
    const changed = await changedPaths(store, from, to);
    expect(changed?.sort()).toEqual(['projects/new', 'projects/reporting/.octopus/notes.ocl']);
    expect(await changedPaths(store, from, from)).toEqual([]);
    expect(await changedPaths(store, 'f'.repeat(40), to)).toBeUndefined();
    const untouched = untouchedBy(changed!);
    expect(untouched('projects/storefront/.octopus')).toBe(true);
    expect(untouched('projects/reporting/.octopus')).toBe(false);
    expect(untouched('projects/reporting')).toBe(false);
    expect(untouched('projects/new/.octopus')).toBe(false);
    expect(untouched('projects')).toBe(false);
    expect(untouched('')).toBe(false);
    expect(untouchedBy([])('')).toBe(true);
    git(hub, ['reset', '-q', '--hard', from]);
  });
});

describe('openPolicyValidations', () => {
  it('gives what validating gives, from the cache once stored; another path or text is validated again', async () => {
    const dir = tempDir('oclhub-policy-validations-');
    try {
      const file = '.octopus/policies/no_disabled_steps.ocl';
      const text = fs.readFileSync(path.join(hub, file), 'utf8');
      const expected = validatePolicyFile(file, text);
      const first = await openPolicyValidations(dir, '1.2.3');
      const fresh = first.validate(file, text);
      expect(fresh.document).toEqual(expected.document);
      await first.save();
      expect(fs.existsSync(path.join(dir, 'lint-policies.json'))).toBe(true);
      const second = await openPolicyValidations(dir, '1.2.3');
      const stored = second.validate(file, text);
      expect(stored).toEqual({ document: expected.document, diagnostics: expected.diagnostics });
      // Not the object validation returned: a stored entry was read.
      expect(stored).not.toBe(fresh);
      // A broken policy: its diagnostics kept as they are.
      const broken = second.validate(file, 'name = ');
      expect(broken.diagnostics).toEqual(validatePolicyFile(file, 'name = ').diagnostics);
      expect(broken.diagnostics.length).toBeGreaterThan(0);
      await second.save();
      const third = await openPolicyValidations(dir, '1.2.3');
      expect(third.validate(file, 'name = ').diagnostics).toEqual(broken.diagnostics);
      // Another tool version or path: validated (the same answer as validating).
      const other = await openPolicyValidations(dir, '9.9.9');
      expect(other.validate(file, text).document).toEqual(expected.document);
      expect(third.validate('.octopus/policies/elsewhere.ocl', text).diagnostics).toEqual(validatePolicyFile('.octopus/policies/elsewhere.ocl', text).diagnostics);
    } finally {
      removeDir(dir);
    }
  });
});
