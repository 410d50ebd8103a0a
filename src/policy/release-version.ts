/**
 * Release versions as Octopus accepts them (Octopus.Versioning `SemVerFactory.TryCreateVersion`):
 * an optional leading `v`, one to four numeric components (`1`, `1.2`, `1.2.3`, `1.2.3.4`, each fitting
 * a 32-bit signed integer), then optional pre-release labels after `-` and build metadata after `+`,
 * both dot-separated runs of `[0-9A-Za-z-]`.
 */

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const INT32_MAX = 2 ** 31 - 1;

/** Why `text` is not a release version Octopus accepts, or undefined when it is one. */
export function releaseVersionProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'a release version cannot be empty';
  const m = VERSION.exec(trimmed);
  if (!m) return `"${text}" is not a release version: use semantic versioning (1.2.3, 1.2.3-beta.1) or a 4-part version (1.2.3.4)`;
  for (const part of m.slice(1, 5)) {
    if (part !== undefined && Number(part) > INT32_MAX) return `"${text}" is not a release version: the component ${part} is too large`;
  }
  return undefined;
}

export function isReleaseVersion(text: string): boolean {
  return releaseVersionProblem(text) === undefined;
}
