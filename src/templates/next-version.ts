/**
 * The version number a publish produces. Octopus's rules (platform-hub.md §2.4): Major / Minor /
 * Patch / Pre-release "increments the version number following Semantic Versioning", and "the first
 * time you publish a template, you can only publish a major or pre-release version" (so the first
 * stable version is 1.0.0); policies have no pre-releases (§4.2).
 */
import SemVer from 'semver/classes/semver.js';
import diff from 'semver/functions/diff.js';
import inc from 'semver/functions/inc.js';
import major from 'semver/functions/major.js';
import type { RequestedBump } from './tag-message.js';
import { compareVersions, isPrereleaseVersion, isValidVersion, sortVersions } from './versions.js';

/** The semver functions used here, each loaded alone (the package's index loads all fifty of its modules). */
const semver = { diff, inc, major, SemVer };

export type StableBump = 'major' | 'minor' | 'patch';

export const REQUESTED_BUMPS: readonly RequestedBump[] = ['major', 'minor', 'patch', 'prerelease'];

/**
 * The pre-release identifier oclhub writes: `1.0.0-prerelease.1`. Octopus does not document its
 * pre-release format, but Octopus's own sample policy detects pre-release templates with
 * `contains(step.Source.Version, "prerelease")` (platform-hub.md §2.4), so this spelling keeps such
 * policies working unchanged against versions oclhub publishes.
 */
export const PRERELEASE_ID = 'prerelease';

export interface NextVersionOptions {
  /** False for policies, which Octopus publishes without pre-releases. Default true. */
  allowPrerelease?: boolean;
  /**
   * Which stable version a pre-release leads to, counted from the latest stable version. Default
   * `patch`; the publish command passes the bump the changes require, so that a pre-release of
   * breaking changes is numbered as a pre-release of the next major.
   */
  prereleaseOf?: StableBump;
}

export interface VersionError {
  code: string;
  message: string;
}

export type NextVersionResult =
  | {
      version: string;
      /** The latest stable version before this publish: the one the bump check compares against. */
      previous?: string;
    }
  | { error: VersionError };

/**
 * The next version of a template whose published versions are `existing` (invalid strings are
 * ignored; order does not matter). Never throws, never returns an existing version.
 *
 * - `major` / `minor` / `patch` increment the latest *stable* version (pre-releases do not move the
 *   stable line: with 1.2.0 and 2.0.0-prerelease.3 published, `major` gives 2.0.0, `minor` 1.3.0).
 *   With no stable version yet, only `major` is allowed and gives 1.0.0.
 * - `prerelease` numbers a pre-release of the *target* version: the latest stable version bumped
 *   by `prereleaseOf` (default patch), or 1.0.0 when nothing stable is published. If a pre-release
 *   line at or above the target is already open (a pre-release whose major.minor.patch is at least
 *   the target), it continues that line, because the `prerelease` version mask takes the highest
 *   version overall and a pre-release numbered below an open line would never be taken. The result
 *   is `<base>-prerelease.<N+1>`, N being the highest number already used on that base (0 if none).
 *   Examples: after 1.2.0 → 1.2.1-prerelease.1; after 1.2.1-prerelease.1 → 1.2.1-prerelease.2;
 *   after 1.2.0 with prereleaseOf major → 2.0.0-prerelease.1; first publish → 1.0.0-prerelease.1.
 */
export function nextVersion(
  existing: readonly string[],
  requested: RequestedBump | string,
  options: NextVersionOptions = {},
): NextVersionResult {
  if (!(REQUESTED_BUMPS as readonly string[]).includes(requested)) {
    return fail('TPL_BUMP_UNKNOWN', `"${requested}" is not a version bump: use major, minor, patch or prerelease`);
  }
  if (requested === 'prerelease' && options.allowPrerelease === false) {
    return fail('TPL_PRERELEASE_NOT_ALLOWED', 'pre-release versions cannot be published here (policies have no pre-releases): use major, minor or patch');
  }
  const prereleaseOf = options.prereleaseOf ?? 'patch';
  if (!['major', 'minor', 'patch'].includes(prereleaseOf)) {
    return fail('TPL_BUMP_UNKNOWN', `"${String(prereleaseOf)}" is not a stable bump: use major, minor or patch`);
  }

  const versions = sortVersions(existing);
  const stable = versions.filter((v) => !isPrereleaseVersion(v));
  const latestStable = stable[stable.length - 1];

  let version: string;
  if (requested === 'prerelease') {
    const target = latestStable === undefined ? '1.0.0' : semver.inc(latestStable, prereleaseOf)!;
    version = nextPrerelease(versions, target);
  } else if (latestStable === undefined) {
    if (requested !== 'major') {
      return fail(
        'TPL_FIRST_PUBLISH',
        `the first version must be a major (1.0.0) or a pre-release, not a ${requested}: nothing stable is published yet`,
      );
    }
    version = '1.0.0';
  } else {
    version = semver.inc(latestStable, requested as StableBump)!;
  }

  if (versions.includes(version)) {
    return fail('TPL_VERSION_EXISTS', `version ${version} is already published and versions are never reused`);
  }
  return latestStable === undefined ? { version } : { version, previous: latestStable };
}

/**
 * An explicitly numbered version (`publish --version 12.0.0`): for hubs whose templates already carry
 * versions Octopus assigned. It must be valid SemVer, higher than every published version (pre-releases
 * included), and at least 1.0.0 when stable; policies take no pre-releases. `requested` is the jump from
 * the latest stable version — what the bump check compares with the bump the changes require — or
 * `major` for a first stable version (as Octopus's first publish), `prerelease` for a pre-release.
 */
export function explicitVersion(
  existing: readonly string[],
  version: string,
  options: { allowPrerelease?: boolean } = {},
): { version: string; previous?: string; requested: RequestedBump } | { error: VersionError } {
  if (!isValidVersion(version)) {
    return fail('TPL_VERSION_INVALID', `"${version}" is not a version: use semantic versioning such as 2.1.0 (no "v" prefix, no build metadata)`);
  }
  const prerelease = isPrereleaseVersion(version);
  if (prerelease && options.allowPrerelease === false) {
    return fail('TPL_PRERELEASE_NOT_ALLOWED', `${version} is a pre-release, and pre-release versions cannot be published here (policies have no pre-releases)`);
  }
  const versions = sortVersions(existing);
  if (versions.includes(version)) return fail('TPL_VERSION_EXISTS', `version ${version} is already published and versions are never reused`);
  const highest = versions[versions.length - 1];
  if (highest !== undefined && compareVersions(version, highest) <= 0) {
    return fail('TPL_VERSION_NOT_HIGHER', `version ${version} is not higher than every published version (the highest is ${highest})`);
  }
  if (!prerelease && semver.major(version) < 1) return fail('TPL_VERSION_INVALID', `a stable version starts at 1.0.0, not ${version}`);
  const stable = versions.filter((v) => !isPrereleaseVersion(v));
  const previous = stable[stable.length - 1];
  const requested: RequestedBump = prerelease ? 'prerelease' : previous === undefined ? 'major' : (semver.diff(previous, version) as StableBump);
  return previous === undefined ? { version, requested } : { version, previous, requested };
}

function baseOf(version: SemVer): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

function nextPrerelease(sortedVersions: readonly string[], target: string): string {
  const prereleases = sortedVersions.filter(isPrereleaseVersion).map((v) => new semver.SemVer(v));
  let base = target;
  for (const v of prereleases) {
    if (compareVersions(baseOf(v), base) > 0) base = baseOf(v);
  }
  let highest = 0;
  for (const v of prereleases) {
    if (baseOf(v) !== base) continue;
    const ids = v.prerelease;
    if (ids.length === 2 && ids[0] === PRERELEASE_ID && typeof ids[1] === 'number') highest = Math.max(highest, ids[1]);
  }
  return `${base}-${PRERELEASE_ID}.${highest + 1}`;
}

function fail(code: string, message: string): { error: VersionError } {
  return { error: { code, message } };
}
