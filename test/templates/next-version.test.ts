import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import semver from 'semver';
import { PRERELEASE_ID, isValidVersion, nextVersion, type NextVersionResult } from '../../src/templates/index.js';

function version(result: NextVersionResult): string | undefined {
  return 'version' in result ? result.version : undefined;
}

function errorCode(result: NextVersionResult): string | undefined {
  return 'error' in result ? result.error.code : undefined;
}

describe('nextVersion: first publish', () => {
  it('is 1.0.0 for a major and 1.0.0-prerelease.1 for a pre-release', () => {
    expect(nextVersion([], 'major')).toEqual({ version: '1.0.0' });
    expect(nextVersion([], 'prerelease')).toEqual({ version: `1.0.0-${PRERELEASE_ID}.1` });
  });

  it('refuses a first minor or patch (Octopus: only major or pre-release first)', () => {
    for (const bump of ['minor', 'patch']) {
      const result = nextVersion([], bump);
      expect(errorCode(result)).toBe('TPL_FIRST_PUBLISH');
      expect('error' in result && result.error.message).toMatch(/first version must be a major/);
    }
  });

  it('still counts as a first publish when only pre-releases exist', () => {
    const pre = ['1.0.0-prerelease.1', '1.0.0-prerelease.2'];
    expect(errorCode(nextVersion(pre, 'minor'))).toBe('TPL_FIRST_PUBLISH');
    expect(nextVersion(pre, 'major')).toEqual({ version: '1.0.0' });
    expect(nextVersion(pre, 'prerelease')).toEqual({ version: '1.0.0-prerelease.3' });
  });
});

describe('nextVersion: stable bumps', () => {
  const published = ['1.0.0', '1.1.0', '1.2.0', '1.2.1'];
  it.each([
    ['major', '2.0.0'],
    ['minor', '1.3.0'],
    ['patch', '1.2.2'],
  ])('%s after 1.2.1 gives %s and reports 1.2.1 as the previous version', (bump, expected) => {
    expect(nextVersion(published, bump)).toEqual({ version: expected, previous: '1.2.1' });
  });

  it('ignores the order of the input, duplicates and strings that are not versions', () => {
    expect(nextVersion(['1.2.1', 'garbage', '1.0.0', 'v9.0.0', '1.2.1', '', '1.1.0'], 'minor')).toEqual({ version: '1.3.0', previous: '1.2.1' });
  });

  it('counts from the latest stable version, not from pre-releases', () => {
    const withPre = ['1.2.0', '2.0.0-prerelease.3'];
    expect(nextVersion(withPre, 'major')).toEqual({ version: '2.0.0', previous: '1.2.0' });
    expect(nextVersion(withPre, 'minor')).toEqual({ version: '1.3.0', previous: '1.2.0' });
    expect(nextVersion(withPre, 'patch')).toEqual({ version: '1.2.1', previous: '1.2.0' });
  });
});

describe('nextVersion: pre-releases', () => {
  it('after a stable version, numbers a pre-release of the next patch by default', () => {
    expect(nextVersion(['1.2.0'], 'prerelease')).toEqual({ version: '1.2.1-prerelease.1', previous: '1.2.0' });
  });

  it('numbers a pre-release of the bump given in prereleaseOf', () => {
    expect(version(nextVersion(['1.2.0'], 'prerelease', { prereleaseOf: 'minor' }))).toBe('1.3.0-prerelease.1');
    expect(version(nextVersion(['1.2.0'], 'prerelease', { prereleaseOf: 'major' }))).toBe('2.0.0-prerelease.1');
  });

  it('continues an open pre-release line', () => {
    expect(version(nextVersion(['1.2.0', '1.2.1-prerelease.1'], 'prerelease'))).toBe('1.2.1-prerelease.2');
    expect(version(nextVersion(['1.2.0', '1.2.1-prerelease.9', '1.2.1-prerelease.10'], 'prerelease'))).toBe('1.2.1-prerelease.11');
    // An open line above the target wins, so the `prerelease` mask (highest overall) still sees the new one.
    expect(version(nextVersion(['1.2.0', '2.0.0-prerelease.2'], 'prerelease'))).toBe('2.0.0-prerelease.3');
  });

  it('starts a new line when the open one is below the target or already released', () => {
    expect(version(nextVersion(['1.2.0', '1.2.1-prerelease.4'], 'prerelease', { prereleaseOf: 'major' }))).toBe('2.0.0-prerelease.1');
    expect(version(nextVersion(['1.2.1-prerelease.4', '1.2.1'], 'prerelease'))).toBe('1.2.2-prerelease.1');
  });

  it('skips numbers used by other spellings only when they use its own identifier', () => {
    expect(version(nextVersion(['1.0.0', '1.0.1-rc.7', '1.0.1-prerelease'], 'prerelease'))).toBe('1.0.1-prerelease.1');
  });

  it('is refused where pre-releases are not allowed (policies)', () => {
    const result = nextVersion(['1.0.0'], 'prerelease', { allowPrerelease: false });
    expect(errorCode(result)).toBe('TPL_PRERELEASE_NOT_ALLOWED');
    expect(nextVersion([], 'major', { allowPrerelease: false })).toEqual({ version: '1.0.0' });
  });
});

describe('nextVersion: bad input', () => {
  it('returns errors instead of throwing', () => {
    expect(errorCode(nextVersion([], 'huge'))).toBe('TPL_BUMP_UNKNOWN');
    expect(errorCode(nextVersion([], 'prerelease', { prereleaseOf: 'tiny' as never }))).toBe('TPL_BUMP_UNKNOWN');
    expect(errorCode(nextVersion(['x', 'y'], 'patch'))).toBe('TPL_FIRST_PUBLISH');
  });
});

describe('nextVersion: properties', () => {
  const bump = fc.constantFrom('major', 'minor', 'patch', 'prerelease');
  const stableBump = fc.constantFrom('major' as const, 'minor' as const, 'patch' as const);

  it('over any publish history: valid, never reused, stable bumps above every stable version', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(bump, stableBump), { maxLength: 30 }), (steps) => {
        const published: string[] = [];
        for (const [requested, prereleaseOf] of steps) {
          const result = nextVersion(published, requested, { prereleaseOf });
          if ('error' in result) {
            expect(result.error.code).toBe('TPL_FIRST_PUBLISH');
            expect(published.some((v) => !v.includes('-'))).toBe(false);
            continue;
          }
          expect(isValidVersion(result.version)).toBe(true);
          expect(published).not.toContain(result.version);
          const stable = published.filter((v) => !v.includes('-'));
          for (const v of stable) expect(semver.gt(result.version, v)).toBe(true);
          if (requested === 'prerelease') {
            expect(semver.prerelease(result.version)?.[0]).toBe(PRERELEASE_ID);
            for (const v of published.filter((p) => p.includes('-'))) expect(semver.gt(result.version, v)).toBe(true);
          } else {
            expect(semver.prerelease(result.version)).toBeNull();
            expect(result.previous).toBe(stable.length ? semver.rsort([...stable])[0] : undefined);
          }
          published.push(result.version);
        }
      }),
    );
  });
});
