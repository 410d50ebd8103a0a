/**
 * Octopus version masks: the `version_mask` of a `process_template` usage (platform-hub.md §2.5).
 * Octopus accepts `<major>.X` ("Minor updates": minor and patch versions float), `<major>.<minor>.X`
 * ("Patch updates"), lower-case `x` as well, and `prerelease` (opt in to pre-releases). A new major
 * is never taken automatically.
 *
 * oclhub also reads (each marked `octopusCompatible: false`, so the model layer can warn that
 * Octopus Server would reject or may not understand it):
 * - `<major>.X.X`, the same as `<major>.X`;
 * - an exact `<major>.<minor>.<patch>[-<pre-release>]`, which Octopus rejects (there is no pin);
 * - a pre-release opt-in inside a mask: `<major>.X-<tag>` / `<major>.<minor>.X-<tag>` also admit
 *   pre-releases whose first identifier is `<tag>` (e.g. `2.X-prerelease` admits 2.4.0-prerelease.1),
 *   and `-*` admits any pre-release within the mask.
 * Without an opt-in, masks take stable versions only.
 */
import type SemVer from 'semver/classes/semver.js';
import eq from 'semver/functions/eq.js';
import major from 'semver/functions/major.js';
import minor from 'semver/functions/minor.js';
import parse from 'semver/functions/parse.js';
import { highestVersion, isPrereleaseVersion, isValidVersion, sortVersions } from './versions.js';

/** The semver functions used here, each loaded alone (the package's index loads all fifty of its modules). */
const semver = { eq, major, minor, parse };

interface MaskBase {
  /** The mask as written (trimmed). */
  text: string;
  /** Whether Octopus Server accepts this mask (see the module comment). */
  octopusCompatible: boolean;
}

/** `undefined`: stable versions only; `'*'`: any pre-release; otherwise the required first identifier. */
export type PrereleaseOptIn = undefined | '*' | string;

export type VersionMask =
  | (MaskBase & { kind: 'minor-updates'; major: number; prerelease: PrereleaseOptIn })
  | (MaskBase & { kind: 'patch-updates'; major: number; minor: number; prerelease: PrereleaseOptIn })
  | (MaskBase & { kind: 'exact'; version: string })
  | (MaskBase & { kind: 'prerelease' });

export interface MaskError {
  code: string;
  message: string;
}

const NUMBER = '(0|[1-9]\\d*)';
const FLOAT = '[xX]';
const TAG = '(?:-(\\*|[0-9A-Za-z-]+))?';
const MINOR_UPDATES = new RegExp(`^${NUMBER}\\.${FLOAT}(\\.${FLOAT})?${TAG}$`);
const PATCH_UPDATES = new RegExp(`^${NUMBER}\\.${NUMBER}\\.${FLOAT}${TAG}$`);
const FLOATING_MAJOR = /^[xX*](\.|$)/;

const MASK_HELP = 'use <major>.X (minor updates, e.g. 2.X), <major>.<minor>.X (patch updates, e.g. 2.3.X) or prerelease';

export function parseVersionMask(input: string): VersionMask | { error: MaskError } {
  const text = String(input ?? '').trim();
  if (text === '') return fail('TPL_MASK_EMPTY', `the version mask is empty: ${MASK_HELP}`);
  if (text.toLowerCase() === 'prerelease') {
    return { kind: 'prerelease', text, octopusCompatible: text === 'prerelease' };
  }
  let match = MINOR_UPDATES.exec(text);
  if (match) {
    const major = Number(match[1]);
    if (!Number.isSafeInteger(major)) return tooLarge(text);
    return { kind: 'minor-updates', text, major, prerelease: match[3], octopusCompatible: !match[2] && !match[3] };
  }
  match = PATCH_UPDATES.exec(text);
  if (match) {
    const major = Number(match[1]);
    const minor = Number(match[2]);
    if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor)) return tooLarge(text);
    return { kind: 'patch-updates', text, major, minor, prerelease: match[3], octopusCompatible: !match[3] };
  }
  if (isValidVersion(text)) return { kind: 'exact', text, version: text, octopusCompatible: false };
  if (FLOATING_MAJOR.test(text)) {
    return fail('TPL_MASK_FLOATING_MAJOR', `the version mask "${text}" floats the major version, but majors are never taken automatically: ${MASK_HELP}`);
  }
  return fail('TPL_MASK_SYNTAX', `"${text}" is not a version mask: ${MASK_HELP}`);
}

/** Whether `version` (a valid version) is one the mask takes. */
export function maskMatches(mask: VersionMask, version: string): boolean {
  const parsed = semver.parse(version);
  if (!parsed || !isValidVersion(version)) return false;
  switch (mask.kind) {
    case 'prerelease':
      return true;
    case 'exact':
      return semver.eq(parsed, mask.version);
    case 'minor-updates':
      return parsed.major === mask.major && admitsPrerelease(mask.prerelease, parsed);
    case 'patch-updates':
      return parsed.major === mask.major && parsed.minor === mask.minor && admitsPrerelease(mask.prerelease, parsed);
  }
}

function admitsPrerelease(optIn: PrereleaseOptIn, version: SemVer): boolean {
  if (version.prerelease.length === 0) return true;
  if (optIn === undefined) return false;
  return optIn === '*' || String(version.prerelease[0]) === optIn;
}

/** The highest of `versions` the mask takes, or undefined (invalid version strings are ignored). */
export function resolveMask(mask: VersionMask, versions: readonly string[]): string | undefined {
  return highestVersion(versions, (v) => maskMatches(mask, v.version));
}

/** What `resolvedMaskOf` and `newestOverallOf` answered, by mask text and versions (at most ANSWERS_KEPT kept). */
const answers = new Map<string, string | undefined>();
const ANSWERS_KEPT = 1024;

function remembered(key: string, answer: () => string | undefined): string | undefined {
  if (answers.has(key)) return answers.get(key);
  const value = answer();
  if (answers.size >= ANSWERS_KEPT) answers.clear();
  answers.set(key, value);
  return value;
}

/**
 * `resolveMask` for a mask `parseVersionMask` made from its text (the text fixes it), remembered:
 * every project of a hub resolves the same mask against the same versions (template resolution and
 * BP008), and each answer parsed every version two or three times.
 */
export function resolvedMaskOf(mask: VersionMask, versions: readonly string[]): string | undefined {
  return remembered(`mask\u0000${mask.text}\u0000${versions.join('\u0000')}`, () => resolveMask(mask, versions));
}

/** `newestOverall` of stable versions, remembered as `resolvedMaskOf` is (BP008 asks it for every project). */
export function newestOverallOf(versions: readonly string[]): string | undefined {
  return remembered(`newest\u0000${versions.join('\u0000')}`, () => newestOverall(versions));
}

/** For `oclhub outdated`: the version a consumer with this mask gets (same as resolveMask). */
export function newestAllowed(mask: VersionMask, versions: readonly string[]): string | undefined {
  return resolveMask(mask, versions);
}

/** For `oclhub outdated`: the newest published version, stable only unless pre-releases are asked for. */
export function newestOverall(versions: readonly string[], options: { includePrereleases?: boolean } = {}): string | undefined {
  return highestVersion(versions, (v) => options.includePrereleases === true || v.prerelease.length === 0);
}

/** The Octopus mask that floats on minor updates of `version`'s major, e.g. `3.X` for 3.1.0. */
export function suggestMask(version: string): string | undefined {
  const parsed = semver.parse(version);
  return parsed ? `${parsed.major}.X` : undefined;
}

/**
 * Why no version matches, naming the mask and the versions that exist, with the likely fix.
 * Meant for a diagnostic's detail when resolveMask returns undefined.
 */
export function describeNoMatch(mask: VersionMask, versions: readonly string[]): string {
  const published = sortVersions(versions);
  const head = `no published version matches version_mask "${mask.text}"`;
  if (published.length === 0) return `${head}: the template has no published versions yet (publish one first)`;
  const listing = `published versions: ${listVersions(published)}`;
  const hints: string[] = [];
  const optedIn = mask.kind === 'prerelease' || mask.kind === 'exact' || mask.prerelease !== undefined;
  const wouldMatchWithPrereleases = !optedIn && published.some((v) => isPrereleaseVersion(v) && maskMatches(anyPrerelease(mask), v));
  if (wouldMatchWithPrereleases) {
    hints.push(`only pre-releases match; opt in with "${mask.text}-*" or "prerelease" to take them`);
  }
  const stable = published.filter((v) => !isPrereleaseVersion(v));
  const newest = stable[stable.length - 1];
  if (mask.kind !== 'exact' && mask.kind !== 'prerelease' && newest !== undefined && semver.major(newest) !== mask.major) {
    const suggestion = suggestMask(newest)!;
    hints.push(
      semver.major(newest) > mask.major
        ? `majors are never taken automatically: to move to ${newest}, change the mask to "${suggestion}"`
        : `the newest stable version is ${newest}: use "${suggestion}"`,
    );
  } else if (mask.kind === 'patch-updates' && newest !== undefined) {
    hints.push(`the newest stable version of major ${mask.major} is ${newest}: use "${mask.major}.X" to float on minor updates`);
  } else if (mask.kind === 'exact') {
    hints.push(`Octopus does not pin exact versions; use "${suggestMask(mask.version)}" or "${semver.major(mask.version)}.${semver.minor(mask.version)}.X"`);
  }
  return [`${head}; ${listing}`, ...hints].join('. ');
}

function anyPrerelease(mask: VersionMask): VersionMask {
  return mask.kind === 'minor-updates' || mask.kind === 'patch-updates' ? { ...mask, prerelease: '*' } : mask;
}

/** At most 12 versions, newest last, so a long history stays readable. */
function listVersions(sorted: readonly string[]): string {
  const limit = 12;
  if (sorted.length <= limit) return sorted.join(', ');
  return `… ${sorted.length - limit} older, ${sorted.slice(-limit).join(', ')}`;
}

function tooLarge(text: string): { error: MaskError } {
  return fail('TPL_MASK_SYNTAX', `the version mask "${text}" has a number too large to be a version`);
}

function fail(code: string, message: string): { error: MaskError } {
  return { error: { code, message } };
}
