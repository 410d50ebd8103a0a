import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../../src/rego/builtins/index.js';
import { BuiltinTypeError } from '../../../src/rego/builtins/registry.js';
import { RegoSet } from '../../../src/rego/value.js';
import { call, testCtx } from './helpers.js';

const members = (v: unknown): unknown[] => (v as RegoSet).values();

describe('net.cidr_contains and net.cidr_intersects', () => {
  it('tests addresses and networks (OPA documentation examples)', () => {
    expect(call('net.cidr_contains', '127.0.0.0/8', '127.0.0.1')).toBe(true);
    expect(call('net.cidr_contains', '127.0.0.0/8', '127.0.0.0/24')).toBe(true);
    expect(call('net.cidr_contains', '127.0.0.0/24', '127.0.0.0/8')).toBe(false);
    expect(call('net.cidr_contains', '2001:4860:4860::8888/32', '2001:4860:4860:1234::8888/40')).toBe(true);
    expect(call('net.cidr_contains', '10.0.0.0/8', '::ffff:10.1.2.3')).toBe(true);
    expect(call('net.cidr_contains', '10.0.0.0/8', '2001::1')).toBe(false);
    expect(call('net.cidr_intersects', '192.168.0.0/16', '192.168.1.0/24')).toBe(true);
    expect(call('net.cidr_intersects', '192.168.0.0/24', '192.168.1.0/24')).toBe(false);
  });

  it('reports invalid input like Go', () => {
    expect(() => call('net.cidr_contains', '10.0.0.1', '10.0.0.1')).toThrow('net.cidr_contains: invalid CIDR address: 10.0.0.1');
    expect(() => call('net.cidr_contains', '10.0.0.0/8', 'nope')).toThrow(
      'net.cidr_contains: not a valid textual representation of an IP address or CIDR: nope',
    );
    expect(call('net.cidr_is_valid', '10.0.0.0/8')).toBe(true);
    expect(call('net.cidr_is_valid', '10.0.0.0/33')).toBe(false);
    expect(call('net.cidr_is_valid', '010.0.0.0/8')).toBe(false);
    expect(call('net.cidr_is_valid', 'fe80::/10')).toBe(true);
    expect(call('net.cidr_is_valid', 1)).toBe(false);
  });
});

describe('net.cidr_expand and net.cidr_merge', () => {
  it('expands small networks', () => {
    expect(members(call('net.cidr_expand', '192.168.0.0/30'))).toEqual(['192.168.0.0', '192.168.0.1', '192.168.0.2', '192.168.0.3']);
    expect(members(call('net.cidr_expand', '2001:db8::/127'))).toEqual(['2001:db8::', '2001:db8::1']);
  });

  it('charges the limit before expanding', () => {
    const ctx = testCtx({
      tick(units: number) {
        if (units > 1_000_000) throw new Error('limit exceeded');
      },
    });
    expect(() => BUILTINS.get('net.cidr_expand')!.fn(['10.0.0.0/8'], ctx)).toThrow('limit exceeded');
  });

  it('merges adjacent and overlapping ranges', () => {
    expect(members(call('net.cidr_merge', ['192.0.128.0/24', '192.0.129.0/24']))).toEqual(['192.0.128.0/23']);
    expect(members(call('net.cidr_merge', ['10.0.0.1', '10.0.0.2']))).toEqual(['10.0.0.1/32', '10.0.0.2/32']);
    // OPA: an IPv6 address needs its prefix length here.
    expect(() => call('net.cidr_merge', ['2601:600:8a80:207e:a57d:7567:e2c9:e7b3'])).toThrow('net.cidr_merge: IPv6 invalid: needs prefix length');
    expect(members(call('net.cidr_merge', ['2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64', '2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128']))).toEqual([
      '2601:600:8a80:207e::/64',
    ]);
    expect(members(call('net.cidr_merge', new RegoSet(['10.0.0.0/8', '10.1.0.0/16', '2001:db8::/33', '2001:db8:8000::/33'])))).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
    ]);
  });
});

describe('net.cidr_contains_matches', () => {
  it('pairs the keys of containing networks and contained addresses', () => {
    expect(members(call('net.cidr_contains_matches', ['1.1.1.0/24', '1.1.2.0/24'], '1.1.1.128'))).toEqual([[0, '1.1.1.128']]);
    expect(members(call('net.cidr_contains_matches', { x: '1.1.0.0/16', y: ['2.0.0.0/8', 'label'] }, new RegoSet(['1.1.1.1', '2.2.2.2'])))).toEqual([
      ['x', '1.1.1.1'],
      ['y', '2.2.2.2'],
    ]);
  });
});

describe('graph', () => {
  const graph = { a: ['b'], b: new RegoSet(['c']), c: ['a'], d: [] };

  it('finds reachable vertices', () => {
    expect(members(call('graph.reachable', graph, ['a']))).toEqual(['a', 'b', 'c']);
    expect(members(call('graph.reachable', graph, new RegoSet(['d', 'zz'])))).toEqual(['d']);
  });

  it('lists paths until leaves or cycles', () => {
    expect(members(call('graph.reachable_paths', { a: ['b', 'c'], b: ['d'], c: [], d: [] }, ['a']))).toEqual([
      ['a', 'b', 'd'],
      ['a', 'c'],
    ]);
    expect(members(call('graph.reachable_paths', graph, ['a']))).toEqual([['a', 'b', 'c']]);
  });

  it('ends a path before a vertex that is not a key of the graph', () => {
    // "x" and "" are named as neighbours but have no entry of their own.
    const g = { s: ['t', 'x'], t: new RegoSet(['']), u: ['x'] };
    expect(members(call('graph.reachable_paths', g, new RegoSet(['s', 'u'])))).toEqual([['s'], ['s', 't'], ['u']]);
  });

  it('keeps each branch of a shared descendant whole', () => {
    const g = { top: ['left', 'right'], left: ['leaf'], right: ['left'], leaf: [] };
    expect(members(call('graph.reachable_paths', g, ['top']))).toEqual([
      ['top', 'left', 'leaf'],
      ['top', 'right', 'left', 'leaf'],
    ]);
  });

  it('needs an array or a set of starting vertices', () => {
    for (const name of ['graph.reachable', 'graph.reachable_paths']) {
      expect(() => call(name, { a: [] }, 'a')).toThrow(`${name}: operand 2 must be one of {array, set} but got string`);
      expect(() => call(name, { a: [] }, { a: 1 })).toThrow(BuiltinTypeError);
    }
  });
});
