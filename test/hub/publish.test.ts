import { describe, expect, it } from 'vitest';
import { parseTagMessage } from '../../src/templates/tag-message.js';
import { commitAll, git, hubRepo, hubWithHistory, open, PUBLISHER, REQUIRED_PARAMETER, SMOKE_STEP, TEMPLATE_PATH, templateText, writeFiles } from './helpers.js';

describe('Hub.publish', () => {
  it('publishes 1.0.0, 1.0.1, 1.1.0, 2.0.0 and a pre-release as annotated tags git can read', async () => {
    const { dir, hub } = await hubWithHistory();
    const tags = git(dir, ['tag', '-l', 'process-templates/*']).trim().split('\n');
    expect(tags.sort()).toEqual(
      ['1.0.0', '1.0.1', '1.1.0', '2.0.0', '3.0.0-prerelease.1'].map((v) => `process-templates/deploy-web/v${v}`).sort(),
    );
    expect(git(dir, ['cat-file', '-t', 'process-templates/deploy-web/v1.1.0']).trim()).toBe('tag');
    const shown = git(dir, ['show', '--no-patch', '--format=%H', 'process-templates/deploy-web/v1.1.0']);
    expect(shown).toContain('Adds a smoke test');
    expect(shown).toContain('Publisher: Pat Publisher <pat@example.com>');
    expect(shown).toMatch(/Content-Hash: sha256:[0-9a-f]{64}/);
    expect(shown).toContain('Required-Bump: minor');
    // The tag's commit holds the template exactly as published.
    const atTag = git(dir, ['show', `process-templates/deploy-web/v1.0.0:${TEMPLATE_PATH}`]);
    expect(atTag).toBe(templateText());
    const { versions } = await hub.versions('process-templates', 'deploy-web');
    expect(versions.map((v) => [v.version, v.prerelease])).toEqual([
      ['1.0.0', false],
      ['1.0.1', false],
      ['1.1.0', false],
      ['2.0.0', false],
      ['3.0.0-prerelease.1', true],
    ]);
    expect(versions[0]!.notes).toBe('First release');
    expect(versions[0]!.publisher).toEqual(PUBLISHER);
    expect(Date.parse(versions[0]!.date!)).not.toBeNaN();
  });

  it('refuses a minor bump after a parameter was removed, listing the reason', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const hub = await open(dir);
    expect((await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER })).version).toBe('1.0.0');
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ withoutRegion: true }) }, 'drop region');
    const refused = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'minor', publisher: PUBLISHER });
    expect(refused.ok).toBe(false);
    const error = refused.diagnostics.find((d) => d.code === 'TPL202');
    expect(error?.summary).toContain('require a major');
    expect(error?.detail).toContain('Template.Region');
    expect(git(dir, ['tag', '-l']).trim().split('\n')).toEqual(['process-templates/deploy-web/v1.0.0']);

    const forced = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'minor', force: true, publisher: PUBLISHER });
    expect(forced.ok).toBe(true);
    expect(forced.version).toBe('1.1.0');
    const message = git(dir, ['tag', '-l', '--format=%(contents)', 'process-templates/deploy-web/v1.1.0']);
    const meta = parseTagMessage(message);
    if ('error' in meta) throw new Error(meta.error.message);
    expect(meta.forced).toBe(true);
    expect(meta.requiredBump).toBe('major');
    expect(meta.requestedBump).toBe('minor');
    expect(meta.reasons.join('\n')).toContain('Template.Region');
  });

  it('requires a major for a new required parameter and accepts it', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const hub = await open(dir);
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraParameters: REQUIRED_PARAMETER }) }, 'url');
    const dry = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', dryRun: true, publisher: PUBLISHER });
    expect(dry.ok).toBe(true);
    expect(dry.published).toBe(false);
    expect(dry.version).toBe('2.0.0');
    expect(dry.bump?.required).toBe('major');
    expect(git(dir, ['tag', '-l']).trim().split('\n')).toEqual(['process-templates/deploy-web/v1.0.0']);
  });

  it('refuses a first publish that is not a major or a pre-release', async () => {
    const hub = await open(hubRepo({ [TEMPLATE_PATH]: templateText() }));
    const result = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'minor', publisher: PUBLISHER });
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]!.code).toBe('TPL206');
    const pre = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'prerelease', publisher: PUBLISHER });
    expect(pre.version).toBe('1.0.0-prerelease.1');
  });

  it('refuses a dirty working tree unless --ref names a commit', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const hub = await open(dir);
    writeFiles(dir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP }) });
    const refused = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    expect(refused.ok).toBe(false);
    expect(refused.diagnostics.map((d) => d.code)).toEqual(['TPL204']);
    const head = git(dir, ['rev-parse', 'HEAD']).trim();
    const published = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', ref: head, publisher: PUBLISHER });
    expect(published.ok).toBe(true);
    expect(git(dir, ['rev-parse', 'process-templates/deploy-web/v1.0.0^{commit}']).trim()).toBe(head);
  });

  it('refuses a template with validation errors', async () => {
    const broken = templateText().replace('worker_pool_variable = "#{Template.WorkerPool}"', 'worker_pool_variable = "#{Template.Missing}"');
    const hub = await open(hubRepo({ [TEMPLATE_PATH]: broken }));
    const result = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]!.code).toBe('TPL201');
    expect(result.diagnostics.length).toBeGreaterThan(1);
  });

  it('names the closest template when the slug does not exist', async () => {
    const hub = await open(hubRepo({ [TEMPLATE_PATH]: templateText() }));
    const result = await hub.publish({ kind: 'process-templates', slug: 'deploy-wbe', bump: 'major', publisher: PUBLISHER });
    expect(result.diagnostics[0]!.code).toBe('TPL205');
    expect(result.diagnostics[0]!.detail).toContain('deploy-web');
  });

  it('publishes policies without pre-releases', async () => {
    const policy = `name = "Require approval"
description = "Every production deployment needs a manual intervention"
violation_reason = "Add a manual intervention step"

scope {
    rego = <<-EOT
        package require_approval

        default evaluate := false

        evaluate if input.Environment.Slug == "production"
        EOT
}

conditions {
    rego = <<-EOT
        package require_approval

        default result := {"allowed": false}

        result := {"allowed": true} if {
            some step in input.Steps
            step.ActionType == "Octopus.Manual"
        }
        EOT
}
`;
    const dir = hubRepo({ '.octopus/policies/require_approval.ocl': policy });
    const hub = await open(dir);
    const pre = await hub.publish({ kind: 'policies', slug: 'require_approval', bump: 'prerelease', publisher: PUBLISHER });
    expect(pre.ok).toBe(false);
    const first = await hub.publish({ kind: 'policies', slug: 'require_approval', bump: 'major', publisher: PUBLISHER });
    expect(first.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(first.tag).toBe('policies/require_approval/v1.0.0');
    expect(git(dir, ['tag', '-l', 'policies/*']).trim()).toBe('policies/require_approval/v1.0.0');
    const files = await hub.publishedFiles('policies', 'require_approval', '1.0.0');
    expect(files.files).toEqual([{ path: '.octopus/policies/require_approval.ocl', text: policy }]);
    expect((await hub.publishedFiles('policies', 'require_approval', '9.0.0')).diagnostics[0]!.code).toBe('TPL104');
  });
});
