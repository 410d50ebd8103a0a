/**
 * Hand-written repositories for multi-repository lint tests: a hub repository and project
 * repositories side by side in one temporary folder (`<root>/hub`, `<root>/alpha`, …), each a real Git
 * repository built with the git CLI. The hub registers the projects by relative path
 * (`repository = "../alpha"`), publishes and activates its policies with the façade.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openHub } from '../../src/hub/index.js';
import { commitAll, git, removeDir, tempDir } from '../git/helpers.js';

export const PUBLISHER = { name: 'Pat Publisher', email: 'pat@example.com' };

/** A script step; `disabled` adds `is_disabled = true`. 15 lines with the blank line after it. */
export function scriptStep(slug: string, options: { disabled?: boolean } = {}): string {
  return [
    `step "${slug}" {`,
    `    name = "${slug}"`,
    '',
    '    action {',
    '        action_type = "Octopus.Script"',
    ...(options.disabled ? ['        is_disabled = true'] : []),
    '        properties = {',
    '            Octopus.Action.RunOnServer = "false"',
    `            Octopus.Action.Script.ScriptBody = "echo ${slug}"`,
    '            Octopus.Action.Script.ScriptSource = "Inline"',
    '            Octopus.Action.Script.Syntax = "Bash"',
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
}

/** Blocks deployments with disabled steps, naming them (so findings point at the step). */
export const NO_DISABLED_STEPS = `name = "No disabled steps"
violation_action = "block"

conditions {
    rego = <<-EOT
        package no_disabled_steps

        disabled contains step.Slug if {
            some step in input.Steps
            not step.Enabled
        }

        default result := {"allowed": true}

        result := {"allowed": false, "reason": sprintf("Disabled steps: %s", [concat(", ", disabled)])} if count(disabled) > 0
        EOT
}

scope {
    rego = <<-EOT
        package no_disabled_steps

        default evaluate := true
        EOT
}
`;

/** Reads `input.Release`: inconclusive without a release version. */
export const MIN_RELEASE = `name = "Minimum release version"
violation_action = "block"

conditions {
    rego = <<-EOT
        package min_release

        default result := {"allowed": true}

        result := {"allowed": false, "reason": sprintf("Release %s is below 2.0.0", [input.Release.Version])} if semver.compare(input.Release.Version, "2.0.0") < 0
        EOT
}

scope {
    rego = <<-EOT
        package min_release

        default evaluate := false

        evaluate if input.Release
        EOT
}
`;

export interface ProjectSpec {
  slug: string;
  /** Files of the project repository (relative to its root); committed. */
  files: Record<string, string>;
  /** The `project` block's extra attributes, e.g. `path = ".octopus"`; default `repository = "../<slug>"` and `path = ".octopus"`. */
  block?: string;
}

export interface RepoSet {
  root: string;
  hub: string;
  /** Folder of each project repository by slug. */
  repos: Record<string, string>;
  /** HEAD commit of each project repository by slug. */
  commits: Record<string, string>;
  hubCommit: string;
  remove(): void;
}

export interface RepoSetOptions {
  projects: ProjectSpec[];
  /** Extra oclhub.ocl text (rule settings, more projects). */
  config?: string;
  /** Extra hub files (e.g. in-hub projects). */
  hubFiles?: Record<string, string>;
  /** Policies by slug (default: no_disabled_steps and min_release). */
  policies?: Record<string, string>;
}

/** The hub's oclhub.ocl: one environment, the projects, every policy active at 1.0.0. */
export function hubConfig(options: RepoSetOptions): string {
  const policies = Object.keys(options.policies ?? { no_disabled_steps: '', min_release: '' });
  const projects = options.projects.map(
    (p) => `project "${p.slug}" {\n    name = "${p.slug}"\n${(p.block ?? `    repository = "../${p.slug}"\n    path = ".octopus"`).replace(/\n?$/, '\n')}}\n`,
  );
  return [
    'base_path = ".octopus"',
    '',
    'environment "production" {\n    name = "Production"\n    order = 1\n}\n',
    ...projects,
    ...policies.map((slug) => `policy "${slug}" {\n    active_version = "1.0.0"\n}\n`),
    options.config ?? '',
  ].join('\n');
}

export async function repoSet(options: RepoSetOptions): Promise<RepoSet> {
  const root = tempDir('oclhub-repos-');
  const hub = path.join(root, 'hub');
  const repos: Record<string, string> = {};
  const commits: Record<string, string> = {};
  for (const project of options.projects) {
    const dir = path.join(root, project.slug);
    fs.mkdirSync(dir);
    git(dir, ['init', '-q', '-b', 'main']);
    commits[project.slug] = commitAll(dir, project.files, `${project.slug}: initial`);
    repos[project.slug] = dir;
  }
  fs.mkdirSync(hub);
  git(hub, ['init', '-q', '-b', 'main']);
  const policies = options.policies ?? { no_disabled_steps: NO_DISABLED_STEPS, min_release: MIN_RELEASE };
  const files: Record<string, string> = { 'oclhub.ocl': hubConfig({ ...options, policies }), ...(options.hubFiles ?? {}) };
  for (const [slug, text] of Object.entries(policies)) files[`.octopus/policies/${slug}.ocl`] = text;
  let hubCommit = commitAll(hub, files, 'hub: initial');
  const opened = await openHub({ dir: hub });
  if (!opened.hub) throw new Error(`cannot open the hub: ${JSON.stringify(opened.diagnostics)}`);
  for (const slug of Object.keys(policies)) {
    const result = await opened.hub.publish({ kind: 'policies', slug, bump: 'major', publisher: PUBLISHER });
    if (!result.published) throw new Error(`cannot publish ${slug}: ${JSON.stringify(result.diagnostics)}`);
  }
  hubCommit = git(hub, ['rev-parse', 'HEAD']).trim();
  return { root, hub, repos, commits, hubCommit, remove: () => removeDir(root) };
}

/** The 1-based line of the first line of `text` that starts with `prefix`. */
export function lineOf(text: string, prefix: string): number {
  const index = text.split('\n').findIndex((line) => line.startsWith(prefix));
  if (index < 0) throw new Error(`no line starting with ${prefix}`);
  return index + 1;
}
