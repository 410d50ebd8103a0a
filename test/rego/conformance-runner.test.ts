/** The conformance runner compares like OPA's own runner does. */
import { describe, expect, it } from 'vitest';
import { runCase } from '../../src/rego/conformance/runner.js';

describe('conformance runner', () => {
  it('sorts sets like arrays under sort_bindings', () => {
    const c = {
      note: 'sorted/set',
      query: 'x := {"b", "a", "c"}',
      sort_bindings: true,
      want_result: [{ x: ['c', 'a', 'b'] }],
    };
    expect(runCase(c, 'inline')).toMatchObject({ status: 'passed' });
  });

  it('matches want_error against OPA\'s whole error text: file:row: code: message', () => {
    const c = {
      note: 'error/text',
      query: 'data.test.p = x',
      modules: ['package test\n\np := x if {\n  x := to_number("nope")\n}\n'],
      strict_error: true,
      want_error: 'test-0.rego:4: eval_builtin_error: to_number: strconv.ParseFloat',
    };
    expect(runCase(c, 'inline')).toMatchObject({ status: 'passed' });
    expect(runCase({ ...c, want_error: 'test-0.rego:5: eval_builtin_error' }, 'inline')).toMatchObject({ status: 'failed' });
  });

  it('reports a Rego v0 case that OPA v1 rejects as an expected rejection, with the reason', () => {
    const c = {
      note: 'regexmatch/re_match',
      query: 'data.generated.p = x',
      modules: ['package generated\n\np {\n  re_match("^[a-z]+$", "foo")\n}\n'],
      want_result: [{ x: true }],
    };
    const outcome = runCase(c, 'inline');
    expect(outcome.status).toBe('rejected');
    expect(outcome.reason).toContain('rego_parse_error: `if` keyword is required before rule body');
    // The same module in v1 syntax (where re_match is regex.match) runs; a case that expects the error passes on it.
    const v1 = c.modules[0]!.replace('p {', 'p if {').replace('re_match', 'regex.match');
    expect(runCase({ ...c, modules: [v1] }, 'inline')).toMatchObject({ status: 'passed' });
    expect(runCase({ note: 'e', query: c.query, modules: c.modules, want_error_code: 'rego_parse_error' }, 'inline')).toMatchObject({ status: 'passed' });
    // Other parse errors stay failures.
    expect(runCase({ ...c, modules: ['package generated\n\np if {\n  re_match(\n}\n'] }, 'inline')).toMatchObject({ status: 'failed' });
  });

  it('skips a case calling a builtin oclhub refuses, with the reason, and fails one calling an unknown function', () => {
    const calling = (call: string) => ({ note: 'refused', query: 'data.test.p = x', modules: [`package test\n\np := ${call}\n`], want_result: [{ x: 'whatever' }] });
    expect(runCase(calling('io.jwt.decode("a.b.c")'), 'inline')).toMatchObject({ status: 'skipped', reason: 'io.jwt.decode: JWT builtins (signing and verification) are not provided by oclhub' });
    expect(runCase(calling('crypto.x509.parse_certificates("a")'), 'inline')).toMatchObject({ status: 'skipped', reason: 'crypto.x509.parse_certificates: certificate and key parsing is not provided by oclhub' });
    expect(runCase(calling('graphql.parse_query("{ a }")'), 'inline')).toMatchObject({ status: 'skipped' });
    // Provided families are never skipped: a wrong answer from one is a failure.
    expect(runCase(calling('time.weekday(0)'), 'inline')).toMatchObject({ status: 'failed' });
    expect(runCase(calling('no.such.function(1)'), 'inline')).toMatchObject({ status: 'failed' });
  });
});
