/**
 * Version patterns of Octopus's "Verify Dependencies" process template (OctopusSamples/PlatformHubLibrary,
 * process-templates/verify-dependencies, `Test-VersionMatchesPattern`), reproduced exactly:
 *
 * - a version is `major.minor.patch[.build]` (.NET's 4-part versions); a missing build is 0;
 * - a pre-release tag (`-…`) and build metadata (`+…`) are cut off before anything is compared, on the
 *   version *and* on the pattern: `1.2.3-beta.1` is compared as `1.2.3`, `^2.0.0-rc` as `^2.0.0`;
 * - `1.2.3[.4]` exact; `>1.2.3[.4]` that version or greater; `^1.2.3[.4]` same major and not lower;
 *   `~1.2.3[.4]` same major and minor and not lower; `2.x` (or `2.X`) any version of major 2;
 * - the script compares with PowerShell's case-insensitive `-match` and converts each part with `[int]`,
 *   so parts above 2147483647 make the step fail.
 *
 * Anything else is not recognised by the script: it never matches (and a malformed deployed version
 * throws), so a Stop dependency fails the deployment. Here such text is a positioned error instead.
 *
 * oclhub's own `dependency` blocks (the `oclhub` dialect) also accept the 2-part short forms
 * `1.2`, `>1.2`, `^1.2`, `~1.2` (missing parts are 0). The template does not: in its JSON they are errors.
 */

/** `template`: what the Verify Dependencies script accepts. `oclhub`: that plus 2-part versions. */
export type PatternDialect = 'template' | 'oclhub';

export type PatternOperator = 'exact' | 'atLeast' | 'caret' | 'tilde' | 'majorWildcard';

/** Four numeric parts: major, minor, patch, build. */
export type VersionParts = readonly [number, number, number, number];

export interface ParsedVersion {
  /** As written. */
  text: string;
  parts: VersionParts;
  /** How many numeric parts were written (2 to 4). */
  written: number;
  /** The pre-release tag and/or build metadata that comparison ignores (`-beta.1`, `+sha.5`). */
  ignoredSuffix?: string;
}

export interface VersionPattern {
  /** As written. */
  text: string;
  operator: PatternOperator;
  /** The pattern's version; for `2.x` only the major is meaningful. */
  parts: VersionParts;
  /** How many numeric parts were written (1 for `2.x`). */
  written: number;
  /** A pre-release tag or build metadata the template cuts off (`^2.0.0-rc` means `^2.0.0`). */
  ignoredSuffix?: string;
}

export interface VersionSyntaxError {
  error: string;
  /** A suggested fix, when one is clear. */
  hint?: string;
}

/** The largest part `[int]` accepts. */
export const MAX_PART = 2147483647;

const OPERATOR_DESCRIPTIONS: Record<PatternOperator, string> = {
  exact: 'exactly',
  atLeast: 'or greater',
  caret: 'or greater within the same major version',
  tilde: 'or greater within the same major and minor version',
  majorWildcard: 'any version of major',
};

/** Cuts a pre-release tag and build metadata off, as the template's `Remove-PreReleaseTag` does. */
function removePrerelease(text: string): { kept: string; suffix?: string } {
  let kept = text;
  const dash = kept.indexOf('-');
  if (dash >= 0) kept = kept.slice(0, dash);
  const plus = kept.indexOf('+');
  if (plus >= 0) kept = kept.slice(0, plus);
  return kept.length === text.length ? { kept } : { kept, suffix: text.slice(kept.length) };
}

function partsOf(numbers: readonly number[]): VersionParts {
  return [numbers[0] ?? 0, numbers[1] ?? 0, numbers[2] ?? 0, numbers[3] ?? 0];
}

/**
 * The dot-separated whole numbers of `text` (2 to 4 of them; 3 to 4 for the template), or an error that
 * quotes `written` (the whole pattern or version as the user wrote it) and, where clear, the fix.
 */
function numericParts(text: string, written: string, dialect: PatternDialect, operator = ''): number[] | VersionSyntaxError {
  if (text === '') return { error: `"${written}" has no version number` };
  const pieces = text.split('.');
  for (const piece of pieces) {
    if (piece === '') return { error: `"${written}" has an empty part: write whole numbers separated by single dots, e.g. 1.2.3` };
    if (/^[xX*]$/.test(piece)) {
      const [major, minor] = pieces;
      const fix = pieces.length >= 3 && /^\d+$/.test(major!) && /^\d+$/.test(minor!) ? `for any ${major}.${minor} version write ~${major}.${minor}.0` : /^\d+$/.test(major!) ? `write ${major}.x` : 'write 2.x for any 2.* version';
      return { error: `"${written}": only a major wildcard such as 2.x is supported`, hint: fix };
    }
    if (!/^[0-9]+$/.test(piece)) return { error: `"${written}": "${piece}" is not a whole number` };
  }
  if (pieces.length > 4) return { error: `"${written}" has ${pieces.length} parts: a version has at most 4 (major.minor.patch.build)` };
  const min = dialect === 'template' ? 3 : 2;
  if (pieces.length < min) {
    if (pieces.length === 1) {
      return { error: `"${written}" is a single number`, hint: operator === '' ? `write ${text}.x for any ${text}.* version, or ${text}.0.0 for exactly ${text}.0.0` : `write ${operator}${text}.0.0` };
    }
    return {
      error: `"${written}" has 2 parts: the Verify Dependencies template recognises only 3- or 4-part versions, so it would never match when the template runs`,
      hint: `write ${operator}${text}.0`,
    };
  }
  const numbers = pieces.map(Number);
  const tooLarge = numbers.findIndex((n) => n > MAX_PART);
  if (tooLarge >= 0) return { error: `"${written}": ${pieces[tooLarge]} is larger than ${MAX_PART}, the largest part Octopus's template can compare` };
  return numbers;
}

/** Parses a version (a deployed release version). */
export function parseVersion(text: string, dialect: PatternDialect = 'template'): ParsedVersion | VersionSyntaxError {
  if (text.trim() === '') return { error: 'The version is empty' };
  if (text !== text.trim()) return { error: `"${text}" has leading or trailing spaces` };
  const { kept, suffix } = removePrerelease(text);
  const numbers = numericParts(kept, text, dialect);
  if (!Array.isArray(numbers)) return numbers;
  return { text, parts: partsOf(numbers), written: numbers.length, ...(suffix !== undefined ? { ignoredSuffix: suffix } : {}) };
}

/** Parses a version pattern; see the file comment for the accepted forms. */
export function parseVersionPattern(text: string, dialect: PatternDialect = 'template'): VersionPattern | VersionSyntaxError {
  if (text.trim() === '') return { error: 'The version pattern is empty', hint: 'write e.g. ^1.2.0, ~1.2.0, >1.2.0, 1.2.3 or 1.x' };
  if (text !== text.trim() || /\s/.test(text)) {
    if (/\s-\s|\|\|/.test(text)) return { error: `"${text.trim()}": ranges are not supported`, hint: 'use ^ (same major) or ~ (same major and minor) with the lowest version you accept' };
    return { error: `"${text}" contains spaces: the template does not recognise it`, hint: `write "${text.replace(/\s+/g, '')}"` };
  }
  if (/^[vV]\d/.test(text) || /^[>^~][vV]\d/.test(text)) return { error: `"${text}": a "v" prefix is not recognised`, hint: `write "${text.replace(/[vV](?=\d)/, '')}"` };
  if (text.startsWith('>=')) return { error: `"${text}": ">=" is not supported`, hint: `">${text.slice(2)}" already accepts ${text.slice(2)} itself and every later version` };
  if (text.startsWith('<') || text.startsWith('=<')) return { error: `"${text}": upper bounds are not supported by the Verify Dependencies template`, hint: 'use ^ to stay within a major version, or ~ to stay within a minor version' };
  if (text.startsWith('=')) return { error: `"${text}": "=" is not supported`, hint: `write the version alone for an exact match: "${text.replace(/^=+/, '')}"` };
  if (text === '*' || /^[xX]$/.test(text)) return { error: `"${text}" is not supported`, hint: 'write >0.0.0 to accept any version' };

  const { kept, suffix } = removePrerelease(text);
  const withSuffix = (pattern: VersionPattern): VersionPattern => (suffix !== undefined ? { ...pattern, ignoredSuffix: suffix } : pattern);
  const wildcard = /^(\d+)\.[xX]$/.exec(kept);
  if (wildcard) {
    const major = Number(wildcard[1]);
    if (major > MAX_PART) return { error: `"${text}": ${wildcard[1]} is larger than ${MAX_PART}, the largest part Octopus's template can compare` };
    return withSuffix({ text, operator: 'majorWildcard', parts: [major, 0, 0, 0], written: 1 });
  }
  const first = kept.charAt(0);
  const operator: PatternOperator = first === '>' ? 'atLeast' : first === '^' ? 'caret' : first === '~' ? 'tilde' : 'exact';
  const body = operator === 'exact' ? kept : kept.slice(1);
  if (operator !== 'exact' && /^[>^~]/.test(body)) return { error: `"${text}": one operator at most (>, ^ or ~)` };
  if (!/^\d/.test(body)) return { error: `"${text}" is not a version pattern the template recognises`, hint: 'write e.g. ^1.2.0, ~1.2.0, >1.2.0, 1.2.3 or 1.x' };
  const numbers = numericParts(body, text, dialect, operator === 'exact' ? '' : first);
  if (!Array.isArray(numbers)) return numbers;
  return withSuffix({ text, operator, parts: partsOf(numbers), written: numbers.length });
}

export function isSyntaxError<T extends object>(value: T | VersionSyntaxError): value is VersionSyntaxError {
  return 'error' in value;
}

/** -1, 0 or 1, comparing all four parts (pre-release tags were already cut off). */
export function compareParts(a: VersionParts, b: VersionParts): -1 | 0 | 1 {
  for (let i = 0; i < 4; i++) {
    if (a[i]! > b[i]!) return 1;
    if (a[i]! < b[i]!) return -1;
  }
  return 0;
}

/** Whether `version` satisfies `pattern`, exactly as the template's `Test-VersionMatchesPattern` decides. */
export function matchesPattern(pattern: VersionPattern, version: ParsedVersion): boolean {
  const v = version.parts;
  const p = pattern.parts;
  switch (pattern.operator) {
    case 'majorWildcard':
      return v[0] === p[0];
    case 'exact':
      return compareParts(v, p) === 0;
    case 'atLeast':
      return compareParts(v, p) >= 0;
    case 'caret':
      return v[0] === p[0] && compareParts(v, p) >= 0;
    case 'tilde':
      return v[0] === p[0] && v[1] === p[1] && compareParts(v, p) >= 0;
  }
}

/** Whether `candidate` is newer than `current` (the template's `Test-VersionIsNewer` for two found versions). */
export function isNewer(candidate: ParsedVersion, current: ParsedVersion): boolean {
  return compareParts(candidate.parts, current.parts) > 0;
}

/** A one-line reading of a pattern, e.g. `>1.2.0`: "1.2.0.0 or greater". */
export function describePattern(pattern: VersionPattern): string {
  if (pattern.operator === 'majorWildcard') return `${OPERATOR_DESCRIPTIONS.majorWildcard} ${pattern.parts[0]}`;
  const version = pattern.parts.join('.');
  const suffix = pattern.ignoredSuffix !== undefined ? ` (the template ignores "${pattern.ignoredSuffix}")` : '';
  return `${version} ${OPERATOR_DESCRIPTIONS[pattern.operator]}${suffix}`;
}
