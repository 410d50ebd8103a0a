/**
 * The version patterns of the Verify Dependencies template, table-driven: every pattern against a row of
 * versions (3- and 4-part, pre-releases, build metadata), the oclhub dialect's short forms, and invalid
 * patterns with the message a user sees.
 */
import { describe, expect, it } from 'vitest';
import {
  describePattern,
  isNewer,
  isSyntaxError,
  matchesPattern,
  parseVersion,
  parseVersionPattern,
  type PatternDialect,
  type VersionPattern,
} from '../../src/deps/version-pattern.js';

const VERSIONS = ['1.2.3', '1.2.3.0', '1.2.3.4', '1.2.3.5', '1.2.4', '1.3.0', '2.0.0', '0.9.9.9', '1.2.2.99', '1.2.3-beta.1', '1.2.3.4+sha.1', '2.0.0-rc.1'] as const;

/** pattern → the versions of VERSIONS it accepts (every other one is rejected). */
const TABLE: [string, (typeof VERSIONS)[number][]][] = [
  // Exact: the build part defaults to 0; pre-release tags and metadata are cut off before comparing.
  ['1.2.3', ['1.2.3', '1.2.3.0', '1.2.3-beta.1']],
  ['1.2.3.4', ['1.2.3.4', '1.2.3.4+sha.1']],
  // ">" is "that version or greater" (the template's -ge), 4-part aware.
  ['>1.2.3', ['1.2.3', '1.2.3.0', '1.2.3.4', '1.2.3.5', '1.2.4', '1.3.0', '2.0.0', '1.2.3-beta.1', '1.2.3.4+sha.1', '2.0.0-rc.1']],
  ['>1.2.3.4', ['1.2.3.4', '1.2.3.5', '1.2.4', '1.3.0', '2.0.0', '1.2.3.4+sha.1', '2.0.0-rc.1']],
  // Caret locks the major.
  ['^1.2.3', ['1.2.3', '1.2.3.0', '1.2.3.4', '1.2.3.5', '1.2.4', '1.3.0', '1.2.3-beta.1', '1.2.3.4+sha.1']],
  ['^1.2.3.5', ['1.2.3.5', '1.2.4', '1.3.0']],
  // Tilde locks major and minor.
  ['~1.2.3', ['1.2.3', '1.2.3.0', '1.2.3.4', '1.2.3.5', '1.2.4', '1.2.3-beta.1', '1.2.3.4+sha.1']],
  ['~1.2.3.4', ['1.2.3.4', '1.2.3.5', '1.2.4', '1.2.3.4+sha.1']],
  // Major wildcard, either case (PowerShell's -match is case-insensitive).
  ['1.x', ['1.2.3', '1.2.3.0', '1.2.3.4', '1.2.3.5', '1.2.4', '1.3.0', '1.2.2.99', '1.2.3-beta.1', '1.2.3.4+sha.1']],
  ['2.X', ['2.0.0', '2.0.0-rc.1']],
  ['0.x', ['0.9.9.9']],
  // A pre-release tag on the pattern is cut off too: ^2.0.0-rc means ^2.0.0.
  ['^2.0.0-rc.1', ['2.0.0', '2.0.0-rc.1']],
  ['1.2.3+build.7', ['1.2.3', '1.2.3.0', '1.2.3-beta.1']],
];

function pattern(text: string, dialect: PatternDialect = 'template'): VersionPattern {
  const parsed = parseVersionPattern(text, dialect);
  if (isSyntaxError(parsed)) throw new Error(`${text}: ${parsed.error}`);
  return parsed;
}

describe('version patterns × versions (the Verify Dependencies template semantics)', () => {
  for (const [text, accepted] of TABLE) {
    for (const version of VERSIONS) {
      const expected = (accepted as readonly string[]).includes(version);
      it(`${text} ${expected ? 'accepts' : 'rejects'} ${version}`, () => {
        const parsedVersion = parseVersion(version);
        if (isSyntaxError(parsedVersion)) throw new Error(parsedVersion.error);
        expect(matchesPattern(pattern(text), parsedVersion)).toBe(expected);
      });
    }
  }

  it('records the suffix the template ignores, and says so', () => {
    const p = pattern('^2.0.0-rc.1');
    expect(p.ignoredSuffix).toBe('-rc.1');
    expect(describePattern(p)).toBe('2.0.0.0 or greater within the same major version (the template ignores "-rc.1")');
    expect(describePattern(pattern('2.x'))).toBe('any version of major 2');
    const v = parseVersion('1.2.3-beta+sha');
    expect(!isSyntaxError(v) && v.ignoredSuffix).toBe('-beta+sha');
  });

  it('compares 4-part versions for "newer" with pre-releases ignored', () => {
    const v = (t: string) => {
      const parsed = parseVersion(t);
      if (isSyntaxError(parsed)) throw new Error(parsed.error);
      return parsed;
    };
    expect(isNewer(v('1.0.53.1'), v('1.0.53'))).toBe(true);
    expect(isNewer(v('1.0.53'), v('1.0.53.0'))).toBe(false);
    expect(isNewer(v('1.2.3'), v('1.2.3-beta'))).toBe(false);
    expect(isNewer(v('4.5.7'), v('4.5.3'))).toBe(true);
    expect(isNewer(v('10.0.0'), v('9.9.9.9'))).toBe(true);
  });
});

describe('the oclhub dialect accepts 2-part short forms; the template dialect rejects them', () => {
  const SHORT: [string, string, boolean][] = [
    ['>1.2', '1.2.0', true],
    ['>1.2', '1.1.9.9', false],
    ['~1.2', '1.2.7', true],
    ['~1.2', '1.3.0', false],
    ['^1.2', '1.9.0', true],
    ['^1.2', '2.0.0', false],
    ['1.2', '1.2.0.0', true],
    ['1.2', '1.2.0.1', false],
  ];
  for (const [text, version, expected] of SHORT) {
    it(`${text} ${expected ? 'accepts' : 'rejects'} ${version}`, () => {
      const v = parseVersion(version, 'oclhub');
      if (isSyntaxError(v)) throw new Error(v.error);
      expect(matchesPattern(pattern(text, 'oclhub'), v)).toBe(expected);
    });
  }

  it('the template dialect explains why a 2-part pattern never matches, and how to fix it', () => {
    const parsed = parseVersionPattern('>1.2', 'template');
    expect(isSyntaxError(parsed) && parsed.error).toMatch(/2 parts: the Verify Dependencies template recognises only 3- or 4-part versions/);
    expect(isSyntaxError(parsed) && parsed.hint).toBe('write >1.2.0');
    const version = parseVersion('1.2', 'template');
    expect(isSyntaxError(version) && version.hint).toBe('write 1.2.0');
    expect(isSyntaxError(parseVersion('1.2', 'oclhub'))).toBe(false);
  });
});

describe('invalid patterns get a clear message and, where there is one, the fix', () => {
  const INVALID: [string, RegExp, string | undefined][] = [
    ['', /empty/, 'write e.g. ^1.2.0, ~1.2.0, >1.2.0, 1.2.3 or 1.x'],
    ['>=1.2.3', /">=" is not supported/, '">1.2.3" already accepts 1.2.3 itself and every later version'],
    ['<2.0.0', /upper bounds are not supported/, undefined],
    ['=1.2.3', /"=" is not supported/, 'write the version alone for an exact match: "1.2.3"'],
    ['1.2.x', /only a major wildcard/, 'for any 1.2 version write ~1.2.0'],
    ['1.x.x', /only a major wildcard/, 'write 1.x'],
    ['1.2.3.x', /only a major wildcard/, 'for any 1.2 version write ~1.2.0'],
    ['*', /not supported/, 'write >0.0.0 to accept any version'],
    ['x', /not supported/, 'write >0.0.0 to accept any version'],
    ['1.2.3.4.5', /5 parts: a version has at most 4/, undefined],
    ['1', /single number/, 'write 1.x for any 1.* version, or 1.0.0 for exactly 1.0.0'],
    ['^2', /single number/, 'write ^2.0.0'],
    ['v1.2.3', /"v" prefix/, 'write "1.2.3"'],
    ['^v1.2.3', /"v" prefix/, 'write "^1.2.3"'],
    [' 1.2.3', /spaces/, 'write "1.2.3"'],
    ['1.0.0 - 2.0.0', /ranges are not supported/, undefined],
    ['^1.0.0 || ^2.0.0', /ranges are not supported/, undefined],
    ['1..3', /empty part/, undefined],
    ['1.a.3', /"a" is not a whole number/, undefined],
    ['^~1.2.3', /one operator at most/, undefined],
    ['latest', /not a version pattern the template recognises/, undefined],
    ['1.2.2147483648', /larger than 2147483647/, undefined],
  ];
  for (const [text, message, hint] of INVALID) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      for (const dialect of ['template', 'oclhub'] as const) {
        const parsed = parseVersionPattern(text, dialect);
        expect(isSyntaxError(parsed), dialect).toBe(true);
        if (!isSyntaxError(parsed)) continue;
        expect(parsed.error).toMatch(message);
        if (hint !== undefined) expect(parsed.hint).toBe(hint);
      }
    });
  }

  it("rejects versions Octopus's template cannot convert", () => {
    for (const text of ['', 'abc', '1.2.3.4.5', ' 1.2.3', '1.2.3 ']) expect(isSyntaxError(parseVersion(text)), JSON.stringify(text)).toBe(true);
    expect(isSyntaxError(parseVersion('2147483647.0.0'))).toBe(false);
  });
});
