/**
 * Pure CIDR builtins (net.cidr_*), IPv4 and IPv6, with Go's parsing rules. The network lookups
 * (net.lookup_ip_addr) stay forbidden.
 */
import { type Value, RegoSet, isObject, objectEntries } from '../value.js';
import type { Builtin, BuiltinContext } from './registry.js';
import { def, fail, typeError } from './util.js';

interface Addr {
  bits: 32 | 128;
  value: bigint;
}
interface Net {
  bits: 32 | 128;
  base: bigint;
  prefix: number;
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    // Go rejects leading zeros (ambiguous octal) and empty parts.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  let head = s;
  let tail: bigint | undefined;
  let tailGroups = 0;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = parseIPv4(s.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    head = s.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
    tailGroups = 2;
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const left = parse(head.slice(0, dbl));
    const right = parse(head.slice(dbl + 2));
    if (!left || !right) return undefined;
    const fill = 8 - tailGroups - left.length - right.length;
    if (fill < 1) return undefined;
    groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  } else {
    const all = parse(head);
    if (!all || all.length + tailGroups !== 8) return undefined;
    groups = all;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  if (tail !== undefined) v = (v << 32n) | tail;
  return v;
}


/** Go net.ParseIP; IPv4-mapped IPv6 addresses count as IPv4 (as ip.To4 does). */
export function parseIP(s: string): Addr | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  if (!s.includes(':')) return undefined;
  const v6 = parseIPv6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { bits: 32, value: v6 & 0xffffffffn };
  return { bits: 128, value: v6 };
}

/** Go net.ParseCIDR: the network (host bits cleared). */
export function parseCIDR(s: string): Net | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addrText = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  const v4 = parseIPv4(addrText);
  let bits: 32 | 128;
  let value: bigint;
  if (v4 !== undefined) {
    bits = 32;
    value = v4;
  } else {
    const v6 = addrText.includes(':') ? parseIPv6(addrText) : undefined;
    if (v6 === undefined) return undefined;
    bits = 128;
    value = v6;
  }
  if (prefix > bits) return undefined;
  if (bits === 128 && value >> 32n === 0xffffn && prefix >= 96) {
    bits = 32;
    value &= 0xffffffffn;
    prefix -= 96;
  }
  const hostBits = BigInt(bits - prefix);
  return { bits, base: (value >> hostBits) << hostBits, prefix };
}

const lastAddress = (n: Net): bigint => n.base + (1n << BigInt(n.bits - n.prefix)) - 1n;
const contains = (n: Net, a: Addr): boolean => n.bits === a.bits && a.value >= n.base && a.value <= lastAddress(n);

export function formatIP(a: Addr): string {
  if (a.bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((a.value >> BigInt(112 - i * 16)) & 0xffffn));
  // Go compresses the longest run of two or more zero groups (the first on ties).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

function netOperand(name: string, v: Value, pos: number): Net {
  if (typeof v !== 'string') throw typeError(name, pos, v, 'string');
  const n = parseCIDR(v);
  if (!n) throw fail(name, `invalid CIDR address: ${v}`);
  return n;
}

function cidrContains(name: string, a: Value, b: Value): boolean {
  const network = netOperand(name, a, 1);
  if (typeof b !== 'string') throw typeError(name, 2, b, 'string');
  const ip = parseIP(b);
  if (ip) return contains(network, ip);
  const other = parseCIDR(b);
  if (!other) throw fail(name, `not a valid textual representation of an IP address or CIDR: ${b}`);
  return contains(network, { bits: other.bits, value: other.base }) && contains(network, { bits: other.bits, value: lastAddress(other) });
}

function matchTerm(name: string, v: Value): Value {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (v.length === 0) throw fail(name, 'embedded array must have at least one element');
    if (typeof v[0] !== 'string') throw fail(name, 'embedded array must contain a string as the first element');
    return v[0];
  }
  throw fail(name, 'operand must be string or array');
}

function matchOperand(name: string, v: Value, pos: number): Array<[Value, Value]> {
  if (typeof v === 'string') return [[v, v]];
  if (Array.isArray(v)) return v.map((x, i) => [matchTerm(name, x), i]);
  if (v instanceof RegoSet) return v.values().map((x) => [matchTerm(name, x), x]);
  if (isObject(v)) return objectEntries(v).map(([k, x]) => [matchTerm(name, x), k]);
  throw typeError(name, pos, v, 'string', 'array', 'set', 'object');
}

function expand(args: Value[], ctx: BuiltinContext): RegoSet {
  const n = netOperand('net.cidr_expand', args[0]!, 1);
  const size = 1n << BigInt(n.bits - n.prefix);
  // Charge before allocating: a /8 alone has 16 million addresses.
  ctx.tick(size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size));
  const out = new RegoSet();
  for (let v = n.base; v <= lastAddress(n); v++) out.add(formatIP({ bits: n.bits, value: v }));
  return out;
}

/** The smallest set of CIDR blocks covering [lo, hi]. */
function rangeToCIDRs(bits: 32 | 128, lo: bigint, hi: bigint): Net[] {
  const out: Net[] = [];
  let cur = lo;
  while (cur <= hi) {
    let size = 0;
    while (size < bits) {
      const block = 1n << BigInt(size + 1);
      if (cur % block !== 0n || cur + block - 1n > hi) break;
      size++;
    }
    out.push({ bits, base: cur, prefix: bits - size });
    cur += 1n << BigInt(size);
  }
  return out;
}

function merge(args: Value[]): RegoSet {
  const name = 'net.cidr_merge';
  const v = args[0]!;
  const items = Array.isArray(v) ? v : v instanceof RegoSet ? v.values() : undefined;
  if (!items) throw typeError(name, 1, v, 'array', 'set');
  const ranges: Record<32 | 128, Array<[bigint, bigint]>> = { 32: [], 128: [] };
  for (const x of items) {
    if (typeof x !== 'string') throw fail(name, 'IP addresses and subnets must be strings');
    const ip = parseIP(x);
    if (ip) {
      // OPA takes a bare IPv4 address as its own network; a bare IPv6 address is an error.
      if (ip.bits === 128) throw fail(name, 'IPv6 invalid: needs prefix length');
      ranges[ip.bits].push([ip.value, ip.value]);
      continue;
    }
    const n = parseCIDR(x);
    if (!n) throw fail(name, `invalid CIDR address: ${x}`);
    ranges[n.bits].push([n.base, lastAddress(n)]);
  }
  const out = new RegoSet();
  for (const bits of [32, 128] as const) {
    const sorted = ranges[bits].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: Array<[bigint, bigint]> = [];
    for (const [lo, hi] of sorted) {
      const last = merged[merged.length - 1];
      if (last && lo <= last[1] + 1n) last[1] = hi > last[1] ? hi : last[1];
      else merged.push([lo, hi]);
    }
    for (const [lo, hi] of merged) {
      for (const n of rangeToCIDRs(bits, lo, hi)) out.add(`${formatIP({ bits, value: n.base })}/${n.prefix}`);
    }
  }
  return out;
}

export const NET: Builtin[] = [
  def('net.cidr_contains', 2, ([a, b]) => cidrContains('net.cidr_contains', a!, b!)),
  def('net.cidr_intersects', 2, (args) => {
    const a = netOperand('net.cidr_intersects', args[0]!, 1);
    const b = netOperand('net.cidr_intersects', args[1]!, 2);
    return contains(a, { bits: b.bits, value: b.base }) || contains(b, { bits: a.bits, value: a.base });
  }),
  def('net.cidr_is_valid', 1, ([v]) => typeof v === 'string' && parseCIDR(v) !== undefined),
  def('net.cidr_expand', 1, expand),
  def('net.cidr_merge', 1, merge),
  def('net.cidr_contains_matches', 2, (args) => {
    const name = 'net.cidr_contains_matches';
    const left = matchOperand(name, args[0]!, 1);
    const right = matchOperand(name, args[1]!, 2);
    const out = new RegoSet();
    for (const [c1, k1] of left) for (const [c2, k2] of right) if (cidrContains(name, c1, c2)) out.add([k1, k2]);
    return out;
  }),
];
