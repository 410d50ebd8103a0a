import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../../src/rego/builtins/index.js';
import { RegoSet } from '../../../src/rego/value.js';
import { call } from './helpers.js';

describe('walk', () => {
  it('is registered as a relation', () => {
    expect(BUILTINS.get('walk')!.relation).toBe(true);
  });

  it('yields every path and value, parents first, keys in order', () => {
    expect(call('walk', { b: [1], a: 'x' })).toEqual([
      [[], { b: [1], a: 'x' }],
      [['a'], 'x'],
      [['b'], [1]],
      [['b', 0], 1],
    ]);
    expect(call('walk', new RegoSet(['s']))).toEqual([
      [[], new RegoSet(['s'])],
      [['s'], 's'],
    ]);
    expect(call('walk', 5)).toEqual([[[], 5]]);
  });
});
