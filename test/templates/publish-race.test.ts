/** A concurrent publisher of the same version gets a clean failure, and tags are never moved. */
import { describe, expect, it } from 'vitest';
import { openRepository } from '../../src/git/index.js';
import { TemplateCatalog } from '../../src/templates/catalog.js';
import { publishTemplate } from '../../src/templates/publish.js';
import { commitAll, git, hubRepo, PUBLISHER, SMOKE_STEP, TEMPLATE_PATH, templateText } from '../hub/helpers.js';

/** A catalog that keeps the tag listing it read first, like a publisher that listed tags just before another one tagged. */
class StaleCatalog extends TemplateCatalog {
  override refresh(): void {}
}

describe('publishTemplate races', () => {
  it('the second publisher of a version gets TPL203 and the first tag stays', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const store = await openRepository({ dir });
    const stale = new StaleCatalog(store, '.octopus');
    expect(await stale.versions('process-templates', 'deploy-web')).toEqual([]);

    const first = await publishTemplate(store, new TemplateCatalog(store, '.octopus'), { kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    expect(first.ok).toBe(true);
    const tagged = git(dir, ['rev-parse', 'process-templates/deploy-web/v1.0.0']).trim();

    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP }) }, 'second change');
    const second = await publishTemplate(store, stale, { kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: { name: 'Other', email: 'other@example.com' } });
    expect(second.ok).toBe(false);
    expect(second.diagnostics.map((d) => d.code)).toEqual(['TPL203']);
    expect(second.diagnostics[0]!.summary).toContain('1.0.0');
    expect(git(dir, ['rev-parse', 'process-templates/deploy-web/v1.0.0']).trim()).toBe(tagged);
  });

  it('two publishes started together never produce the same version twice', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const stores = await Promise.all([openRepository({ dir }), openRepository({ dir })]);
    const results = await Promise.all(
      stores.map((store) => publishTemplate(store, new TemplateCatalog(store, '.octopus'), { kind: 'process-templates', slug: 'deploy-web', bump: 'prerelease', publisher: PUBLISHER })),
    );
    const versions = results.filter((r) => r.ok).map((r) => r.version);
    expect(new Set(versions).size).toBe(versions.length);
    for (const failed of results.filter((r) => !r.ok)) expect(failed.diagnostics.map((d) => d.code)).toEqual(['TPL203']);
    expect(git(dir, ['tag', '-l']).trim().split('\n').length).toBe(versions.length);
  });
});
