/**
 * The stored hub-wide findings (src/practices/hub-cache.ts): a run with the same inputs takes them from
 * the lint cache folder; a change to anything the hub-wide rules read (a project's variables, oclhub.ocl,
 * its rule settings, the published policies, the day, the tool version) gives what computing them gives;
 * a damaged or torn file computes again. To see that a stored entry is what a run took, the tests plant
 * an entry no computation gives under the inputs' key.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { validatedConfig } from '../../src/hub/config-cache.js';
import { LintCache } from '../../src/lint/cache.js';
import { validateHub } from '../../src/model/validate.js';
import { cachedHubPractices, hubPracticesKey } from '../../src/practices/hub-cache.js';
import { hubPractices, practiceInputFromValidation, projectPractices, type PracticeOptions, type ProjectFacts } from '../../src/practices/index.js';
import type { HubConfigDocument } from '../../src/model/types.js';
import { cleanHub, NOW, variables } from './helpers.js';

const EXCEPTION = `\nexception "web-quiet" {\n    policy = "no_disabled_steps"\n    project = "web"\n    reason = "Migration"\n    owner = "web@example.com"\n    expires = "2026-03-10"\n}\n`;
const PLANTED: Diagnostic[] = [{ severity: 'info', code: 'PLANTED', summary: 'an entry no computation gives' }];
const TOOL = '9.9.9-test';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oclhub-hub-practices-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A hub with findings from every kind of input: a duplicated variable value (facts), BP028 (the clock and oclhub.ocl). */
function files(change: (files: Record<string, string>) => void = () => undefined): Record<string, string> {
  const hub = cleanHub();
  hub['oclhub.ocl'] += EXCEPTION;
  hub['projects/api/.octopus/variables.ocl'] = variables('Greeting', 'hello web');
  change(hub);
  return hub;
}

/** The hub configuration as a lint run gets it (through config-cache.ts) and every project's facts. */
async function inputsOf(hub: Record<string, string>, now = NOW): Promise<{ config: HubConfigDocument; facts: ProjectFacts[] }> {
  const sources = new Map(Object.entries(hub));
  const validated = await validateHub({ files: sources, now });
  const input = practiceInputFromValidation(validated, sources, { now });
  const config = (await validatedConfig(hub['oclhub.ocl']!, { dir, toolVersion: TOOL }, now.getTime())).document!;
  return { config, facts: input.projects.map((project) => projectPractices(config, project).facts) };
}

async function plant(key: string): Promise<void> {
  const cache = await LintCache.open(dir, 'lint-hub-practices');
  cache.set(key, PLANTED);
  await cache.save();
}

const cache = () => ({ dir, toolVersion: TOOL });

describe('cachedHubPractices', () => {
  it('computes the findings, stores them, and a run with the same inputs takes the stored ones', async () => {
    const { config, facts } = await inputsOf(files());
    const options: PracticeOptions = { now: NOW, publishedPolicies: ['no_disabled_steps'] };
    const uncached = hubPractices(config, facts, options);
    expect(uncached.map((d) => d.code)).toEqual(expect.arrayContaining(['BP011', 'BP028']));
    expect(await cachedHubPractices(config, facts, options, cache())).toStrictEqual(uncached);
    // Stored as computed: the next run's answer is the same, read back.
    expect(await cachedHubPractices(config, facts, options, cache())).toStrictEqual(uncached);
    // And it is the stored entry a run takes (a fresh parse of the same oclhub.ocl has the same key).
    const again = await inputsOf(files());
    const key = hubPracticesKey(again.config, again.facts, options, TOOL)!;
    expect(key).toBe(hubPracticesKey(config, facts, options, TOOL));
    await plant(key);
    expect(await cachedHubPractices(again.config, again.facts, options, cache())).toStrictEqual(PLANTED);
  });

  const changes: Record<string, (base: { options: PracticeOptions }) => Promise<{ config: HubConfigDocument; facts: ProjectFacts[]; options: PracticeOptions; toolVersion?: string }>> = {
    "a project's variable value (a fact the duplicate rule reads)": async ({ options }) => ({
      ...(await inputsOf(files((hub) => (hub['projects/api/.octopus/variables.ocl'] = variables('Greeting', 'hello api'))))),
      options,
    }),
    'a rule setting in oclhub.ocl (the BP028 threshold)': async ({ options }) => ({
      ...(await inputsOf(files((hub) => (hub['oclhub.ocl'] += '\nrule "BP028" {\n    threshold = 3\n}\n')))),
      options,
    }),
    'oclhub.ocl itself (a project in no group)': async ({ options }) => ({
      ...(await inputsOf(files((hub) => (hub['oclhub.ocl'] = hub['oclhub.ocl']!.replace('    group = "shop"\n    path = "projects/web', '    path = "projects/web'))))),
      options,
    }),
    'the day (BP028 counts days until expiry)': async () => {
      const later = new Date(NOW.getTime() + 24 * 60 * 60 * 1000);
      return { ...(await inputsOf(files(), later)), options: { now: later, publishedPolicies: ['no_disabled_steps'] } };
    },
    'the published policies': async () => ({ ...(await inputsOf(files())), options: { now: NOW, publishedPolicies: ['no_disabled_steps', 'retired'] } }),
    'the tool version': async ({ options }) => ({ ...(await inputsOf(files())), options, toolVersion: '10.0.0-test' }),
  };

  for (const [what, change] of Object.entries(changes)) {
    it(`gives the computed findings after a change to ${what}`, async () => {
      const options: PracticeOptions = { now: NOW, publishedPolicies: ['no_disabled_steps'] };
      const base = await inputsOf(files());
      await plant(hubPracticesKey(base.config, base.facts, options, TOOL)!);
      const changed = await change({ options });
      const uncached = hubPractices(changed.config, changed.facts, changed.options);
      const got = await cachedHubPractices(changed.config, changed.facts, changed.options, { dir, toolVersion: changed.toolVersion ?? TOOL });
      expect(got).toStrictEqual(uncached);
      expect(got.some((d) => d.code === 'PLANTED')).toBe(false);
    });
  }

  it('a change that reaches the findings changes them (the cases above are not vacuous)', async () => {
    const options: PracticeOptions = { now: NOW, publishedPolicies: ['no_disabled_steps'] };
    const base = await inputsOf(files());
    const before = JSON.stringify(hubPractices(base.config, base.facts, options));
    for (const [what, change] of Object.entries(changes)) {
      if (what === 'the tool version') continue;
      const changed = await change({ options });
      expect(JSON.stringify(hubPractices(changed.config, changed.facts, changed.options)), what).not.toBe(before);
    }
  });

  it('a damaged or torn stored file is computed again', async () => {
    const options: PracticeOptions = { now: NOW };
    const { config, facts } = await inputsOf(files());
    const uncached = hubPractices(config, facts, options);
    const key = hubPracticesKey(config, facts, options, TOOL)!;
    const file = path.join(dir, 'lint-hub-practices.json');
    // A byte of the entry changed in place; the file cut short in the entry.
    for (const damage of [(bytes: Buffer) => bytes.fill(0x41, bytes.length - 40, bytes.length - 30), (bytes: Buffer) => bytes.subarray(0, bytes.length - 25)]) {
      await plant(key);
      expect(await cachedHubPractices(config, facts, options, cache())).toStrictEqual(PLANTED);
      await plant(key);
      await writeFile(file, damage(await readFile(file)));
      expect(await cachedHubPractices(config, facts, options, cache())).toStrictEqual(uncached);
    }
  });

  it('keeps nothing for a configuration it cannot key (one config-cache.ts did not return) or given policy documents', async () => {
    const options: PracticeOptions = { now: NOW };
    const sources = new Map(Object.entries(files()));
    const validated = await validateHub({ files: sources, now: NOW });
    const input = practiceInputFromValidation(validated, sources, { now: NOW });
    const config = validated.config!;
    const facts = input.projects.map((project) => projectPractices(config, project).facts);
    expect(hubPracticesKey(config, facts, options, TOOL)).toBeUndefined();
    expect(await cachedHubPractices(config, facts, options, cache())).toStrictEqual(hubPractices(config, facts, options));
    const keyed = await inputsOf(files());
    expect(hubPracticesKey(keyed.config, keyed.facts, { ...options, policies: [] }, TOOL)).toBeUndefined();
  });
});
