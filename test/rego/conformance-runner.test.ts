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
});
