import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  TEMPLATE_KINDS,
  checkTagParts,
  isValidSlug,
  parseTagName,
  tagName,
  tagPrefix,
  versionsFromTags,
  type TemplateKind,
} from '../../src/templates/index.js';

describe('tagName / parseTagName', () => {
  it('names a tag <kind>/<slug>/v<semver>', () => {
    expect(tagName('process-templates', 'deploy-web', '1.2.0')).toBe('process-templates/deploy-web/v1.2.0');
    expect(tagName('policies', 'no_friday_deploys', '2.0.0')).toBe('policies/no_friday_deploys/v2.0.0');
    expect(tagPrefix('project-templates', 'sox-api')).toBe('project-templates/sox-api/v');
  });

  it('parses each kind, with or without refs/tags/', () => {
    for (const kind of TEMPLATE_KINDS) {
      expect(parseTagName(`${kind}/a-b/v1.0.0-prerelease.3`)).toEqual({ kind, slug: 'a-b', version: '1.0.0-prerelease.3' });
      expect(parseTagName(`refs/tags/${kind}/x/v10.20.30`)).toEqual({ kind, slug: 'x', version: '10.20.30' });
    }
  });

  it.each([
    ['unknown kind', 'step-templates/a/v1.0.0'],
    ['missing v', 'process-templates/a/1.0.0'],
    ['upper-case slug', 'process-templates/Deploy/v1.0.0'],
    ['slug with a dot', 'process-templates/a.b/v1.0.0'],
    ['slug ending in a dash', 'process-templates/a-/v1.0.0'],
    ['empty slug', 'process-templates//v1.0.0'],
    ['nested slug', 'process-templates/a/b/v1.0.0'],
    ['leading zero', 'process-templates/a/v01.0.0'],
    ['two parts', 'process-templates/a/v1.0'],
    ['build metadata', 'process-templates/a/v1.0.0+build.5'],
    ['double v', 'process-templates/a/vv1.0.0'],
    ['bad prerelease', 'process-templates/a/v1.0.0-01'],
    ['empty prerelease part', 'process-templates/a/v1.0.0-pre..1'],
    ['not a version tag', 'v1.0.0'],
    ['too short', 'policies'],
  ])('rejects %s: %s', (_, name) => {
    expect(parseTagName(name)).toBeUndefined();
  });

  it('round-trips every valid kind/slug/version', () => {
    const slug = fc.stringMatching(/^[a-z0-9](?:[a-z0-9_-]{0,20}[a-z0-9])?$/);
    const num = fc.nat({ max: 10_000 });
    const pre = fc.option(fc.stringMatching(/^(?:0|[1-9][0-9]{0,3}|[a-zA-Z-][0-9a-zA-Z-]{0,6})(?:\.(?:0|[1-9][0-9]{0,3}|[a-zA-Z-][0-9a-zA-Z-]{0,6})){0,2}$/), { nil: undefined });
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATE_KINDS), slug, num, num, num, pre, (kind, s, a, b, c, p) => {
        const version = `${a}.${b}.${c}${p === undefined ? '' : `-${p}`}`;
        expect(checkTagParts(kind, s, version)).toBeUndefined();
        expect(parseTagName(tagName(kind, s, version))).toEqual({ kind, slug: s, version });
      }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string(), (name) => {
      const parsed = parseTagName(name);
      if (parsed) expect(tagName(parsed.kind, parsed.slug, parsed.version)).toBe(name.replace(/^refs\/tags\//, ''));
    }));
  });
});

describe('checkTagParts', () => {
  it('names the part that is wrong', () => {
    expect(checkTagParts('templates', 'a', '1.0.0')?.code).toBe('TPL_TAG_KIND');
    expect(checkTagParts('policies', 'Bad Slug', '1.0.0')?.code).toBe('TPL_TAG_SLUG');
    expect(checkTagParts('policies', 'ok', 'v1.0.0')?.code).toBe('TPL_TAG_VERSION');
    expect(checkTagParts('policies', 'ok', '1.0.0+sha.abc')?.message).toMatch(/build metadata/);
  });

  it('accepts the slugs found in Octopus hubs', () => {
    for (const slug of ['github-run-action', 'check_supply_chain', 'no_prerelease_templates_to_production', 'verify-build-artifacts', 'a', '9']) {
      expect(isValidSlug(slug)).toBe(true);
    }
    for (const slug of ['', '-a', 'a_', 'a b', 'a/b', '.a', 'a.lock', 'é', 'x'.repeat(201)]) {
      expect(isValidSlug(slug)).toBe(false);
    }
  });
});

describe('versionsFromTags', () => {
  it('keeps only the versions of one template', () => {
    const tags = [
      'process-templates/web/v1.0.0',
      'process-templates/web/v1.1.0',
      'process-templates/web-api/v9.0.0',
      'policies/web/v3.0.0',
      'process-templates/web/vnot-a-version',
      'release-2024',
      'refs/tags/process-templates/web/v2.0.0-prerelease.1',
    ];
    const kind: TemplateKind = 'process-templates';
    expect(versionsFromTags(tags, kind, 'web').sort()).toEqual(['1.0.0', '1.1.0', '2.0.0-prerelease.1']);
  });
});
