/**
 * The `--hub` option shared by the template commands: a local folder (default: the repository holding
 * the working directory) or a remote `https://…[#ref]`, cloned into `--cache-dir` (default
 * `$OCLHUB_CACHE_DIR` or `~/.cache/oclhub`).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { findRepositoryRoot } from '../git/find-root.js';
import type { Hub } from '../hub/index.js';
import type { ConfigCacheOptions } from '../hub/config-cache.js';
import type { ObjectCache } from '../git/index.js';
import { renderDiagnostics } from '../report/text.js';
import { cacheDirFor } from './cache-dirs.js';
import type { CliIo } from './io.js';

export interface HubCliOptions {
  hub?: string;
  ref?: string;
  cacheDir?: string;
}

export function addHubOptions(command: Command): Command {
  return command
    .option('--hub <dir|url>', 'hub repository: a folder or https://host/repo.git[#ref] (default: $OCLHUB_HUB, else the repository of the current folder)')
    .option('--cache-dir <dir>', 'where remote hubs are cloned (default: $OCLHUB_CACHE_DIR or ~/.cache/oclhub)');
}

export { cacheDirFor };

export interface OpenForCliOptions {
  /**
   * Local commands (lint, evaluate, input, test, resolve): without --ref, a local hub is read from its
   * working tree (HEAD when the tree is clean, so results stay cacheable by commit).
   */
  workingTree?: boolean;
  /** Where the working-tree check remembers what it verified (the lint cache folder); none: check in full. */
  stateDir?: string | false;
  /** Git objects the command already read (the lint command's quick path), shared with the hub's store. */
  objectCache?: ObjectCache;
  /** See OpenHubOptions.worktreeVerified. */
  worktreeVerified?: string;
  /** See OpenHubOptions.configCache. */
  configCache?: ConfigCacheOptions;
}

/**
 * Opens the hub or prints why not (then returns undefined: a usage/tool error, exit 2). An oclhub.ocl
 * that exists but cannot be read (a syntax error) is reported as itself, with its frame, by every
 * command, never as a missing file.
 */
export async function openHubForCli(options: HubCliOptions, io: CliIo, command: string, how: OpenForCliOptions = {}): Promise<Hub | undefined> {
  // The façade (and with it the OCL parser) loads on first use, so cheap paths of a command stay cheap.
  const { openHub } = await import('../hub/index.js');
  const value = options.hub ?? io.env.OCLHUB_HUB;
  let opened;
  if (value !== undefined && /^https?:\/\//i.test(value)) {
    opened = await openHub({ url: value, cacheDir: cacheDirFor(options, io), ...(options.ref ? { ref: options.ref } : {}) });
  } else {
    const dir = value !== undefined ? path.resolve(io.cwd, value) : ((await findRepositoryRoot(io.cwd)) ?? io.cwd);
    opened = await openHub({
      dir,
      ...(options.ref ? { ref: options.ref } : {}),
      ...(how.workingTree ? { workingTree: true } : {}),
      ...(how.stateDir ? { worktreeStateDir: how.stateDir } : {}),
      ...(how.objectCache ? { objectCache: how.objectCache } : {}),
      ...(how.worktreeVerified !== undefined ? { worktreeVerified: how.worktreeVerified } : {}),
      ...(how.configCache ? { configCache: how.configCache } : {}),
    });
  }
  if (!opened.hub) {
    io.stderr(`oclhub ${command}: cannot open the hub\n`);
    io.stderr(renderDiagnostics(opened.diagnostics, { colors: io.colors }));
    return undefined;
  }
  const broken = opened.hub.configErrors;
  if (broken.length > 0) {
    io.stderr(`oclhub ${command}: oclhub.ocl of ${opened.hub.location} cannot be read\n`);
    const text = await readConfigText(opened.hub);
    io.stderr(renderDiagnostics(broken, { colors: io.colors, ...(text !== undefined ? { sources: new Map([['oclhub.ocl', text]]) } : {}) }));
    return undefined;
  }
  return opened.hub;
}

/**
 * The hub folder of commands that read working files (`oclhub test`): `--hub`, else `$OCLHUB_HUB` when
 * it is a folder, else the repository holding the working directory (found from any subfolder), as
 * for the other commands.
 */
export async function localHubFolder(hub: string | undefined, io: CliIo): Promise<string> {
  const value = hub ?? (io.env.OCLHUB_HUB !== undefined && !/^https?:\/\//i.test(io.env.OCLHUB_HUB) ? io.env.OCLHUB_HUB : undefined);
  if (value !== undefined) return path.resolve(io.cwd, value);
  return (await findRepositoryRoot(io.cwd)) ?? io.cwd;
}

async function readConfigText(hub: Hub): Promise<string | undefined> {
  try {
    return await hub.store.readTextFile(hub.commit ?? 'WORKTREE', 'oclhub.ocl');
  } catch {
    return undefined;
  }
}

const KIND_NAMES: Record<string, 'process-templates' | 'project-templates' | 'policies'> = {
  'process-template': 'process-templates',
  'process-templates': 'process-templates',
  'project-template': 'project-templates',
  'project-templates': 'project-templates',
  policy: 'policies',
  policies: 'policies',
};

/** `process-template` | `project-template` | `policy` (plural forms too) → the tag kind. */
export function parseKind(text: string): 'process-templates' | 'project-templates' | 'policies' | undefined {
  return KIND_NAMES[text];
}

export const KIND_CHOICES = 'process-template, project-template or policy';
