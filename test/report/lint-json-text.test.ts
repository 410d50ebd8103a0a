/**
 * The hand-written texts of the JSON report's decisions (src/report/lint-json-text.ts) are the bytes
 * `JSON.stringify(orderedDecision(d), null, 2)` writes at the same depth: on generated decisions of
 * every shape the model allows (any Unicode, lone surrogates, control characters, quotes, empty
 * arrays and objects, nested related locations, numbers of any kind), on values the types do not
 * allow (the writer must give up rather than write something else), and on the decisions of real lints
 * (the demo hub and a generated hub).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHub } from '../../bench/generate-hub.js';
import type { SourceRepository } from '../../src/diagnostics.js';
import { lintHub } from '../../src/lint/engine.js';
import { orderedDecision, withRepositoryAlias } from '../../src/report/lint-json.js';
import { decisionText, jsonString, sameDecisionText } from '../../src/report/lint-json-text.js';
import type { PolicyDecision } from '../../src/report/lint-report.js';
import { demoHub, openAt } from '../e2e/demo-hub.js';
import { decision, hub, text } from './lint-arbitraries.js';
import { lintReport } from './lint-fixture.js';

/** What JSON.stringify writes for the value `depth` levels deep in a document (its layout indents purely by depth; its strings hold no raw newline). */
function stringified(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${' '.repeat(2 * depth)}`);
}

function expectSameText(d: PolicyDecision, depth: number): void {
  const text = decisionText(d, depth);
  expect(text).toBeDefined();
  expect(text).toBe(stringified(orderedDecision(d), depth));
}

describe('jsonString', () => {
  it('is JSON.stringify of any string', () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) })), (s) => {
        expect(jsonString(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 2000 },
    );
    for (let c = 0; c <= 0xffff; c++) expect(jsonString(`a${String.fromCharCode(c)}`)).toBe(JSON.stringify(`a${String.fromCharCode(c)}`));
  });
});

describe('decisionText', () => {
  it('is the text JSON.stringify writes for the ordered decision, at any depth', () => {
    fc.assert(
      fc.property(decision, fc.integer({ min: 0, max: 6 }), (d, depth) => expectSameText(d, depth)),
      { numRuns: 3000 },
    );
  });

  it('writes the commit withRepositoryAlias stands in for the aliased repository object only', () => {
    const other: SourceRepository = { ...hub };
    const d: PolicyDecision = {
      policy: 'p',
      inScope: true,
      allowed: false,
      action: 'block',
      outcome: 'violation',
      location: { file: 'f.ocl', repository: hub, related: [{ message: 'template', file: 't.ocl', repository: other }, { message: 'usage', repository: hub }] },
    };
    const standIn = '#'.repeat(40);
    const [text, expected] = withRepositoryAlias(hub, standIn, () => [decisionText(d, 4), stringified(orderedDecision(d), 4)]);
    expect(text).toBe(expected);
    expect(text!.split(standIn).length - 1).toBe(2);
    expect(text).toContain(`"commit": "${hub.commit}"`); // the copy keeps its own
    // Outside the alias the same objects are written with their own commit (the last text is not reused).
    expectSameText(d, 4);
    expect(decisionText(d, 4)).not.toContain(standIn);
  });

  it('sees a repository object changed since it was last written', () => {
    const repo: SourceRepository = { id: 'hub', location: '/a', commit: 'c1' };
    const d: PolicyDecision = { policy: 'p', inScope: true, allowed: false, action: 'warn', outcome: 'violation', location: { file: 'f', repository: repo } };
    expectSameText(d, 4);
    repo.commit = 'c2';
    expectSameText(d, 4);
    repo.ref = 'main';
    expectSameText(d, 4);
    delete repo.commit;
    expectSameText(d, 4);
  });

  it('gives up on values the model does not allow (the caller then stringifies), and never writes other text', () => {
    const odd = fc.constantFrom<unknown>(null, 0, 1, '', 'x', true, false, [], {}, [1], ['a', 2], NaN, () => 1, Symbol('s'), new Date(0), new String('s'), { toJSON: () => 'j' }, [, 'a'], { line: 1 });
    // Any field of a well-formed decision (at any depth of its objects) replaced by an odd value.
    const paths: string[][] = [
      ['policy'], ['policyName'], ['version'], ['inScope'], ['allowed'], ['action'], ['outcome'], ['reason'], ['error'], ['exception'], ['exception', 'owner'], ['exception', 'expires'],
      ['needs'], ['needs', '0'], ['location'], ['location', 'file'], ['location', 'step'], ['location', 'range'], ['location', 'range', 'start'], ['location', 'range', 'end', 'offset'],
      ['location', 'related'], ['location', 'related', '0'], ['location', 'related', '0', 'message'], ['location', 'related', '0', 'range', 'start', 'line'], ['location', 'related', '0', 'repository'],
      ['location', 'repository'], ['location', 'repository', 'id'], ['location', 'repository', 'commit'], ['location', 'repository', 'ref'],
    ];
    const full = (): PolicyDecision => ({
      policy: 'p', policyName: 'P', version: '1.0.0', inScope: true, allowed: false, action: 'block', outcome: 'violation', reason: 'r', error: 'e',
      exception: { owner: 'o', reason: 'r', expires: '2027-01-01' }, needs: ['Release'],
      location: {
        file: 'f.ocl', step: 's', range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } },
        related: [{ message: 'm', file: 't.ocl', range: { start: { line: 2, column: 1, offset: 5 }, end: { line: 2, column: 3, offset: 7 } }, repository: { id: 'hub', location: '/h' } }],
        repository: { id: 'hub', location: '/h', commit: 'c', ref: 'r' },
      },
    });
    expectSameText(full(), 4);
    let fellBack = 0;
    for (const at of paths) {
      for (const value of fc.sample(odd, 40)) {
        const d = full();
        let holder = d as unknown as Record<string, unknown>;
        for (const step of at.slice(0, -1)) holder = holder[step] as Record<string, unknown>;
        holder[at.at(-1)!] = value;
        const written = decisionText(d, 4);
        let expected: string | undefined;
        try {
          expected = stringified(orderedDecision(d), 4);
        } catch {
          expected = undefined; // orderedDecision itself throws on it: the caller's fall-back will too
        }
        if (written === undefined) fellBack++;
        else expect(written).toBe(expected);
      }
    }
    expect(fellBack).toBeGreaterThan(0);
  });

  it('writes the fixture report\'s decisions as JSON.stringify does', () => {
    for (const e of lintReport().evaluations) for (const d of e.decisions) for (const depth of [0, 4]) expectSameText(d, depth);
  });

  it('calls two decisions the same only when their texts are the same (and a copy the same)', () => {
    /** A deep copy that keeps the shared hub repository object (as the engine shares it). */
    const copy = <T>(value: T): T => (value === hub || typeof value !== 'object' || value === null ? value : Array.isArray(value) ? (value.map(copy) as T) : (Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T));
    // Each field a decision's text is written from, and values to put there in a copy.
    const changes: [path: string[], values: unknown[]][] = [
      [['policy'], ['q']], [['policyName'], [undefined, 'P2']], [['version'], [undefined, '2.0.0']], [['inScope'], [true, false]], [['allowed'], [true]], [['action'], ['warn', 'block']],
      [['outcome'], ['pass', 'error']], [['reason'], [undefined, 'r2', '']], [['error'], [undefined, 'e']], [['exception'], [undefined, { owner: 'o' }, {}]], [['needs'], [undefined, [], ['Release']]],
      [['location'], [undefined, { file: 'f.ocl' }]], [['location', 'file'], ['g.ocl']], [['location', 'step'], [undefined, 't']], [['location', 'range', 'start', 'line'], [1, 3]], [['location', 'range', 'end', 'offset'], [-0, 0, NaN]],
      [['location', 'range'], [undefined]], [['location', 'related'], [undefined, []]], [['location', 'related', '0', 'message'], ['n']], [['location', 'related', '0', 'repository'], [undefined, hub, { ...hub }]],
      [['location', 'related', '1'], [{ message: 'm' }]], [['location', 'repository'], [undefined, hub, { ...hub }, { ...hub, ref: 'main' }]], [['location', 'repository', 'commit'], [undefined, 'x']],
    ];
    let same = 0;
    let differ = 0;
    fc.assert(
      fc.property(decision, fc.nat(changes.length - 1), fc.nat(3), fc.boolean(), (a, which, pick, aliased) => {
        const b = copy(a);
        const [at, values] = changes[which]!;
        let holder = b as unknown as Record<string, unknown> | undefined;
        for (const step of at.slice(0, -1)) holder = holder?.[step] as Record<string, unknown> | undefined;
        if (holder !== undefined && typeof holder === 'object') holder[at.at(-1)!] = values[pick % values.length];
        const check = () => {
          const textA = decisionText(a, 4);
          expect(textA).toBeDefined();
          const textB = decisionText(b, 4) ?? stringified(orderedDecision(b), 4);
          if (sameDecisionText(a, b)) {
            same++;
            expect(textB).toBe(textA);
          } else if (textB !== textA) differ++;
          // An untouched copy is the same, unless it holds NaN (equal to nothing).
          const nan = JSON.stringify(a, (_key, value: unknown) => (Number.isNaN(value) ? 'NaN!' : value)).includes('NaN!');
          if (!nan) expect(sameDecisionText(a, copy(a))).toBe(true);
        };
        if (aliased) withRepositoryAlias(hub, '#'.repeat(40), check);
        else check();
      }),
      { numRuns: 5000 },
    );
    expect(same).toBeGreaterThan(200);
    expect(differ).toBeGreaterThan(200);
  });

  describe('on the decisions of real lints', () => {
    let work: string;
    let demo: string;
    beforeAll(async () => {
      work = mkdtempSync(path.join(tmpdir(), 'oclhub-json-text-'));
      await generateHub(path.join(work, 'hub'), 12, 3, 25, { packed: true });
      demo = await demoHub();
    }, 120_000);
    afterAll(() => {
      rmSync(work, { recursive: true, force: true });
      rmSync(demo, { recursive: true, force: true });
    });

    it('writes every decision of the demo hub and of a generated hub as JSON.stringify does', async () => {
      let located = 0;
      for (const dir of [demo, path.join(work, 'hub')]) {
        const run = await lintHub(await openAt(dir), { now: new Date('2026-06-01T00:00:00Z'), jobs: 1, cacheDir: false });
        expect(run.report.evaluations.length).toBeGreaterThan(0);
        for (const e of run.report.evaluations) {
          for (const d of e.decisions) {
            if (d.location) located++;
            expectSameText(d, 4);
          }
        }
      }
      expect(located).toBeGreaterThan(0);
    }, 120_000);
  });
});
