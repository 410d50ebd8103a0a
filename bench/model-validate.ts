/**
 * Model validation benchmark: a synthetic deployment process (N steps) and a synthetic process template,
 * validated with `validateFile` (parse + JSON projection + ajv + semantic checks), against `parseOcl` alone
 * on the same text in the same run (the baseline).   Run: npx tsx bench/model-validate.ts [steps=2000] [rounds=7]
 */
import { performance } from 'node:perf_hooks';
import { parseOcl } from '../src/ocl/index.js';
import { validateFile } from '../src/model/index.js';

const STEPS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 7);

const step = (i: number) => `step "step-${i}" {
    name = "Step ${i}"
    properties = {
        Octopus.Action.TargetRoles = "web"
    }

    action {
        action_type = "Octopus.Script"
        environments = ["production", "staging"]
        properties = {
            Octopus.Action.RunOnServer = "true"
            Octopus.Action.Script.ScriptBody = <<-EOT
                echo "Deploying #{Octopus.Project.Name} with #{Template.Site.Name} step ${i}"
                EOT
        }
        worker_pool_variable = "#{Template.WorkerPool}"
    }
}
`;
const parameters = `name = "Bench"

parameter "Template.WorkerPool" {
    display_settings = {
        Octopus.ControlType = "WorkerPool"
    }
    label = "Worker pool"
}

parameter "Template.Site.Name" {
    display_settings = {
        Octopus.ControlType = "SingleLineText"
    }
    label = "Site"
}

`;
const body = Array.from({ length: STEPS }, (_, i) => step(i)).join('\n');
const cases = [
  { label: 'deployment_process', path: '.octopus/deployment_process.ocl', text: body },
  { label: 'process_template', path: '.octopus/process-templates/bench.ocl', text: parameters + body },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// Warm-up (ajv schema compilation happens on the first validation).
for (const c of cases) validateFile({ path: c.path, text: c.text });

for (const c of cases) {
  const parse: number[] = [];
  const validate: number[] = [];
  let diagnostics = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    parseOcl(c.text);
    parse.push(performance.now() - t);
    t = performance.now();
    diagnostics = validateFile({ path: c.path, text: c.text }).diagnostics.length;
    validate.push(performance.now() - t);
  }
  const p = median(parse);
  const v = median(validate);
  console.log(
    `${c.label.padEnd(20)} ${(c.text.length / 1e6).toFixed(2)} MB, ${STEPS} steps: parse ${p.toFixed(1)} ms (baseline), validateFile ${v.toFixed(1)} ms = ${(v / p).toFixed(2)}x parse, ${((c.text.length / 1e6) / (v / 1000)).toFixed(1)} MB/s; ${diagnostics} diagnostics`,
  );
}
