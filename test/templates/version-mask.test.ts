import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import semver from 'semver';
import {
  describeNoMatch,
  maskMatches,
  newestAllowed,
  newestOverall,
  parseVersionMask,
  resolveMask,
  type VersionMask,
} from '../../src/templates/index.js';
import { newestOverallOf, resolvedMaskOf } from '../../src/templates/version-mask.js';

function mask(text: string): VersionMask {
  const parsed = parseVersionMask(text);
  if ('error' in parsed) throw new Error(`test setup: ${parsed.error.message}`);
  return parsed;
}

const HISTORY = ['1.0.0', '1.1.0', '1.1.1', '1.2.0-prerelease.1', '1.2.0-rc.1', '2.0.0', '2.1.0', '3.0.0-prerelease.2'];

describe('parseVersionMask', () => {
  it.each([
    ['1.X', { kind: 'minor-updates', major: 1, prerelease: undefined, octopusCompatible: true }],
    ['2.x', { kind: 'minor-updates', major: 2, prerelease: undefined, octopusCompatible: true }],
    ['2.X.X', { kind: 'minor-updates', major: 2, prerelease: undefined, octopusCompatible: false }],
    ['1.1.x', { kind: 'patch-updates', major: 1, minor: 1, prerelease: undefined, octopusCompatible: true }],
    ['0.3.X', { kind: 'patch-updates', major: 0, minor: 3, prerelease: undefined, octopusCompatible: true }],
    ['prerelease', { kind: 'prerelease', octopusCompatible: true }],
    ['Prerelease', { kind: 'prerelease', octopusCompatible: false }],
    ['1.0.0', { kind: 'exact', version: '1.0.0', octopusCompatible: false }],
    ['1.0.0-rc.1', { kind: 'exact', version: '1.0.0-rc.1', octopusCompatible: false }],
    ['2.X-prerelease', { kind: 'minor-updates', major: 2, prerelease: 'prerelease', octopusCompatible: false }],
    ['2.3.X-*', { kind: 'patch-updates', major: 2, minor: 3, prerelease: '*', octopusCompatible: false }],
  ])('reads %s', (text, expected) => {
    expect(parseVersionMask(text)).toEqual({ text, ...expected });
  });

  it('trims surrounding blanks', () => {
    expect(parseVersionMask('  1.X ')).toMatchObject({ kind: 'minor-updates', text: '1.X' });
  });

  it.each([
    ['', 'TPL_MASK_EMPTY'],
    ['   ', 'TPL_MASK_EMPTY'],
    ['X', 'TPL_MASK_FLOATING_MAJOR'],
    ['x.X', 'TPL_MASK_FLOATING_MAJOR'],
    ['*', 'TPL_MASK_FLOATING_MAJOR'],
    ['1', 'TPL_MASK_SYNTAX'],
    ['1.2', 'TPL_MASK_SYNTAX'],
    ['1.X.2', 'TPL_MASK_SYNTAX'],
    ['01.X', 'TPL_MASK_SYNTAX'],
    ['v1.X', 'TPL_MASK_SYNTAX'],
    ['1.X-', 'TPL_MASK_SYNTAX'],
    ['1.X-a.b', 'TPL_MASK_SYNTAX'],
    ['^1.0.0', 'TPL_MASK_SYNTAX'],
    ['1.0.0+build', 'TPL_MASK_SYNTAX'],
    ['99999999999999999999.X', 'TPL_MASK_SYNTAX'],
  ])('rejects %j with %s', (text, code) => {
    const parsed = parseVersionMask(text);
    expect('error' in parsed && parsed.error.code).toBe(code);
    expect('error' in parsed && parsed.error.message).toMatch(/<major>\.X|too large/);
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      const parsed = parseVersionMask(text);
      expect('error' in parsed || parsed.text === text.trim()).toBe(true);
    }));
    expect('error' in parseVersionMask(undefined as never)).toBe(true);
  });
});

describe('resolveMask', () => {
  it.each([
    ['1.X', '1.1.1'],
    ['1.x', '1.1.1'],
    ['1.X.X', '1.1.1'],
    ['1.1.X', '1.1.1'],
    ['1.0.X', '1.0.0'],
    ['2.X', '2.1.0'],
    ['2.0.X', '2.0.0'],
    ['prerelease', '3.0.0-prerelease.2'],
    ['1.X-*', '1.2.0-rc.1'],
    ['1.X-prerelease', '1.2.0-prerelease.1'],
    ['1.X-rc', '1.2.0-rc.1'],
    ['1.X-beta', '1.1.1'],
    ['1.2.X-*', '1.2.0-rc.1'],
    ['2.X-*', '2.1.0'],
    ['1.1.0', '1.1.0'],
    ['1.2.0-rc.1', '1.2.0-rc.1'],
  ])('%s takes %s', (text, expected) => {
    expect(resolveMask(mask(text), HISTORY)).toBe(expected);
  });

  it.each([['3.X'], ['1.3.X'], ['4.X'], ['1.5.0'], ['2.2.X-*']])('%s takes nothing', (text) => {
    expect(resolveMask(mask(text), HISTORY)).toBeUndefined();
  });

  it('prefers the stable release over its pre-releases', () => {
    expect(resolveMask(mask('1.X-*'), ['1.2.0-prerelease.4', '1.2.0'])).toBe('1.2.0');
  });

  it('ignores strings that are not versions', () => {
    expect(resolveMask(mask('1.X'), ['1.9', 'v1.8.0', '1.2.0', 'junk'])).toBe('1.2.0');
  });

  it('never takes another major (except the prerelease mask), nor an unrequested pre-release', () => {
    const versions = fc.array(fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4), fc.option(fc.nat(3), { nil: undefined })).map(([a, b, c, p]) => `${a}.${b}.${c}${p === undefined ? '' : `-prerelease.${p}`}`));
    fc.assert(
      fc.property(versions, fc.nat(4), fc.nat(4), fc.boolean(), (list, major, minor, patchOnly) => {
        const m = mask(patchOnly ? `${major}.${minor}.X` : `${major}.X`);
        const chosen = resolveMask(m, list);
        const eligible = list.filter((v) => semver.major(v) === major && (!patchOnly || semver.minor(v) === minor) && !semver.prerelease(v));
        if (eligible.length === 0) expect(chosen).toBeUndefined();
        else expect(chosen).toBe(semver.rsort([...eligible])[0]);
        const anything = resolveMask(mask('prerelease'), list);
        expect(anything).toBe(list.length ? semver.rsort([...list])[0] : undefined);
      }),
    );
  });
});

describe('newestAllowed / newestOverall', () => {
  it('tell a consumer what it gets and what exists', () => {
    expect(newestAllowed(mask('1.X'), HISTORY)).toBe('1.1.1');
    expect(newestOverall(HISTORY)).toBe('2.1.0');
    expect(newestOverall(HISTORY, { includePrereleases: true })).toBe('3.0.0-prerelease.2');
    expect(newestOverall([])).toBeUndefined();
  });

  it('matches single versions', () => {
    expect(maskMatches(mask('1.X'), '1.9.9')).toBe(true);
    expect(maskMatches(mask('1.X'), '2.0.0')).toBe(false);
    expect(maskMatches(mask('1.X'), 'not-a-version')).toBe(false);
  });
});

describe('resolvedMaskOf / newestOverallOf (remembered)', () => {
  it('answer as resolveMask and newestOverall do, for each mask text and list of versions', () => {
    const lists = [['1.0.0', '1.2.0', '2.0.0'], ['1.0.0', '1.2.0', '1.3.0-rc.1', '2.0.0', '2.1.0'], ['3.0.0'], []];
    for (let round = 0; round < 2; round++) {
      for (const versions of lists) {
        for (const text of ['1.X', '2.X', '1.2.X', '1.X-*', 'prerelease', '1.0.0']) {
          const mask = parseVersionMask(text) as VersionMask;
          expect(resolvedMaskOf(mask, versions), `${text} of ${versions.join(', ')}`).toBe(resolveMask(mask, versions));
        }
        expect(newestOverallOf(versions)).toBe(newestOverall(versions));
      }
    }
  });
});

describe('describeNoMatch', () => {
  it('says there is nothing published', () => {
    expect(describeNoMatch(mask('1.X'), [])).toBe('no published version matches version_mask "1.X": the template has no published versions yet (publish one first)');
  });

  it('names the mask and the published versions and points at the newer major', () => {
    const message = describeNoMatch(mask('3.X'), ['1.0.0', '2.0.0', '4.1.0']);
    expect(message).toContain('"3.X"');
    expect(message).toContain('1.0.0, 2.0.0, 4.1.0');
    expect(message).toContain('majors are never taken automatically');
    expect(message).toContain('"4.X"');
  });

  it('suggests the major that exists when the mask is ahead', () => {
    expect(describeNoMatch(mask('5.X'), ['1.0.0', '1.1.0'])).toContain('the newest stable version is 1.1.0: use "1.X"');
  });

  it('explains that only pre-releases match', () => {
    const message = describeNoMatch(mask('2.X'), ['1.0.0', '2.0.0-prerelease.1']);
    expect(message).toContain('only pre-releases match');
    expect(message).toContain('"2.X-*"');
  });

  it('suggests floating on minor updates for a patch mask', () => {
    expect(describeNoMatch(mask('1.4.X'), ['1.0.0', '1.2.0'])).toContain('use "1.X" to float on minor updates');
  });

  it('explains that Octopus cannot pin exact versions', () => {
    expect(describeNoMatch(mask('1.4.0'), ['1.0.0'])).toContain('Octopus does not pin exact versions');
  });

  it('shortens a long history', () => {
    const many = Array.from({ length: 30 }, (_, i) => `1.${i}.0`);
    const message = describeNoMatch(mask('2.X'), many);
    expect(message).toContain('18 older');
    expect(message).toContain('1.29.0');
    expect(message).not.toContain('1.3.0,');
  });
});
