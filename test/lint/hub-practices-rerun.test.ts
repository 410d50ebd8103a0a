/**
 * `oclhub lint` re-runs with the stored hub-wide best-practice findings (src/practices/hub-cache.ts):
 * after each change a hub-wide rule reads — a project's variables (a value another project holds),
 * oclhub.ocl (a project taken out of its group, a rule setting) — after one they do not read (the stored
 * findings are taken as they are), and with the stored file damaged, the cached run prints byte for byte what a run without any cache prints, in every format.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, removeDir } from '../git/helpers.js';
import { demoHub } from '../e2e/demo-hub.js';
import { expectLintSameAsUncached } from '../cli/helpers.js';

const FORMATS = ['json', 'sarif', 'junit', 'text', 'github'];
const STORED = path.join('.oclhub-cache', 'lint-hub-practices.json');

/** Each format's cached run (two in a row: the first may store, the second reads) against a run with no cache. */
const expectSameAsUncached = (hub: string, what: string) => expectLintSameAsUncached(hub, what, FORMATS, 2);

function codes(json: string): string[] {
  return (JSON.parse(json) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code);
}

let hub: string;
beforeAll(async () => {
  hub = await demoHub();
}, 120_000);
afterAll(() => {
  if (hub) removeDir(hub);
});

describe('oclhub lint with the stored hub-wide findings', () => {
  it('prints what a run without cache prints after each change the hub-wide rules read', async () => {
    const first = await expectSameAsUncached(hub, 'first run');
    expect(fs.existsSync(path.join(hub, STORED))).toBe(true);
    expect(codes(first)).not.toContain('BP011');

    // A project's variables: storefront now keeps a value payments-api keeps (BP011, a hub-wide rule).
    const variables = 'projects/storefront/.octopus/variables.ocl';
    const text = fs.readFileSync(path.join(hub, variables), 'utf8');
    commitAll(hub, { [variables]: `${text}\nvariable "Gateway.Url" {\n    value "https://gateway.example.com" {}\n}\n` }, 'a shared value');
    const shared = await expectSameAsUncached(hub, 'variable value shared');
    expect(codes(shared)).toContain('BP011');

    // oclhub.ocl: reporting taken out of its group (BP021), then a rule setting on the hub-wide code.
    const config = fs.readFileSync(path.join(hub, 'oclhub.ocl'), 'utf8');
    const ungrouped = config.replace(/(project "reporting" \{[^}]*?)\n\s*group = "finance"/, '$1');
    expect(ungrouped).not.toBe(config);
    commitAll(hub, { 'oclhub.ocl': ungrouped }, 'no group');
    const noGroup = await expectSameAsUncached(hub, 'project in no group');
    expect(codes(noGroup)).toContain('BP021');
    commitAll(hub, { 'oclhub.ocl': `${ungrouped}\nrule "BP011" {\n    severity = "error"\n}\n` }, 'a rule setting');
    await expectSameAsUncached(hub, 'rule setting');

    // A change no hub-wide rule reads (a step's name): the stored findings are taken, not written again.
    const stored = path.join(hub, STORED);
    const before = fs.statSync(stored);
    const process = 'projects/reporting/.octopus/deployment_process.ocl';
    const steps = fs.readFileSync(path.join(hub, process), 'utf8');
    const renamed = steps.replace(/name = "([^"]+)"/, 'name = "$1, renamed"');
    expect(renamed).not.toBe(steps);
    commitAll(hub, { [process]: renamed }, 'a step renamed');
    await expectSameAsUncached(hub, 'a step renamed');
    const after = fs.statSync(stored);
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);

    // The stored file damaged in place, then cut short.
    const bytes = fs.readFileSync(stored);
    fs.writeFileSync(stored, Buffer.from(bytes).fill(0x20, bytes.length - 60, bytes.length - 40));
    await expectSameAsUncached(hub, 'damaged stored findings');
    fs.writeFileSync(stored, fs.readFileSync(stored).subarray(0, Math.floor(bytes.length / 2)));
    await expectSameAsUncached(hub, 'torn stored findings');
  }, 240_000);
});
