/**
 * What a `--project` value names, by the one rule every command that takes it follows (lint, evaluate,
 * input, resolve, outdated): a folder when one exists there, else the slug of a project registered in
 * oclhub.ocl, else nothing — said with did-you-mean and the registered projects.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Hub } from '../hub/index.js';
import type { HubProjectModel } from '../model/types.js';
import { suggest } from '../model/suggest.js';

export type NamedProject = { folder: string } | { registered: HubProjectModel } | { error: string };

/** `value` read from `cwd`: `folder` is `value` as given (the callers resolve it as they always have). */
export async function projectNamed(hub: Hub, value: string, cwd: string): Promise<NamedProject> {
  if ((await stat(path.resolve(cwd, value)).catch(() => undefined))?.isDirectory()) return { folder: value };
  const projects = hub.config?.projects ?? [];
  const registered = projects.find((p) => p.slug === value);
  if (registered) return { registered };
  const slugs = projects.map((p) => p.slug);
  const near = suggest(value, slugs);
  return { error: `No project "${value}": neither a folder nor a project in oclhub.ocl${near !== undefined ? ` (did you mean "${near}"?)` : ''}${slugs.length ? ` (projects: ${slugs.join(', ')})` : ''}` };
}
