import { BUILTINS } from '../../../src/rego/builtins/index.js';
import type { BuiltinContext } from '../../../src/rego/builtins/registry.js';
import type { Value } from '../../../src/rego/value.js';

export function testCtx(overrides: Partial<BuiltinContext> = {}): BuiltinContext & { ticks: number; bytes: number } {
  const ctx = {
    strict: true,
    nowNs: 1_700_000_000_000_000_000n,
    cache: new Map<string, Value>(),
    seed: 42,
    ticks: 0,
    bytes: 0,
    tick(units: number) {
      ctx.ticks += units;
    },
    alloc(bytes: number) {
      ctx.bytes += bytes;
    },
    ...overrides,
  };
  return ctx;
}

/** Calls a builtin by name with a fresh test context. */
export function call(name: string, ...args: Value[]): Value | undefined {
  const b = BUILTINS.get(name);
  if (!b) throw new Error(`no builtin ${name}`);
  if (b.arity !== args.length) throw new Error(`${name} takes ${b.arity} arguments, test passed ${args.length}`);
  return b.fn(args, testCtx());
}
