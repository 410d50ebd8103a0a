/**
 * Semantic-version helpers shared by tags, next-version and masks. Published versions are strict,
 * canonical SemVer 2.0 without build metadata: build metadata does not take part in precedence, so
 * `1.0.0+a` and `1.0.0+b` would be two tags for one version.
 */
import SemVer from 'semver/classes/semver.js';
import compare from 'semver/functions/compare.js';
import valid from 'semver/functions/valid.js';

/** The semver functions used here, each loaded alone (the package's index loads all fifty of its modules). */
const semver = { compare, valid, SemVer };

/** Canonical SemVer 2.0 (semver.org's regular expression) minus the build-metadata part. */
const STRICT_VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;

/** Longest version string accepted (the `semver` package's own limit). */
const MAX_VERSION_LENGTH = 256;

/** Whether `text` is a version oclhub publishes: canonical SemVer, no `v` prefix, no build metadata. */
export function isValidVersion(text: string): boolean {
  return (
    typeof text === 'string' &&
    text.length <= MAX_VERSION_LENGTH &&
    STRICT_VERSION.test(text) &&
    semver.valid(text) === text
  );
}

export function isPrereleaseVersion(version: string): boolean {
  return version.includes('-');
}

/** SemVer precedence; both arguments must be valid versions. */
export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

/** The valid versions of `versions`, ascending by precedence, without duplicates; invalid entries are dropped. */
export function sortVersions(versions: Iterable<string>): string[] {
  const unique = new Set<string>();
  for (const v of versions) if (isValidVersion(v)) unique.add(v);
  // Parse once: semver.compare on strings would parse both sides on every comparison.
  return [...unique]
    .map((v) => new semver.SemVer(v))
    .sort((a, b) => a.compare(b))
    .map((v) => v.version);
}

/** The highest of the valid `versions` that satisfy `accept`, or undefined. */
export function highestVersion(
  versions: Iterable<string>,
  accept: (version: SemVer) => boolean = () => true,
): string | undefined {
  let best: SemVer | undefined;
  for (const text of versions) {
    if (!isValidVersion(text)) continue;
    const parsed = new semver.SemVer(text);
    if (!accept(parsed)) continue;
    if (best === undefined || parsed.compare(best) > 0) best = parsed;
  }
  return best?.version;
}

export function parseVersion(version: string): SemVer | undefined {
  return isValidVersion(version) ? new semver.SemVer(version) : undefined;
}
