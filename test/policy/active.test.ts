import { afterAll, describe, expect, it } from 'vitest';
import { openRepository, WORKTREE } from '../../src/git/index.js';
import { loadActivePolicies } from '../../src/policy/active.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { commitAll, git, initRepo, removeDir, writeFiles } from '../git/helpers.js';
import { policyOcl } from './helpers.js';

const created: string[] = [];
afterAll(() => created.splice(0).forEach(removeDir));

const config = (activations: string) => `base_path = ".octopus"

${activations}`;

const policy = (slug: string, allowed: boolean) =>
  policyOcl({ slug, scope: 'default evaluate := true', conditions: `result := {"allowed": ${allowed}}` });

/** A hub where `gate` 1.0.0 (allowed) and 2.0.0 (not allowed) are published, the tree has a newer draft, and `other` is never published. */
function hub(activations: string): string {
  const dir = initRepo({ 'oclhub.ocl': config(activations), '.octopus/policies/gate.ocl': policy('gate', true) });
  created.push(dir);
  git(dir, ['tag', '-a', 'policies/gate/v1.0.0', '-m', 'gate 1.0.0']);
  commitAll(dir, { '.octopus/policies/gate.ocl': policy('gate', false) }, 'gate 2');
  git(dir, ['tag', '-a', 'policies/gate/v2.0.0', '-m', 'gate 2.0.0']);
  commitAll(dir, { '.octopus/policies/library/library.ocl': policy('library', true), '.octopus/policies/other.ocl': policy('other', true) }, 'more');
  // The published library layout: policies/<slug>/<slug>.ocl.
  git(dir, ['tag', '-a', 'policies/library/v1.0.0', '-m', 'library 1.0.0']);
  writeFiles(dir, { '.octopus/policies/gate.ocl': policyOcl({ slug: 'gate', scope: 'default evaluate := false', conditions: 'result := {"allowed": true}' }) });
  return dir;
}

describe('loadActivePolicies', () => {
  it('loads each active version from its tag, whatever the working tree holds', async () => {
    const dir = hub('policy "gate" {\n    active_version = "1.0.0"\n}\n\npolicy "library" {\n    active_version = "1.0.0"\n}\n');
    const store = await openRepository({ dir });
    const { policies, diagnostics } = await loadActivePolicies({ store, ref: 'main' });
    expect(diagnostics).toEqual([]);
    expect(policies.map((p) => [p.slug, p.version, p.tag, p.file])).toEqual([
      ['gate', '1.0.0', 'policies/gate/v1.0.0', '.octopus/policies/gate.ocl'],
      ['library', '1.0.0', 'policies/library/v1.0.0', '.octopus/policies/library/library.ocl'],
    ]);
    expect(policies[0]!.commit).toBe(git(dir, ['rev-parse', 'policies/gate/v1.0.0^{commit}']).trim());
    expect(evaluatePolicy(policies[0]!, {})).toMatchObject({ outcome: 'pass', version: '1.0.0' });
  });

  it('switches versions with the activation: 2.0.0 is the published file of that tag', async () => {
    const dir = hub('policy "gate" {\n    active_version = "2.0.0"\n}\n');
    const { policies } = await loadActivePolicies({ store: await openRepository({ dir }), ref: 'main' });
    expect(policies).toHaveLength(1);
    expect(evaluatePolicy(policies[0]!, {})).toMatchObject({ outcome: 'violation', version: '2.0.0' });
  });

  it('reports an active version without a tag as an error on its active_version line, and skips the policy', async () => {
    const activations = 'policy "gate" {\n    active_version = "3.0.0"\n}\n\npolicy "other" {\n    active_version = "1.0.0"\n}\n';
    const dir = hub(activations);
    const { policies, diagnostics } = await loadActivePolicies({ store: await openRepository({ dir }), ref: 'main' });
    expect(policies).toEqual([]);
    expect(diagnostics.map((d) => [d.code, d.severity, d.file, d.range?.start.line])).toEqual([
      ['POL120', 'error', 'oclhub.ocl', 4],
      ['POL120', 'error', 'oclhub.ocl', 8],
    ]);
    expect(diagnostics[0]!.summary).toContain('policies/gate/v3.0.0');
  });

  it('reports a tag whose commit has no policy file', async () => {
    const dir = hub('policy "ghost" {\n    active_version = "1.0.0"\n}\n');
    git(dir, ['tag', '-a', 'policies/ghost/v1.0.0', '-m', 'ghost', 'main']);
    const { policies, diagnostics } = await loadActivePolicies({ store: await openRepository({ dir }), ref: 'main' });
    expect(policies).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['POL121']);
  });

  it('does not evaluate a policy without active_version (info)', async () => {
    const dir = hub('policy "gate" {\n}\n');
    const { policies, diagnostics } = await loadActivePolicies({ store: await openRepository({ dir }), ref: 'main' });
    expect(policies).toEqual([]);
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['POL123', 'info']]);
  });

  it('with drafts, evaluates every policy file at the ref — the working tree by default for authors', async () => {
    const dir = hub('policy "gate" {\n    active_version = "1.0.0"\n}\n');
    const store = await openRepository({ dir });
    const worktree = await loadActivePolicies({ store, ref: WORKTREE, drafts: true });
    expect(worktree.diagnostics).toEqual([]);
    expect(worktree.policies.map((p) => [p.slug, p.version])).toEqual([
      ['gate', undefined],
      ['library', undefined],
      ['other', undefined],
    ]);
    // The uncommitted edit makes gate out of scope.
    expect(evaluatePolicy(worktree.policies[0]!, {})).toMatchObject({ outcome: 'skipped' });
    const committed = await loadActivePolicies({ store, ref: 'main', drafts: true });
    expect(evaluatePolicy(committed.policies[0]!, {})).toMatchObject({ outcome: 'violation' });
  });
});
