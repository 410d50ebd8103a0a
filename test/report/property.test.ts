/**
 * Every renderer, on arbitrary reports (any Unicode in names and messages, including control
 * characters and lone surrogates; ranges anywhere): SARIF stays schema-valid, JUnit stays
 * well-formed XML with consistent counts, GitHub output stays one command per line, JSON parses.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ajvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Range } from '../../src/diagnostics.js';
import { renderGithub, renderGithubStepSummary } from '../../src/report/github.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderLintJson } from '../../src/report/lint-json.js';
import type { LintReport, PolicyDecision } from '../../src/report/lint-report.js';
import { summarize } from '../../src/report/lint-report.js';
import { renderLintText } from '../../src/report/lint-text.js';
import { buildSarif } from '../../src/report/sarif.js';
import { findAll, parseXml } from './xml.js';

type AjvClass = typeof ajvModule.default;
const Ajv: AjvClass = (ajvModule as unknown as { default?: AjvClass }).default ?? (ajvModule as unknown as AjvClass);
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/sarif-2.1.0.schema.json', import.meta.url)), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

// Any code point, plus the characters each format must treat specially (lone surrogates included).
const awkwardUnit = fc.constantFrom('\ud800', '\udfff', '\u0000', '\u0007', '\u001b', '\r', '\n', '\t', '%', ',', ':', '::', '<', '>', '&', '"', "'", '|', '/', ' ', '-->', ']]>');
const anyText = fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), awkwardUnit), maxLength: 20 });
const name = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/), anyText.filter((s) => s.length > 0));
const position = fc.record({ line: fc.integer({ min: 1, max: 50 }), column: fc.integer({ min: 1, max: 80 }), offset: fc.nat(2000) });
const range: fc.Arbitrary<Range> = fc.tuple(position, position).map(([a, b]) => (a.line <= b.line ? { start: a, end: b } : { start: b, end: a }));
const related = fc.array(fc.record({ file: fc.option(name, { nil: undefined }), range: fc.option(range, { nil: undefined }), message: anyText }, { requiredKeys: ['message'] }), { maxLength: 2 });

const decision: fc.Arbitrary<PolicyDecision> = fc.record(
  {
    policy: name,
    policyName: fc.option(anyText, { nil: undefined }),
    version: fc.option(fc.constantFrom('1.0.0', '2.3.4-beta.1'), { nil: undefined }),
    inScope: fc.boolean(),
    allowed: fc.boolean(),
    action: fc.constantFrom('block', 'warn'),
    outcome: fc.constantFrom('pass', 'violation', 'excepted', 'error', 'skipped'),
    reason: fc.option(anyText, { nil: undefined }),
    error: fc.option(anyText, { nil: undefined }),
    exception: fc.option(fc.record({ owner: anyText, reason: anyText, expires: fc.constant('2027-01-01') }), { nil: undefined }),
    location: fc.option(
      fc.record({ file: name, range: fc.option(range, { nil: undefined }), step: fc.option(name, { nil: undefined }), related }, { requiredKeys: ['file'] }),
      { nil: undefined },
    ),
  },
  { requiredKeys: ['policy', 'inScope', 'allowed', 'action', 'outcome'] },
);
const diagnostic: fc.Arbitrary<Diagnostic> = fc.record(
  {
    severity: fc.constantFrom('error', 'warning', 'info'),
    code: fc.stringMatching(/^[A-Z]{3}[0-9]{3}$/),
    summary: anyText,
    detail: fc.option(anyText, { nil: undefined }),
    file: fc.option(name, { nil: undefined }),
    range: fc.option(range, { nil: undefined }),
    related,
  },
  { requiredKeys: ['severity', 'code', 'summary'] },
);
const report: fc.Arbitrary<LintReport> = fc.record({
  tool: fc.record({ name: fc.constant('oclhub'), version: fc.constantFrom('0.1.0', 'dev build') }),
  hubRef: fc.option(anyText, { nil: undefined }),
  evaluations: fc.array(
    fc.record({ project: name, environment: name, tenant: fc.option(name, { nil: undefined }), decisions: fc.array(decision, { maxLength: 4 }) }, { requiredKeys: ['project', 'environment', 'decisions'] }),
    { maxLength: 4 },
  ),
  diagnostics: fc.array(diagnostic, { maxLength: 3 }),
  sources: fc.option(fc.constant(new Map<string, string>()), { nil: undefined }),
  failOn: fc.constantFrom('block', 'warn', 'error'),
});

describe('renderers on arbitrary reports', () => {
  it('SARIF validates against the official schema', () => {
    fc.assert(
      fc.property(report, (r) => {
        const log = JSON.parse(JSON.stringify(buildSarif(r))) as ReturnType<typeof buildSarif>;
        if (!validateSarif(log)) throw new Error(JSON.stringify(validateSarif.errors?.slice(0, 3)));
        for (const result of log.runs[0].results) expect(result.locations[0].physicalLocation.artifactLocation.uri.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });

  it('JUnit is well-formed with counts that add up', () => {
    fc.assert(
      fc.property(report, (r) => {
        const root = parseXml(renderJunit(r));
        const cases = findAll(root, 'testcase');
        expect(Number(root.attributes.tests)).toBe(cases.length);
        expect(Number(root.attributes.failures)).toBe(findAll(root, 'failure').length);
        expect(Number(root.attributes.errors)).toBe(findAll(root, 'error').length);
        expect(Number(root.attributes.skipped)).toBe(findAll(root, 'skipped').length);
        const decisions = r.evaluations.reduce((n, e) => n + e.decisions.length, 0);
        expect(cases.length).toBe(decisions + r.diagnostics.length);
      }),
      { numRuns: 150 },
    );
  });

  it('GitHub output is one workflow command per annotation plus a summary line; text and JSON never throw', () => {
    fc.assert(
      fc.property(report, (r) => {
        const lines = renderGithub(r).split('\n');
        expect(lines.at(-1)).toBe('');
        for (const line of lines.slice(0, -2)) expect(line).toMatch(/^::(error|warning|notice) [^\n\r]*::/);
        expect(lines.at(-2)!.startsWith('oclhub lint: ')).toBe(true);
        const summary = summarize(r);
        expect(JSON.parse(renderLintJson(r)).summary).toEqual(summary);
        expect(renderLintText(r).trimEnd().split('\n').at(-1)).toContain(summary.failed ? 'failed' : 'passed');
        expect(renderGithubStepSummary(r)).toMatch(/^## oclhub lint: (failed|passed)\n/);
      }),
      { numRuns: 150 },
    );
  });
});
