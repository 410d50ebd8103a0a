/**
 * What `--help` adds to commander's option lists: examples for each command, `(required)` on options
 * that must be given, and every environment variable oclhub reads. Kept in one table so that command
 * modules stay about what the command does.
 */
import type { Command, Help, Option } from 'commander';

/** Every environment variable oclhub reads, for `oclhub --help`. */
export const ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['OCLHUB_HUB', 'the hub for --hub when it is not given: a folder or https://host/repo.git[#ref]'],
  ['OCLHUB_CACHE_DIR', 'where remote hubs are cloned (default ~/.cache/oclhub) and lint results cached'],
  ['OCLHUB_JOBS', 'lint --jobs when it is not given: threads evaluating projects (a number, or auto: one per 1.3 CPUs not already busy, so one on two cores)'],
  ['OCLHUB_GIT_TOKEN', 'token for private hub repositories over HTTPS (sent as the password)'],
  ['OCLHUB_GIT_USERNAME', 'user name sent with OCLHUB_GIT_TOKEN (default x-access-token)'],
  ['HTTPS_PROXY, HTTP_PROXY, NO_PROXY', 'proxy for Git over HTTP(S), and the hosts that bypass it'],
  ['GIT_ASKPASS, NETRC (default ~/.netrc)', 'other sources of Git credentials, with `git credential` helpers (see docs/ci.md)'],
  ['GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL', 'publisher recorded by publish (default: git config user.name/email)'],
  ['NO_COLOR, FORCE_COLOR', 'turn colour off, or on even when the output is not a terminal'],
  ['GITHUB_STEP_SUMMARY', 'set by GitHub Actions: lint --format github appends the Markdown job summary to this file'],
  ['CI', 'set by CI systems: no progress output, no colour unless FORCE_COLOR'],
  ['HOME, USERPROFILE, XDG_CONFIG_HOME, GIT_CONFIG_GLOBAL', 'where ~/.cache, ~/.netrc and the global Git configuration are found (USERPROFILE on Windows)'],
  ['GIT_CONFIG_SYSTEM, GIT_CONFIG_NOSYSTEM, GIT_ATTR_NOSYSTEM', "the system Git configuration and attributes lint looks at (with the repository's and the global ones) before it trusts Git's index over hashing the working tree's files: any line-ending setting or attribute there, or GIT_CONFIG_PARAMETERS/GIT_CONFIG_COUNT, and every file is hashed"],
  ['OCLHUB_CODE_CACHE_DIR, OCLHUB_CODE_CACHE', "where V8's compiled code of lint is kept between runs, one file per oclhub build, Node version and NODE_OPTIONS (default code/ in the cache folder above); OCLHUB_CODE_CACHE=off keeps none"],
  ['OCLHUB_UNBUNDLED', 'run the compiled modules in dist/ instead of the bundle (debugging)'],
];

/** Examples by command path (`rego eval` for a sub-command), shown after its options. */
const EXAMPLES: Record<string, readonly string[]> = {
  '': ['oclhub init', 'oclhub validate .octopus', 'oclhub lint --format sarif --output oclhub.sarif', 'oclhub serve --hub https://git.example.com/platform/hub.git#main'],
  fmt: ['oclhub fmt                      # every *.ocl below the current folder', "oclhub fmt --check '**/*.ocl'   # quoted: oclhub expands the pattern", 'oclhub fmt --diff .octopus', 'cat variables.ocl | oclhub fmt - --stdin-filename .octopus/variables.ocl'],
  validate: ['oclhub validate .octopus', 'oclhub validate --format json .octopus > findings.json', 'oclhub validate --hub . --ref main', 'git show HEAD:.octopus/deployment_process.ocl | oclhub validate - --stdin-filename .octopus/deployment_process.ocl'],
  convert: ['oclhub convert .octopus/deployment_process.ocl > process.json', 'oclhub convert process.json --to ocl', 'oclhub convert - < deployment_process.ocl'],
  'rego eval': ['oclhub rego eval -d policy.rego -i input.json data.policy.result', 'oclhub input --environment production | oclhub rego eval -d policy.rego -i - data.policy.result'],
  publish: ['oclhub publish process-template deploy-web-app --bump minor --notes "Smoke test step" --dry-run', 'oclhub publish policy no_disabled_steps --bump major'],
  versions: ['oclhub versions process-template deploy-web-app', 'oclhub versions policy no_disabled_steps --format json --hub https://git.example.com/platform/hub.git'],
  resolve: ['oclhub resolve --project services/payments', 'oclhub resolve --format ocl --locked'],
  lock: ['oclhub lock --hub ../hub'],
  outdated: ['oclhub outdated --format json'],
  serve: ['oclhub serve --port 8080 --token-file tokens.txt', 'OCLHUB_GIT_TOKEN=… oclhub serve --hub https://github.com/acme/platform-hub.git#main --log-format json'],
  test: ['oclhub test', 'oclhub test --format json'],
  init: ['oclhub init platform-hub', 'oclhub init --no-starter-policies'],
  lint: ['oclhub lint', 'oclhub lint --project . --environment production --fail-on warn', 'oclhub lint --hub https://github.com/acme/platform-hub.git#main --format sarif --output oclhub.sarif'],
  evaluate: ['oclhub evaluate --environment production', 'oclhub evaluate --project payments-api --environment production --tenant acme --format json'],
  input: ['oclhub input --environment production > input.json'],
  diff: ['oclhub diff main feature/stricter-approvals', 'oclhub diff v1 v2 --format json --fail-on-new-blocks'],
  demo: ['oclhub demo --port 0'],
};

/** Marks mandatory options `(required)`; before commands are added, which inherit the setting. */
export function markRequiredOptions(program: Command): void {
  program.configureHelp({
    optionDescription(this: Help, option: Option): string {
      const description = Object.getPrototypeOf(this).optionDescription.call(this, option) as string;
      return option.mandatory ? `${description} (required)` : description;
    },
  });
}

/** Adds examples to the help of `program` and its commands, and the environment to the top-level help. */
export function addHelpExamples(program: Command): void {
  const walk = (command: Command, prefix: string): void => {
    const examples = EXAMPLES[prefix];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
    for (const sub of command.commands) walk(sub, prefix === '' ? sub.name() : `${prefix} ${sub.name()}`);
  };
  walk(program, '');
  const width = Math.max(...ENVIRONMENT.map(([name]) => name.length));
  program.addHelpText('after', `\nEnvironment:\n${ENVIRONMENT.map(([name, what]) => `  ${name.padEnd(width)}  ${what}`).join('\n')}\n\n-v, -V, --version and \`oclhub version\` print the version.`);
}
