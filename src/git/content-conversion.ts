/**
 * Whether Git might convert a file's content between the working tree and its blob (line endings,
 * clean/smudge filters such as Git LFS or git-crypt, working-tree encodings): then the blob id an index
 * entry records is that of the converted content, not of the file's bytes, and only hashing the file
 * tells whether it holds its blob's bytes. Conversions come from attributes (`.gitattributes` files,
 * `info/attributes`, the global and system attribute files) and from `core.autocrlf`/`core.eol`.
 *
 * Answered from the files, without running Git, and conservatively: any attribute file, any config
 * that mentions line endings, an attributes file or an include (which could bring either), config
 * given through the environment, Windows (where Git's own installer sets `core.autocrlf`), or a file
 * that cannot be read, is "might". `.gitattributes` files in the working tree are the caller's to
 * look for (it lists every folder anyway).
 */
const fs: typeof import('node:fs') = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));
const path: typeof import('node:path') = process.getBuiltinModule?.('node:path') ?? (await import('node:path'));

/** Config that can make Git convert content without any attribute, or point to more config or attributes. */
const CONVERTING_CONFIG = /autocrlf|\beol\b|attributesfile|include/i;

/** Where Git installations keep their system-wide files ($(prefix)/etc): the usual prefixes. */
const SYSTEM_PREFIXES = ['/etc', '/usr/local/etc', '/opt/homebrew/etc'];

/** The file's text, '' when it does not exist, undefined when it cannot be read. */
function textOf(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? '' : undefined;
  }
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/**
 * Whether Git might convert content in the repository whose Git folder is `gitdir` (see the file
 * comment); `env` is the environment Git would run in.
 */
export function mayConvertContent(gitdir: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'win32') return true;
  if (['GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT', 'GIT_CONFIG', 'GIT_ATTR_SOURCE'].some((name) => env[name] !== undefined)) return true;
  const home = env.HOME;
  if (!home) return true;
  const xdg = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  // A linked worktree's Git folder names the repository's own ("commondir"), which holds its config and info/.
  const common = textOf(path.join(gitdir, 'commondir'));
  if (common === undefined) return true;
  const commonDir = common.trim() === '' ? gitdir : path.resolve(gitdir, common.trim());
  const configs = [path.join(commonDir, 'config'), path.join(commonDir, 'config.worktree'), path.join(gitdir, 'config.worktree')];
  configs.push(...(env.GIT_CONFIG_GLOBAL !== undefined ? [env.GIT_CONFIG_GLOBAL] : [path.join(xdg, 'git', 'config'), path.join(home, '.gitconfig')]));
  if (!truthy(env.GIT_CONFIG_NOSYSTEM)) configs.push(...(env.GIT_CONFIG_SYSTEM !== undefined ? [env.GIT_CONFIG_SYSTEM] : SYSTEM_PREFIXES.map((prefix) => path.join(prefix, 'gitconfig'))));
  for (const file of configs) {
    const text = textOf(file);
    if (text === undefined || CONVERTING_CONFIG.test(text)) return true;
  }
  const attributes = [path.join(commonDir, 'info', 'attributes'), path.join(xdg, 'git', 'attributes')];
  if (!truthy(env.GIT_ATTR_NOSYSTEM)) attributes.push(...SYSTEM_PREFIXES.map((prefix) => path.join(prefix, 'gitattributes')));
  // An attribute file with nothing but blank lines and comments sets nothing.
  return attributes.some((file) => textOf(file)?.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('#')) ?? true);
}
