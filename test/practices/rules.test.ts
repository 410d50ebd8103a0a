/**
 * Every best-practice rule: the clean hub raises nothing; one change raises exactly that rule's finding,
 * at the block that causes it; a rule setting in oclhub.ocl changes or silences it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEP_CODES } from '../../src/deps/codes.js';
import { REPO_ROOT } from '../model/helpers.js';
import { applyRuleSettings } from '../../src/model/rule-settings.js';
import { hubPractices, RULES } from '../../src/practices/index.js';
import { CONFIG, cleanHub, NOW, practicesOf, scriptStep, settingsOf, summary, variables } from './helpers.js';
import { positionOf } from '../deps/helpers.js';

type Files = Record<string, string>;

const WEB = 'projects/web/.octopus/deployment_process.ocl';
const API = 'projects/api/.octopus/deployment_process.ocl';

function withConfig(change: (config: string) => string): Files {
  const files = cleanHub();
  files['oclhub.ocl'] = change(CONFIG);
  return files;
}

function manySteps(n: number): string {
  return Array.from({ length: n }, (_, i) => scriptStep(`step-${i + 1}`, `Step number ${i + 1}`, 'echo "#{Greeting}"')).join('\n');
}

/** rule code → a hub that triggers it, and where (file, the text the finding starts at). */
const TRIGGERS: Record<string, { files: () => Files; file: string; at: string; options?: Parameters<typeof practicesOf>[1] }> = {
  BP001: { files: () => ({ ...cleanHub(), [WEB]: manySteps(21) }), file: WEB, at: 'step "step-20"' },
  BP002: {
    files: () => {
      const files: Files = { ...cleanHub(), [WEB]: '' };
      delete files['projects/web/.octopus/variables.ocl'];
      return files;
    },
    file: 'oclhub.ocl',
    at: '"web"',
  },
  BP003: { files: () => ({ ...cleanHub(), [WEB]: scriptStep('greet', 'Run a Script', 'echo "#{Greeting}"') }), file: WEB, at: 'name = "Run a Script"' },
  BP004: { files: () => ({ ...cleanHub(), [WEB]: scriptStep('greet', 'x', 'echo "#{Greeting}"').replace('    name = "x"\n\n', '') }), file: WEB, at: '"greet"' },
  BP005: {
    files: () => ({ ...cleanHub(), [WEB]: scriptStep('greet', 'Greet', ['echo "#{Greeting}"', ...Array.from({ length: 120 }, (_, i) => `echo ${i}`)].join('\n')) }),
    file: WEB,
    at: 'Octopus.Action.Script.ScriptBody',
  },
  BP006: { files: () => ({ ...cleanHub(), [WEB]: scriptStep('greet', 'Greet', 'echo "#{Greeting}"', '') }), file: WEB, at: 'Octopus.Action.RunOnServer' },
  BP007: {
    files: () => ({
      ...cleanHub(),
      [WEB]: scriptStep('greet', 'Greet', 'echo "#{Greeting}"').replace('Octopus.Action.RunOnServer = "true"', 'Octopus.Action.RunOnServer = "true"\n            Octopus.Action.Template.Id = "ActionTemplates-101"'),
    }),
    file: WEB,
    at: 'Octopus.Action.Template.Id',
  },
  BP008: {
    files: () => ({
      ...cleanHub(),
      [API]: `${scriptStep('greet', 'Greet the API team', 'echo "#{Greeting}"')}
process_template "deploy" {
    name = "Deploy the API"
    process_template_slug = "deploy-web-app"
    version_mask = "1.X"
}
`,
    }),
    options: { publishedVersions: new Map([['deploy-web-app', ['1.0.0', '1.1.0', '2.0.0']]]) },
    file: API,
    at: 'version_mask',
  },
  BP009: {
    files: () => ({ ...cleanHub(), [WEB]: scriptStep('greet', 'Greet', 'echo "#{Greeting}"').replace('"Octopus.Script"', '"Octopus.AzureCloudService"') }),
    file: WEB,
    at: 'action_type',
  },
  BP010: { files: () => ({ ...cleanHub(), 'projects/web/.octopus/variables.ocl': `${variables('Greeting', 'hello web')}\n${variables('Unused.Setting', 'x')}` }), file: 'projects/web/.octopus/variables.ocl', at: '"Unused.Setting"' },
  BP011: { files: () => ({ ...cleanHub(), 'projects/api/.octopus/variables.ocl': variables('Greeting', 'hello web') }), file: 'projects/api/.octopus/variables.ocl', at: '"hello web"' },
  BP020: {
    files: () =>
      withConfig((c) => {
        const extra = Array.from({ length: 11 }, (_, i) => `project "loose-${i + 1}" {\n    name = "Loose ${i + 1}"\n    repository = "https://example.com/loose-${i + 1}.git"\n}\n`).join('\n');
        return `${c}\n${extra}`;
      }),
    file: 'oclhub.ocl',
    at: '"loose-11"',
  },
  BP021: { files: () => withConfig((c) => c.replace('    group = "shop"\n    path = "projects/web/.octopus"', '    path = "projects/web/.octopus"')), file: 'oclhub.ocl', at: '"web"' },
  BP022: {
    files: () => withConfig((c) => c.replace('environment "prod"', `${Array.from({ length: 9 }, (_, i) => `environment "qa-${i + 1}" {\n    name = "QA ${i + 1}"\n    order = ${i + 10}\n}\n\n`).join('')}environment "prod"`)),
    file: 'oclhub.ocl',
    // The 11th environment, in declaration order.
    at: '"prod"',
  },
  BP023: {
    files: () => withConfig((c) => `${c.replace(/(path = "projects\/(web|api)\/\.octopus")/g, '$1\n    environments = ["dev", "prod"]')}\nenvironment "sandbox" {\n    name = "Sandbox"\n    order = 9\n}\n`),
    file: 'oclhub.ocl',
    at: '"sandbox"',
  },
  BP024: {
    files: () => withConfig((c) => `${c.replace('path = "projects/web/.octopus"', 'path = "projects/web/.octopus"\n    environments = ["dev", "prod"]')}\nenvironment "sandbox" {\n    name = "Sandbox"\n    order = 9\n}\n`),
    file: 'oclhub.ocl',
    at: '"sandbox"',
  },
  BP025: {
    files: () =>
      withConfig((c) =>
        // An "ops" project deploys to both, so each environment keeps two projects (no BP024).
        `${c.replace('path = "projects/web/.octopus"', 'path = "projects/web/.octopus"\n    environments = ["dev"]').replace('path = "projects/api/.octopus"', 'path = "projects/api/.octopus"\n    environments = ["prod"]')}
project_group "ops" {
    name = "Operations"
}

project "admin" {
    name = "Admin"
    group = "ops"
    repository = "https://example.com/admin.git"
}
`,
      ),
    file: 'oclhub.ocl',
    at: '"shop"',
  },
  BP026: { files: () => withConfig((c) => c.replace('projects = ["api"]', 'projects = ["web"]')), file: 'oclhub.ocl', at: '"acme"' },
  BP027: { files: () => withConfig((c) => c.replace('policy "no_disabled_steps" {\n    active_version = "1.0.0"\n}\n', '')), file: '.octopus/policies/no_disabled_steps.ocl', at: 'name = ' },
  BP028: {
    files: () =>
      withConfig(
        (c) =>
          `${c}\nexception "web-quiet" {\n    policy = "no_disabled_steps"\n    project = "web"\n    reason = "Migration"\n    owner = "web@example.com"\n    expires = "2026-03-10"\n}\n`,
      ),
    file: 'oclhub.ocl',
    at: 'expires = ',
  },
};

describe('best-practice rules', () => {
  it('the clean hub raises no best-practice or dependency finding', async () => {
    const { diagnostics } = await practicesOf(cleanHub());
    expect(diagnostics.map(summary)).toEqual([]);
  });

  it('every rule in the table has a trigger below', () => {
    expect(RULES.map((r) => r.code).sort()).toEqual(Object.keys(TRIGGERS).sort());
  });

  for (const [code, trigger] of Object.entries(TRIGGERS)) {
    const rule = RULES.find((r) => r.code === code)!;
    it(`${code} ${rule.name}: raised at the block that causes it`, async () => {
      const files = trigger.files();
      const { diagnostics } = await practicesOf(files, trigger.options);
      const found = diagnostics.filter((d) => d.code === code);
      expect(found.length, diagnostics.map(summary).join('\n')).toBeGreaterThan(0);
      expect(found[0]!.severity).toBe(rule.severity);
      expect(found[0]!.file).toBe(trigger.file);
      expect(found[0]!.range?.start).toMatchObject(positionOf(files[trigger.file]!, trigger.at));
      // Nothing else: each trigger changes one thing.
      const others = diagnostics.filter((d) => d.code !== code && !(code === 'BP020' && d.code === 'BP021'));
      expect(others.map(summary)).toEqual([]);
    });
  }

  it('a rule setting changes a rule to error, or silences it for some paths (recording what it suppressed)', async () => {
    const files: Files = { ...cleanHub(), [WEB]: manySteps(21), [API]: manySteps(20) };
    files['oclhub.ocl'] += '\nrule "BP001" {\n    severity = "error"\n    reason = "Our processes stay short"\n}\n\nrule "BP001" {\n    severity = "off"\n    paths = ["projects/api/**"]\n    reason = "Legacy process, being split"\n}\n';
    const { diagnostics, config } = await practicesOf(files);
    expect(diagnostics.map((d) => `${d.code} ${d.severity} ${d.file}`)).toEqual([`BP001 warning ${API}`, `BP001 warning ${WEB}`]);
    const applied = applyRuleSettings(diagnostics, settingsOf(config));
    expect(applied.diagnostics.map((d) => `${d.code} ${d.severity} ${d.file}`)).toEqual([`BP001 error ${WEB}`]);
    expect(applied.diagnostics[0]!.adjusted).toMatchObject({ originalSeverity: 'warning', reason: 'Our processes stay short', file: 'oclhub.ocl' });
    expect(applied.suppressed.map((d) => `${d.code} ${d.file} ${d.adjusted?.reason}`)).toEqual([`BP001 ${API} Legacy process, being split`]);
  });

  it('a code prefix setting (BP*) changes every best-practice finding', async () => {
    const files: Files = { ...cleanHub(), [WEB]: scriptStep('greet', 'Run a Script', 'echo "#{Greeting}"', '') };
    files['oclhub.ocl'] += '\nrule "BP*" {\n    severity = "error"\n}\n';
    const { diagnostics, config } = await practicesOf(files);
    expect(diagnostics.map((d) => `${d.code} ${d.severity}`).sort()).toEqual(['BP003 info', 'BP006 warning']);
    expect(applyRuleSettings(diagnostics, settingsOf(config)).diagnostics.map((d) => `${d.code} ${d.severity}`).sort()).toEqual(['BP003 error', 'BP006 error']);
  });

  it('every rule can be turned off by its code', async () => {
    for (const [code, trigger] of Object.entries(TRIGGERS)) {
      const files = trigger.files();
      files['oclhub.ocl'] += `\nrule "${code}" {\n    severity = "off"\n}\n`;
      const { diagnostics, config } = await practicesOf(files, trigger.options);
      const applied = applyRuleSettings(diagnostics, settingsOf(config));
      expect(applied.diagnostics.filter((d) => d.code === code).map(summary), code).toEqual([]);
      expect(applied.suppressed.some((d) => d.code === code), code).toBe(true);
    }
  });

  it('a threshold setting moves the limit; on a rule without one it is reported', async () => {
    const files: Files = { ...cleanHub(), [WEB]: manySteps(21) };
    files['oclhub.ocl'] += '\nrule "BP001" {\n    severity = "warning"\n    threshold = 25\n}\n\nrule "BP003" {\n    severity = "info"\n    threshold = 3\n}\n';
    const { diagnostics } = await practicesOf(files);
    expect(diagnostics.map((d) => `${d.code} ${d.summary}`)).toEqual(['BP000 rule "BP003" sets a threshold, but BP003 has none']);
    const lower: Files = { ...cleanHub(), [WEB]: manySteps(5) };
    lower['oclhub.ocl'] += '\nrule "BP001" {\n    severity = "warning"\n    threshold = 5\n}\n';
    expect((await practicesOf(lower)).diagnostics.map((d) => `${d.code} ${d.summary}`)).toEqual(['BP001 The deployment process has 5 steps (5 or more)']);
  });

  it('projects in other repositories are not judged on content validate --hub did not read', async () => {
    const files = withConfig((c) => c.replace('path = "projects/web/.octopus"', 'repository = "https://example.com/web.git"'));
    delete files[WEB];
    delete files['projects/web/.octopus/variables.ocl'];
    const { diagnostics } = await practicesOf(files);
    expect(diagnostics.filter((d) => d.code === 'BP002')).toEqual([]);
  });

  it('a project inside another project\'s folder owns its own files', async () => {
    const files = withConfig((c) => `${c}\nproject "web-admin" {\n    name = "Web admin"\n    group = "shop"\n    path = "projects/web/.octopus/admin"\n}\n`);
    files['projects/web/.octopus/admin/deployment_process.ocl'] = scriptStep('greet', 'Run a Script', 'echo hi');
    const { diagnostics } = await practicesOf(files);
    expect(diagnostics.map((d) => `${d.code} ${d.project}`)).toEqual(['BP003 web-admin']);
  });

  it('an unregistered project folder is checked as a project of its own', async () => {
    const files: Files = { ...cleanHub(), '.octopus/deployment_process.ocl': scriptStep('x', 'Run a Script', 'echo hi') };
    const { diagnostics } = await practicesOf(files);
    expect(diagnostics.map((d) => `${d.code} ${d.project}`)).toEqual(['BP003 .octopus']);
  });
});

describe('docs/best-practices.md and docs/dependencies.md', () => {
  it('describe every rule with its default severity', () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/best-practices.md'), 'utf8');
    for (const rule of RULES) {
      expect(doc, rule.code).toContain(`| ${rule.code} | ${rule.name} | ${rule.severity} |`);
      expect(doc, rule.code).toContain(`### ${rule.code} ${rule.name}`);
      if (rule.octolint) expect(doc, rule.code).toContain(rule.octolint);
    }
  });

  it('list every DEP code with its default severity', () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/dependencies.md'), 'utf8');
    for (const [code, [severity]] of Object.entries(DEP_CODES)) expect(doc, code).toMatch(new RegExp(`\\| ${code} \\| ${severity}( / \\w+)? \\|`));
  });
});

describe('dependencies validate --hub cannot see', () => {
  it('says which projects were not read when the hub uses dependencies, and nothing otherwise', async () => {
    const external = (c: string) => `${c}\nproject "billing" {\n    name = "Billing"\n    group = "shop"\n    repository = "https://example.com/billing.git"\n}\n`;
    expect((await practicesOf(withConfig(external))).diagnostics.map(summary)).toEqual([]);
    const using = withConfig((c) => external(c).replace('    path = "projects/web/.octopus"\n', '    path = "projects/web/.octopus"\n\n    dependency "api" {\n        version = "^1.0.0"\n    }\n'));
    const { diagnostics } = await practicesOf(using);
    expect(diagnostics.map((d) => `${d.code} ${d.severity} ${d.project}`)).toEqual(['DEP021 info billing']);
    expect(diagnostics[0]!.range?.start).toMatchObject(positionOf(using['oclhub.ocl']!, '"billing"'));
  });
});

describe('the project rules share one listing of a project\'s processes and actions', () => {
  it('while they run for that project only: outside, and for another project, the lists are read afresh', async () => {
    const { withProjectLists, processesOf, actionsOf } = await import('../../src/practices/processes.js');
    const { validateFile } = await import('../../src/model/validate.js');
    const documentOf = (text: string) => validateFile({ path: WEB, text }).document!;
    const project = { slug: 'web', documents: [{ file: WEB, document: documentOf(scriptStep('a', 'A', 'echo a')) }] };
    const other = { slug: 'api', documents: [{ file: API, document: documentOf(manySteps(2)) }] };
    withProjectLists(project, () => {
      expect(actionsOf(project)).toBe(actionsOf(project)); // listed once
      expect(processesOf(project)).toBe(processesOf(project));
      expect(actionsOf(other).map((a) => a.name)).toEqual(['Step number 1', 'Step number 2']);
      expect(actionsOf(other)).not.toBe(actionsOf(other));
    });
    // Outside the run, a changed project is listed as it is now.
    project.documents = [{ file: WEB, document: documentOf(manySteps(3)) }];
    expect(actionsOf(project).map((a) => a.name)).toEqual(['Step number 1', 'Step number 2', 'Step number 3']);
  });
});

describe('BP005 line count', () => {
  it('is the count of lines once trailing white space (any /\\s/) is removed', async () => {
    const { lineCount } = await import('../../src/practices/rules/scripts.js');
    const fc = (await import('fast-check')).default;
    const unit = fc.constantFrom('a', ' ', '\n', '\r', '\t', '\u00a0', '\u2028', '\u2029', '\ufeff', '\u3000', '\u180e', '\u200b', '\v', '\f', 'é');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (text) => {
        const trimmed = text.replace(/\s+$/, '');
        expect(lineCount(text)).toBe(trimmed === '' ? 0 : trimmed.split('\n').length);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('BP023 and BP024 across spaces', () => {
  // Two spaces: a project without its own list deploys to its space's environments only; a project's
  // own list counts each environment once however often it names it.
  const config = `default_space = "a"

space "a" {
    name = "A"
}

space "b" {
    name = "B"
}

environment "dev-a" {
    name = "Dev A"
    order = 1
}

environment "prod-a" {
    name = "Prod A"
    order = 2
}

environment "dev-b" {
    name = "Dev B"
    order = 1
    space = "b"
}

environment "prod-b" {
    name = "Prod B"
    order = 2
    space = "b"
}

environment "staging-b" {
    name = "Staging B"
    order = 3
    space = "b"
}

project_group "shop" {
    name = "Shop"
}

project "web" {
    name = "Web"
    group = "shop"
    path = "projects/web/.octopus"
}

project "api" {
    name = "API"
    group = "shop"
    path = "projects/api/.octopus"
}

project "billing" {
    name = "Billing"
    space = "b"
    environments = ["dev-b", "prod-b", "dev-b"]
}

project "ledger" {
    name = "Ledger"
    space = "b"
    environments = ["prod-b"]
}
`;

  it('finds the unused and the one-project environments of each space, the same on a second run over the same configuration', async () => {
    const files = { ...cleanHub(), 'oclhub.ocl': config };
    const findings = (diagnostics: readonly { code: string; summary: string }[]) =>
      diagnostics
        .filter((d) => d.code === 'BP023' || d.code === 'BP024')
        .map((d) => `${d.code} ${d.summary}`)
        .sort();
    const { diagnostics, config: parsed } = await practicesOf(files);
    expect(findings(diagnostics)).toEqual(['BP023 No project deploys to environment "staging-b"', 'BP024 Only project "billing" deploys to environment "dev-b"']);
    // The hub-wide rules keep what they work out per configuration: asked again, they say the same.
    expect(findings(hubPractices(parsed, [], { now: NOW }))).toEqual(findings(diagnostics));
    // Another configuration is worked out afresh: ledger now deploys to dev-b as well.
    const again = await practicesOf({ ...files, 'oclhub.ocl': config.replace('environments = ["prod-b"]', 'environments = ["prod-b", "dev-b"]') });
    expect(findings(again.diagnostics)).toEqual(['BP023 No project deploys to environment "staging-b"']);
  });
});
