/**
 * Template resolution at hub scale: 1,000 projects, each using 3 process templates, against a hub
 * of 50 templates × 20 published versions (1,000 annotated tags). Prints the time per project on a
 * cold catalog (every template version read from Git once) and warm (all cached), against a
 * baseline measured in the same run: validating the projects' files without resolving them.
 *   npx tsx bench/resolve.ts [projects] [templates] [versions]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openRepository } from '../src/git/index.js';
import { openHub } from '../src/hub/index.js';
import { validateFile } from '../src/model/validate.js';
import { formatTagMessage, hashFileContent, tagName } from '../src/templates/index.js';

const projectCount = Number(process.argv[2] ?? 1000);
const templateCount = Number(process.argv[3] ?? 50);
const versionCount = Number(process.argv[4] ?? 20);
const identity = { name: 'Bench', email: 'bench@example.com' };

/** 1.0.0, 1.1.0 … 1.4.0, 2.0.0 …: five minors per major. */
function versionAt(i: number): string {
  return `${1 + Math.floor(i / 5)}.${i % 5}.0`;
}

function templateText(t: number, v: number): string {
  return `name = "Template ${t}"

parameter "Template.WorkerPool" {
    display_settings = {
        Octopus.ControlType = "WorkerPool"
    }
    help_text = ""
    label = "Worker Pool"
}

parameter "Template.Region" {
    display_settings = {
        Octopus.ControlType = "Select"
        Octopus.SelectOptions = <<-EOT
            eu|Europe
            us|United States
            EOT
    }
    help_text = "Version ${v}"
    label = "Region"

    value "eu" {}
}

step "build" {
    name = "Build"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo build ${t}.${v}"
        }
        worker_pool_variable = "#{Template.WorkerPool}"
    }
}

step "deploy" {
    name = "Deploy"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo deploy ${t}.${v}"
        }
        worker_pool_variable = "#{Template.WorkerPool}"
    }
}
`;
}

function projectText(p: number): string {
  const usages: string[] = [];
  for (let k = 0; k < 3; k++) {
    const t = (p * 7 + k * 13) % templateCount;
    const major = 1 + ((p + k) % Math.max(1, Math.floor(versionCount / 5)));
    usages.push(`process_template "use-${k}" {
    name = "Use ${k}"
    process_template_slug = "template-${t}"
    version_mask = "${major}.X"

    parameter "Template.WorkerPool" {
        value = "WorkerPools-${p}"
    }

    parameter "Template.Region" {
        value = "${p % 2 ? 'eu' : 'us'}"
    }
}`);
  }
  usages.push(`step "notify" {
    name = "Notify"

    action {
        action_type = "Octopus.Script"
        properties = {
            Octopus.Action.Script.ScriptBody = "echo ${p}"
        }
        worker_pool = "hosted-ubuntu"
    }
}`);
  return `${usages.join('\n\n')}\n`;
}

const dir = mkdtempSync(path.join(tmpdir(), 'oclhub-bench-resolve-'));
try {
  const setupStart = performance.now();
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const store = await openRepository({ dir });
  let parent: string | null = null;
  for (let v = 0; v < versionCount; v++) {
    const changes = [];
    for (let t = 0; t < templateCount; t++) changes.push({ path: `.octopus/process-templates/template-${t}.ocl`, content: templateText(t, v) });
    const commit = await store.commitChanges({ branch: 'main', expectedOid: parent, changes, message: `round ${v}`, author: identity });
    parent = commit.oid;
    for (let t = 0; t < templateCount; t++) {
      const message = formatTagMessage({
        notes: `round ${v}`,
        publisher: identity,
        contentHash: hashFileContent(templateText(t, v)),
        requestedBump: v === 0 ? 'major' : v % 5 === 0 ? 'major' : 'minor',
        requiredBump: 'patch',
        forced: false,
        reasons: [],
      });
      await store.createTag({ name: tagName('process-templates', `template-${t}`, versionAt(v)), target: commit.oid, message, tagger: identity });
    }
  }
  console.log(`hub: ${templateCount} templates × ${versionCount} versions (${templateCount * versionCount} tags), built in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);

  const projects = Array.from({ length: projectCount }, (_, p) => new Map([['.octopus/deployment_process.ocl', projectText(p)]]));

  const baselineStart = performance.now();
  for (const files of projects) for (const [file, text] of files) validateFile({ path: file, text });
  const baselineMs = (performance.now() - baselineStart) / projectCount;

  const { hub } = await openHub({ dir });
  if (!hub) throw new Error('cannot open the bench hub');
  let errors = 0;
  let steps = 0;
  const coldStart = performance.now();
  for (const files of projects) {
    const r = await hub.resolveProject({ files });
    errors += r.diagnostics.filter((d) => d.severity === 'error').length;
    steps += r.processes[0]!.steps.length;
  }
  const coldMs = (performance.now() - coldStart) / projectCount;
  const warmStart = performance.now();
  for (const files of projects) await hub.resolveProject({ files });
  const warmMs = (performance.now() - warmStart) / projectCount;

  const fresh = (await openHub({ dir })).hub!;
  const oneStart = performance.now();
  await fresh.resolveProject({ files: projects[0]! });
  const firstMs = performance.now() - oneStart;

  console.log(`${projectCount} projects × 3 usages: ${steps} expanded steps, ${errors} errors`);
  console.log(`baseline: validate project files         ${baselineMs.toFixed(3)} ms/project`);
  console.log(`resolve, cold catalog (first pass)       ${coldMs.toFixed(3)} ms/project  (${(coldMs / baselineMs).toFixed(1)}× baseline)`);
  console.log(`resolve, warm catalog (second pass)      ${warmMs.toFixed(3)} ms/project  (${(warmMs / baselineMs).toFixed(1)}× baseline)`);
  console.log(`first project on a freshly opened hub    ${firstMs.toFixed(3)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
