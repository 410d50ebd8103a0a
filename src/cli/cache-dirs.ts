/**
 * Where the CLI keeps caches (remote hub clones, lint results). Kept free of heavy imports: the lint
 * command reads its rendered-report cache before anything else is loaded.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import type { CliIo } from './io.js';

export interface CacheDirOptions {
  cacheDir?: string;
}

/** `--cache-dir`, else `$OCLHUB_CACHE_DIR`, else `~/.cache/oclhub`. */
export function cacheDirFor(options: CacheDirOptions, io: CliIo): string {
  return path.resolve(io.cwd, options.cacheDir ?? io.env.OCLHUB_CACHE_DIR ?? path.join(io.env.HOME ?? homedir(), '.cache', 'oclhub'));
}

/** Lint results: `$OCLHUB_CACHE_DIR/lint` when set, else `.oclhub-cache/` at the repository root; false with `--no-cache`. */
export function lintCacheDir(options: CacheDirOptions & { cache?: boolean }, io: CliIo, root: string): string | false {
  if (options.cache === false) return false;
  if (io.env.OCLHUB_CACHE_DIR) return path.join(cacheDirFor(options, io), 'lint');
  return path.join(root, '.oclhub-cache');
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
