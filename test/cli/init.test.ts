import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { validateHub } from '../../src/model/validate.js';
import { commitAll, git } from '../git/helpers.js';
import { run, tempTree } from './helpers.js';

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/** The "Next steps" commands, one per line, without their explanations. */
function nextSteps(stdout: string): string[] {
  return stdout
    .slice(stdout.indexOf('Next steps:\n') + 'Next steps:\n'.length)
    .trimEnd()
    .split('\n')
    .map((line) => line.trim().split(/ {3,}/)[0]!);
}

describe('oclhub init in a new folder', () => {
  it('scaffolds a hub whose starter policy tests pass and whose files validate', async () => {
    const root = await tempTree({});
    const r = await run(root, 'init', 'hub');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created hub/oclhub.ocl\n');
    expect(r.stdout).toContain('created hub/.octopus/policies/process_template_required.ocl\n');
    const hub = path.join(root, 'hub');
    const files = filesUnder(hub);
    expect(files.filter((f) => f.startsWith('.octopus/policies/'))).toHaveLength(6);
    expect(files.filter((f) => f.startsWith('policy-tests/')).length).toBeGreaterThanOrEqual(12);

    const texts = new Map(files.filter((f) => f.endsWith('.ocl')).map((f) => [f, readFileSync(path.join(hub, f), 'utf8')]));
    const validation = await validateHub({ files: texts });
    expect(validation.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(validation.config?.environments.map((e) => e.slug)).toEqual(['development', 'staging', 'production']);
    // The starter policies are registered, not activated: activation names a published version.
    expect(validation.config?.policies.map((p) => [p.slug, p.activeVersion])).toContainEqual(['process_template_required', undefined]);

    const tests = await run(root, 'test', '--hub', 'hub');
    expect(tests.code).toBe(0);
    expect(tests.stdout).toMatch(/(\d+) tests, \1 passed, 0 failed \(6 policies\)/);
    expect(nextSteps(r.stdout)).toEqual([
      'git init hub',
      'oclhub validate --hub hub',
      'oclhub test --hub hub',
      'git -C hub add -A && git -C hub commit',
      'oclhub publish policy manual_intervention_in_production --bump major --hub hub',
      'oclhub activate manual_intervention_in_production 1.0.0 --hub hub',
    ]);
    // Not a repository yet: validate --hub refuses it, as the first next step says.
    expect((await run(root, 'validate', '--hub', 'hub')).code).toBe(2);
    git(hub, ['init', '-q']);
    const validate = await run(root, 'validate', '--hub', 'hub');
    expect(validate.code).toBe(0);
  });

  it('copies no starter policies with --no-starter-policies', async () => {
    const root = await tempTree({});
    const r = await run(root, 'init', '--no-starter-policies');
    expect(r.code).toBe(0);
    expect(filesUnder(root)).toEqual(['oclhub.ocl']);
    expect(nextSteps(r.stdout)).toEqual(['git init', 'oclhub validate --hub .', 'git add -A && git commit']);
  });

  it('refuses a folder that already has oclhub.ocl', async () => {
    const hub = await tempTree({ 'oclhub.ocl': 'base_path = ".octopus"\n' });
    const r = await run(hub, 'init');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already a hub');
    expect(readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8')).toBe('base_path = ".octopus"\n');
  });
});

const PROCESS = `step "deploy" {
    name = "Deploy"

    action {
        action_type = "Octopus.Script"
        environments = ["test", "live"]
        properties = {
            Octopus.Action.Script.ScriptBody = "./deploy.sh"
        }
    }
}
`;

const POLICY = (slug: string) => `name = "${slug}"
violation_reason = "No"

conditions {
    rego = <<-EOT
        package ${slug}

        default result := {"allowed": true}
        EOT
}

scope {
    rego = <<-EOT
        package ${slug}

        default evaluate := true
        EOT
}
`;

const TEMPLATE = `name = "Smoke test"

step "smoke" {
    name = "Smoke"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "curl -f https://example.com"
        }
    }
}
`;

describe('oclhub init in an existing hub (a folder with .octopus/)', () => {
  async function existingHub(): Promise<string> {
    return tempTree({
      '.octopus/policies/no_friday_deploys.ocl': POLICY('no_friday_deploys'),
      '.octopus/policies/require_approval.ocl': POLICY('require_approval'),
      '.octopus/process-templates/smoke-test.ocl': TEMPLATE,
      '.octopus/project-templates/api/parameters.ocl': 'parameter "Template.Name" {\n    display_settings = {\n        Octopus.ControlType = "SingleLineText"\n    }\n    label = "Name"\n}\n',
      'projects/web/.octopus/deployment_process.ocl': PROCESS,
      'projects/web/.octopus/variables.ocl': 'variable "Url" {\n    value "https://test.example.com" {\n        environment = ["test"]\n    }\n}\n',
      'projects/ops/.octopus/runbooks/rotate.ocl': 'name = "Rotate"\nenvironments = ["live"]\n',
    });
  }

  it('writes only oclhub.ocl, registering the policies, projects and environments already there', async () => {
    const root = await existingHub();
    const before = filesUnder(root).sort();
    const r = await run(root, 'init');
    expect(r.code).toBe(0);
    expect(filesUnder(root).sort()).toEqual([...before, 'oclhub.ocl'].sort());
    expect(r.stdout).toContain('Registered in oclhub.ocl: policies: no_friday_deploys, require_approval; projects: ops (projects/ops/.octopus), web (projects/web/.octopus)');
    expect(r.stdout).toContain('process templates: smoke-test; project templates: api');

    const texts = new Map(filesUnder(root).filter((f) => f.endsWith('.ocl')).map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
    const validation = await validateHub({ files: texts });
    expect(validation.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const config = validation.config!;
    expect(config.policies.map((p) => [p.slug, p.activeVersion])).toEqual([
      ['no_friday_deploys', undefined],
      ['require_approval', undefined],
    ]);
    expect(config.projects.map((p) => [p.slug, p.path])).toEqual([
      ['ops', 'projects/ops/.octopus'],
      ['web', 'projects/web/.octopus'],
    ]);
    expect(config.environments.map((e) => [e.slug, e.order])).toEqual([
      ['live', 1],
      ['test', 2],
    ]);

    expect(nextSteps(r.stdout)).toEqual([
      'git init',
      'oclhub validate --hub .',
      'git add -A && git commit',
      'oclhub publish policy no_friday_deploys --bump major --hub .',
      'oclhub activate no_friday_deploys 1.0.0 --hub .',
    ]);
    git(root, ['init', '-q']);
    const validate = await run(root, 'validate', '--hub', '.');
    expect(validate.code).toBe(0);
  });

  it('in a Git repository: suggests committing, and activating the latest published version of a policy', async () => {
    const root = await existingHub();
    git(root, ['init', '-q', '-b', 'main']);
    commitAll(root, {}, 'hub content');
    git(root, ['tag', '-a', 'policies/require_approval/v1.2.0', '-m', 'publish']);
    git(root, ['tag', '-a', 'policies/require_approval/v1.10.0', '-m', 'publish']);
    const r = await run(path.join(root, 'projects'), 'init', '..');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created ../oclhub.ocl\n');
    expect(nextSteps(r.stdout)).toEqual([
      'oclhub validate --hub ..',
      'git -C .. add oclhub.ocl && git -C .. commit',
      'oclhub activate require_approval 1.10.0 --hub ..',
      'oclhub publish policy no_friday_deploys --bump major --hub ..',
      'oclhub activate no_friday_deploys 1.0.0 --hub ..',
    ]);
    // The suggested activation works as printed once oclhub.ocl is committed (the step before it).
    commitAll(root, {}, 'hub settings');
    const io = { ...memoryIo(path.join(root, 'projects')), env: { GIT_AUTHOR_NAME: 'Pat', GIT_AUTHOR_EMAIL: 'pat@example.com' } };
    expect(await main(['activate', 'require_approval', '1.10.0', '--hub', '..'], io)).toBe(0);
    expect(io.err.join('')).toBe('');
    expect(git(root, ['show', 'HEAD:oclhub.ocl'])).toContain('policy "require_approval" {\n    active_version = "1.10.0"\n}');
  });

  it('adds the starter policies only with --starter-policies, keeping existing files', async () => {
    const root = await existingHub();
    await run(root, 'init', '--starter-policies');
    expect(existsSync(path.join(root, '.octopus/policies/process_template_required.ocl'))).toBe(true);
    expect(existsSync(path.join(root, 'policy-tests'))).toBe(true);
    expect(readFileSync(path.join(root, '.octopus/policies/require_approval.ocl'), 'utf8')).toBe(POLICY('require_approval'));

    const partial = await tempTree({ '.octopus/policies/process_template_required.ocl': 'mine' });
    const again = await run(partial, 'init', '--starter-policies');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('kept    .octopus/policies/process_template_required.ocl (exists)');
    expect(readFileSync(path.join(partial, '.octopus/policies/process_template_required.ocl'), 'utf8')).toBe('mine');
  });
});

describe('oclhub init where the policies and templates are not under .octopus/', () => {
  const PUBLISHER = { GIT_AUTHOR_NAME: 'Pat', GIT_AUTHOR_EMAIL: 'pat@example.com' };

  it('a hub keeping policies/ and process-templates/ at the root gets base_path ".", no starter policies, and its policies publish and activate as printed', async () => {
    const root = await tempTree({
      'policies/no_friday_deploys.ocl': POLICY('no_friday_deploys'),
      'process-templates/smoke-test.ocl': TEMPLATE,
      'README.md': '# our hub\n',
    });
    git(root, ['init', '-q', '-b', 'main']);
    commitAll(root, {}, 'hub content');
    const r = await run(root, 'init');
    expect(r.code, r.stderr).toBe(0);
    expect(filesUnder(root).filter((f) => !f.startsWith('.git/')).sort()).toEqual(['README.md', 'oclhub.ocl', 'policies/no_friday_deploys.ocl', 'process-templates/smoke-test.ocl']);
    expect(readFileSync(path.join(root, 'oclhub.ocl'), 'utf8')).toMatch(/^base_path = "\."\n/);
    expect(r.stdout).toContain('Registered in oclhub.ocl: policies: no_friday_deploys;');
    expect(r.stdout).toContain('Policies and templates are read from the repository root (base_path): process templates: smoke-test;');
    expect((await run(root, 'validate', '--hub', '.')).code).toBe(0);
    commitAll(root, {}, 'hub settings');
    const steps = nextSteps(r.stdout);
    expect(steps.slice(-2)).toEqual(['oclhub publish policy no_friday_deploys --bump major --hub .', 'oclhub activate no_friday_deploys 1.0.0 --hub .']);
    for (const step of steps.slice(-2)) {
      const io = { ...memoryIo(root), env: PUBLISHER };
      expect(await main(step.split(' ').slice(1), io), io.err.join('')).toBe(0);
    }
    expect(git(root, ['tag', '--list'])).toContain('policies/no_friday_deploys/v1.0.0');
    const published = await run(root, 'publish', 'process-template', 'smoke-test', '--bump', 'major', '--hub', '.');
    expect(published.code, published.stderr).toBe(0);
  });

  it('says which files the hub would not read (a library keeping one folder per item, named otherwise), instead of registering them', async () => {
    const root = await tempTree({
      'policies/check-supply-chain/check_supply_chain.ocl': POLICY('check_supply_chain'),
      'process-templates/verify-build-artifacts/verify-build-artifacts.ocl': TEMPLATE,
      'process-templates/verify-dependencies/deploy-process-verify-dependencies.ocl': TEMPLATE,
    });
    const r = await run(root, 'init');
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(root, 'oclhub.ocl'), 'utf8')).not.toContain('policy "check_supply_chain"');
    expect(r.stdout).toContain('process templates: verify-build-artifacts;');
    expect(r.stdout).toContain('  policies/check-supply-chain/check_supply_chain.ocl: move it to policies/check_supply_chain.ocl\n');
    expect(r.stdout).toContain('  process-templates/verify-dependencies/deploy-process-verify-dependencies.ocl: move it to process-templates/deploy-process-verify-dependencies.ocl\n');
  });

  it('asks for --base-path when policies or templates are in several folders, and takes the one named', async () => {
    const files = { 'platform/policies/a_policy.ocl': POLICY('a_policy'), '.octopus/process-templates/smoke-test.ocl': TEMPLATE };
    const root = await tempTree(files);
    const refused = await run(root, 'init');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('policies or templates are in several folders: .octopus, platform. Say which one the hub reads with --base-path');
    expect(existsSync(path.join(root, 'oclhub.ocl'))).toBe(false);

    const r = await run(root, 'init', '--base-path', 'platform/');
    expect(r.code, r.stderr).toBe(0);
    const config = readFileSync(path.join(root, 'oclhub.ocl'), 'utf8');
    expect(config).toMatch(/^base_path = "platform"\n/);
    expect(config).toContain('policy "a_policy" {}');

    const bad = await run(await tempTree({}), 'init', '--base-path', '../elsewhere');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--base-path "../elsewhere" is not a folder inside the hub');
  });

  it('--base-path in a new folder puts the starter policies there', async () => {
    const root = await tempTree({});
    const r = await run(root, 'init', '--base-path', 'platform');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(root, 'platform/policies/process_template_required.ocl'))).toBe(true);
    expect(readFileSync(path.join(root, 'oclhub.ocl'), 'utf8')).toMatch(/^base_path = "platform"\n/);
  });
});
