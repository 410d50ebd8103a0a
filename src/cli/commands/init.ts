/**
 * `oclhub init [DIR]`: scaffolds a hub repository — `oclhub.ocl` with three environments, the starter
 * policies in `.octopus/policies/` and their unit tests in `policy-tests/` (outside the Octopus base
 * path). Never overwrites: an existing `oclhub.ocl` is a usage error, other existing files are kept.
 * Policies are not activated: activation names a *published* version, so the next steps are printed.
 */
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BASE_PATH } from '../../model/build.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { DEFAULT_POLICY_TESTS_DIR } from './test.js';

/** The repository's templates/ folder (the same relative place from src/ and dist/). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));

export const INIT_CONFIG = `base_path = "${DEFAULT_BASE_PATH}"
default_space = "default"

space "default" {
    name = "Default"
}

environment "development" {
    name = "Development"
    order = 1
    tags = ["tier/non-production"]
}

environment "staging" {
    name = "Staging"
    order = 2
    tags = ["tier/non-production"]
}

environment "production" {
    name = "Production"
    order = 3
    tags = ["tier/production"]
}
`;

export const registerInit: RegisterCommand = (program, ctx) => {
  program
    .command('init')
    .description('scaffold a hub repository: oclhub.ocl, starter policies and their tests')
    .argument('[dir]', 'folder to create the hub in (default: the current directory)')
    .action(async (dir: string | undefined) => {
      ctx.setExitCode(await runInit({ dir }, ctx.io));
    });
};

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

export async function runInit(options: { dir?: string | undefined }, io: CliIo): Promise<number> {
  const target = path.resolve(io.cwd, options.dir ?? '.');
  const shown = (p: string) => path.relative(io.cwd, p).split(path.sep).join('/') || '.';
  if (await exists(path.join(target, 'oclhub.ocl'))) {
    io.stderr(`oclhub init: ${shown(path.join(target, 'oclhub.ocl'))} already exists: this is already a hub\n`);
    return EXIT_USAGE;
  }
  const copies: Array<{ from: string; to: string }> = [];
  for (const [source, destination] of [
    ['policies', path.join(DEFAULT_BASE_PATH, 'policies')],
    ['policy-tests', DEFAULT_POLICY_TESTS_DIR],
  ] as const) {
    const from = path.join(TEMPLATES_DIR, source);
    if (!(await exists(from))) {
      io.stderr(`oclhub init: the starter files are missing from this installation (${from})\n`);
      return EXIT_USAGE;
    }
    for (const file of await filesUnder(from)) copies.push({ from: file, to: path.join(target, destination, path.relative(from, file)) });
  }
  await mkdir(target, { recursive: true });
  await writeFile(path.join(target, 'oclhub.ocl'), INIT_CONFIG, 'utf8');
  io.stdout(`created ${shown(path.join(target, 'oclhub.ocl'))}\n`);
  let kept = 0;
  for (const { from, to } of copies) {
    if (await exists(to)) {
      kept++;
      io.stdout(`kept    ${shown(to)} (exists)\n`);
      continue;
    }
    await mkdir(path.dirname(to), { recursive: true });
    await copyFile(from, to);
    io.stdout(`created ${shown(to)}\n`);
  }
  const policies = copies.filter((c) => c.to.endsWith('.ocl')).map((c) => path.basename(c.to, '.ocl'));
  const at = options.dir !== undefined ? ` --hub ${shown(target)}` : '';
  io.stdout(
    `\n${copies.length - kept + 1} files created. Next steps:\n` +
      `  oclhub test${at}                       run the policy unit tests\n` +
      `  git init && git add -A && git commit   put the hub under version control\n` +
      `  oclhub publish policy <slug> --bump major${at}   publish a policy (e.g. ${policies[0] ?? 'my_policy'})\n` +
      `  then activate it in oclhub.ocl:  policy "<slug>" { active_version = "1.0.0" }\n`,
  );
  return EXIT_OK;
}
