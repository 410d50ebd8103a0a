/**
 * Published versions are annotated Git tags named `<kind>/<slug>/v<semver>` — the convention Go uses
 * for modules in sub-folders (DESIGN.md "Versions live in Git"). This module only names and parses
 * tags; creating them is the GitStore's job. The tag message format lives in tag-message.ts.
 */
import { isValidVersion } from './versions.js';

export const TEMPLATE_KINDS = ['process-templates', 'project-templates', 'policies'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export interface ParsedTagName {
  kind: TemplateKind;
  slug: string;
  version: string;
}

export interface TagError {
  code: string;
  message: string;
}

/**
 * A slug names a file (`<slug>.ocl`) or a folder, and becomes one component of a tag name.
 * Octopus writes slugs in lower case with dashes (templates) or underscores (policies: the slug is
 * the Rego package). Dots are not allowed: Octopus slugs never contain them and Git forbids ref
 * components ending in `.lock` or starting with `.`.
 */
const SLUG = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/;
const MAX_SLUG_LENGTH = 200;

export function isTemplateKind(text: string): text is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(text);
}

export function isValidSlug(slug: string): boolean {
  return typeof slug === 'string' && slug.length <= MAX_SLUG_LENGTH && SLUG.test(slug);
}

/** Why `kind`/`slug`/`version` cannot form a tag name, or undefined when they can. */
export function checkTagParts(kind: string, slug: string, version: string): TagError | undefined {
  if (!isTemplateKind(kind)) {
    return { code: 'TPL_TAG_KIND', message: `"${kind}" is not a template kind (expected one of ${TEMPLATE_KINDS.join(', ')})` };
  }
  if (!isValidSlug(slug)) {
    return {
      code: 'TPL_TAG_SLUG',
      message: `"${slug}" is not a valid slug: use lower-case letters, digits, "-" and "_", starting and ending with a letter or digit`,
    };
  }
  if (!isValidVersion(version)) {
    return {
      code: 'TPL_TAG_VERSION',
      message: `"${version}" is not a valid version: use semantic versioning such as 1.2.0 or 2.0.0-prerelease.1 (no "v" prefix, no build metadata)`,
    };
  }
  return undefined;
}

/** `<kind>/<slug>/v` — every tag of one template starts with this (use it to list versions). */
export function tagPrefix(kind: TemplateKind, slug: string): string {
  return `${kind}/${slug}/v`;
}

/**
 * The tag name of one published version. The parts are not validated here (call checkTagParts
 * first when they come from a user); parseTagName(tagName(k, s, v)) returns them back exactly when
 * checkTagParts accepts them.
 */
export function tagName(kind: TemplateKind, slug: string, version: string): string {
  return `${tagPrefix(kind, slug)}${version}`;
}

/**
 * The kind, slug and version of a version tag (a leading `refs/tags/` is allowed), or undefined for
 * any other tag: unknown kind, invalid slug, invalid or non-canonical version.
 */
export function parseTagName(name: string): ParsedTagName | undefined {
  if (typeof name !== 'string') return undefined;
  const short = name.startsWith('refs/tags/') ? name.slice('refs/tags/'.length) : name;
  const parts = short.split('/');
  if (parts.length !== 3) return undefined;
  const [kind, slug, versionPart] = parts as [string, string, string];
  if (!isTemplateKind(kind) || !isValidSlug(slug) || !versionPart.startsWith('v')) return undefined;
  const version = versionPart.slice(1);
  if (!isValidVersion(version)) return undefined;
  return { kind, slug, version };
}

/** The versions of one template among a list of tag names (other tags are ignored), unsorted. */
export function versionsFromTags(names: Iterable<string>, kind: TemplateKind, slug: string): string[] {
  const versions: string[] = [];
  for (const name of names) {
    const parsed = parseTagName(name);
    if (parsed && parsed.kind === kind && parsed.slug === slug) versions.push(parsed.version);
  }
  return versions;
}
