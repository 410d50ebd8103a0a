/**
 * fast-check arbitraries for the JSON report's objects: every field a decision, a location, a
 * diagnostic or a repository can have, each present or not, with any text (control characters,
 * quotes, backslashes, lone surrogates, line separators, astral characters) and numbers of any kind
 * (negative zero, NaN, infinities, exponents), and the hub repository as one shared object (as the
 * engine has it).
 */
import fc from 'fast-check';
import type { Diagnostic, Range, SourceRepository } from '../../src/diagnostics.js';
import type { Evaluation, PolicyDecision } from '../../src/report/lint-report.js';

export const hub: SourceRepository = { id: 'hub', location: '/hub', commit: 'c'.repeat(40) };

const awkward = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', '\u0000', '\u0007', '\u001f', '\u007f', '\u2028', '\u2029', '\ufeff', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', 'é', '中');
export const text = fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), awkward), maxLength: 16 });
export const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const number = fc.oneof(fc.nat(5000), fc.integer(), fc.double(), fc.constantFrom(-0, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, -Infinity));
const position = fc.record({ line: number, column: number, offset: number });
export const range: fc.Arbitrary<Range> = fc.record({ start: position, end: position });
export const repository: fc.Arbitrary<SourceRepository> = fc.oneof(fc.constant(hub), fc.record({ id: text, location: text, commit: maybe(text), ref: maybe(text) }, { requiredKeys: ['id', 'location'] }));
const related = fc.array(fc.record({ file: maybe(text), range: maybe(range), message: text, repository: maybe(repository) }, { requiredKeys: ['message'] }), { maxLength: 3 });

export const diagnostic: fc.Arbitrary<Diagnostic> = fc.record(
  {
    severity: fc.constantFrom('error', 'warning', 'info'),
    code: text,
    summary: text,
    detail: maybe(text),
    file: maybe(text),
    range: maybe(range),
    related: maybe(related),
    project: maybe(text),
    repository: maybe(repository),
    adjusted: maybe(fc.record({ originalSeverity: fc.constantFrom('error', 'warning', 'info'), reason: maybe(text), file: text, range: maybe(range) }, { requiredKeys: ['originalSeverity', 'file'] })),
  },
  { requiredKeys: ['severity', 'code', 'summary'] },
);

export const decision = fc.record(
  {
    policy: text,
    policyName: maybe(text),
    version: maybe(text),
    inScope: fc.boolean(),
    allowed: fc.boolean(),
    action: fc.constantFrom('block', 'warn'),
    outcome: fc.constantFrom('pass', 'violation', 'excepted', 'error', 'skipped', 'inconclusive'),
    reason: maybe(text),
    error: maybe(text),
    // Any of an exception's fields may be missing (the report writes what there is; `{}` for none).
    exception: maybe(fc.record({ owner: text, reason: text, expires: text }, { requiredKeys: [] })),
    location: maybe(fc.record({ file: text, range: maybe(range), step: maybe(text), related: maybe(related), repository: maybe(repository) }, { requiredKeys: ['file'] })),
    needs: maybe(fc.array(text, { maxLength: 3 })),
  },
  { requiredKeys: ['policy', 'inScope', 'allowed', 'action', 'outcome'] },
) as fc.Arbitrary<PolicyDecision>;

export const evaluation: fc.Arbitrary<Evaluation> = fc.record(
  { project: text, environment: text, tenant: maybe(text), errors: maybe(fc.array(diagnostic, { maxLength: 2 })), decisions: fc.array(decision, { maxLength: 4 }) },
  { requiredKeys: ['project', 'environment', 'decisions'] },
);
