/**
 * A compiled policy reuses one run state across evaluations (src/rego/evaluator.ts Run): nothing
 * from one evaluation (memoised rule values, `with` scopes, budgets, input-read logs) may show in
 * the next, including after an evaluation that ended in an error, and an evaluation started from
 * inside another one (a `print` callback) gets its own state.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/rego/index.js';

const SRC = `package t
default allow := false
allow if input.user == "alice"
doubled := [x | some v in input.xs; x := v * 2]
scoped if { allow with input.user as "alice" }
many := count([1 | some a in input.xs; some b in input.xs; some c in input.xs])
noisy if { print("hello"); allow }
fn(x) := y if { y := x + input.k }
calls := [fn(1), fn(2)]`;

function policy() {
  const c = compile([{ file: 'reuse.rego', source: SRC }]);
  if (!c.policy) throw new Error(JSON.stringify(c.diagnostics));
  return c.policy;
}

const value = (r: ReturnType<ReturnType<typeof policy>['eval']>) => r.results?.[0]?.expressions[0]?.value;

describe('run state reuse', () => {
  it('recomputes rule values for each input', () => {
    const p = policy();
    expect(value(p.eval('data.t.allow', { input: { user: 'alice' } }))).toBe(true);
    expect(value(p.eval('data.t.allow', { input: { user: 'bob' } }))).toBe(false);
    expect(value(p.eval('data.t.doubled', { input: { xs: [1, 2] } }))).toEqual([2, 4]);
    expect(value(p.eval('data.t.doubled', { input: { xs: [5] } }))).toEqual([10]);
    expect(value(p.eval('data.t.calls', { input: { k: 10 } }))).toEqual([11, 12]);
    expect(value(p.eval('data.t.calls', { input: { k: 0 } }))).toEqual([1, 2]);
  });

  it('does not carry a with scope or a memo into the next evaluation', () => {
    const p = policy();
    expect(value(p.eval('data.t.scoped', { input: { user: 'bob' } }))).toBe(true);
    expect(value(p.eval('data.t.allow', { input: { user: 'bob' } }))).toBe(false);
  });

  it('starts each evaluation with a fresh budget, after a limit error too', () => {
    const p = policy();
    const xs = Array.from({ length: 30 }, (_, i) => i);
    const stopped = p.eval('data.t.many', { input: { xs }, limits: { maxSteps: 1000 } });
    expect(stopped.error?.code).toBe('REGO_LIMIT');
    expect(stopped.error?.message).toContain('step limit (1000 steps)');
    expect(value(p.eval('data.t.many', { input: { xs } }))).toBe(27000);
    expect(value(p.eval('data.t.allow', { input: { user: 'alice' } }))).toBe(true);
    // Same limits, fresh counters: the step budget is not used up by the earlier evaluations.
    expect(value(p.eval('data.t.many', { input: { xs: [1, 2, 3] }, limits: { maxSteps: 1000 } }))).toBe(27);
    expect(value(p.eval('data.t.many', { input: { xs: [1, 2, 3] }, limits: { maxSteps: 1000 } }))).toBe(27);
  });

  it('reports input reads of each evaluation only', () => {
    const p = policy();
    const first = p.eval('data.t.allow', { input: { user: 'alice' }, recordInputReads: true });
    expect(first.inputReads).toEqual([['user']]);
    expect(p.eval('data.t.allow', { input: { user: 'alice' } }).inputReads).toBeUndefined();
    const third = p.eval('data.t.doubled', { input: { xs: [1] }, recordInputReads: true });
    expect(third.inputReads).toEqual([['xs']]);
  });

  it('gives an evaluation started inside another its own state', () => {
    const p = policy();
    const inner: unknown[] = [];
    const outer = p.eval('data.t.noisy', {
      input: { user: 'alice' },
      print: () => inner.push(value(p.eval('data.t.allow', { input: { user: 'bob' } }))),
    });
    expect(inner).toEqual([false]);
    expect(value(outer)).toBe(true);
    expect(value(p.eval('data.t.allow', { input: { user: 'alice' } }))).toBe(true);
  });
});
