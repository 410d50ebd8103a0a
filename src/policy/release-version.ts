/**
 * Release versions as Octopus accepts them (Octopus.Versioning `SemVerFactory.TryCreateVersion`):
 * an optional leading `v`, one to four numeric components (`1`, `1.2`, `1.2.3`, `1.2.3.4`, each fitting
 * a 32-bit signed integer), then optional pre-release labels after `-` and build metadata after `+`,
 * both dot-separated runs of `[0-9A-Za-z-]`.
 *
 * Kept free of heavy imports: the lint command checks `--release-version` before loading anything.
 */
import type { ReleaseContext } from './input.js';

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

/**
 * The release named by `--release-version` / `--git-ref`, or why they are unusable (a usage error): a
 * Git ref alone is not a release (a release has a version), and the version must be one Octopus accepts.
 */
export function releaseFrom(options: { releaseVersion?: string; gitRef?: string }): { release?: ReleaseContext } | { error: string } {
  if (options.releaseVersion === undefined) {
    if (options.gitRef !== undefined) return { error: "--git-ref needs --release-version: a release has a version (with --runbook, --git-ref is the runbook's ref)" };
    return {};
  }
  const problem = releaseVersionProblem(options.releaseVersion);
  if (problem !== undefined) return { error: `--release-version: ${problem}` };
  return { release: { version: options.releaseVersion.trim(), ...(options.gitRef !== undefined ? { gitRef: options.gitRef } : {}) } };
}
