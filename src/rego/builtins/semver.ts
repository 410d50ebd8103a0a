/**
 * semver.is_valid and semver.compare with OPA's rules: strict SemVer 2.0.0 (semver.org). Exactly
 * three dot-separated numbers without leading zeros, an optional `-prerelease` whose numeric
 * identifiers have no leading zeros either, an optional `+metadata` that precedence ignores; no
 * empty sections, no signs, no leading `v`.
 */
import type { Builtin } from './registry.js';
import { goQuote } from './goformat.js';
import { def, fail, str } from './util.js';

interface Version {
  parts: [bigint, bigint, bigint];
  preRelease: string;
}

const IDENTIFIER = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Go strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > INT64_MAX || n < INT64_MIN ? undefined : n;
}

const parsed = new Map<string, Version | null>();
const PARSED_LIMIT = 1000;

/** Parses with a bounded cache: policies compare the same few version strings over and over. */
export function parseSemver(text: string): Version | undefined {
  const hit = parsed.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const v = parseUncached(text);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(text, v ?? null);
  return v;
}

const NUMBER = /^(0|[1-9][0-9]*)$/;

function parseUncached(text: string): Version | undefined {
  let main = text;
  const plus = text.indexOf('+');
  if (plus >= 0) {
    main = text.slice(0, plus);
    if (!IDENTIFIER.test(text.slice(plus + 1))) return undefined;
  }
  let core = main;
  let preRelease = '';
  const dash = main.indexOf('-');
  if (dash >= 0) {
    core = main.slice(0, dash);
    preRelease = main.slice(dash + 1);
    if (!IDENTIFIER.test(preRelease)) return undefined;
    for (const id of preRelease.split('.')) if (/^[0-9]+$/.test(id) && !NUMBER.test(id)) return undefined;
  }
  const dotParts = splitN(core, '.', 3);
  if (dotParts.length !== 3) return undefined;
  const parts: bigint[] = [];
  for (const p of dotParts) {
    if (!NUMBER.test(p)) return undefined;
    const n = parseInt64(p);
    if (n === undefined) return undefined;
    parts.push(n);
  }
  return { parts: parts as [bigint, bigint, bigint], preRelease };
}

function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  out.push(rest);
  return out;
}

/** Go strconv.Atoi on an identifier (int64 range). */
function atoi(s: string): bigint | undefined {
  return parseInt64(s);
}

function comparePreRelease(a: string[], b: string[]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length) return i >= b.length ? 0 : -1;
    if (i >= b.length) return 1;
    const x = a[i]!;
    const y = b[i]!;
    const xi = atoi(x);
    const yi = atoi(y);
    if (xi !== undefined && yi === undefined) return -1;
    if (xi === undefined && yi !== undefined) return 1;
    if (xi !== undefined && yi !== undefined && xi !== yi) return xi > yi ? 1 : -1;
    if (x !== y) return x > y ? 1 : -1;
  }
}

export function compareSemver(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a.parts[i] !== b.parts[i]) return a.parts[i]! > b.parts[i]! ? 1 : -1;
  }
  if (a.preRelease === '' && b.preRelease !== '') return 1;
  if (b.preRelease === '' && a.preRelease !== '') return -1;
  if (a.preRelease === '' && b.preRelease === '') return 0;
  return comparePreRelease(a.preRelease.split('.'), b.preRelease.split('.'));
}

export const SEMVER: Builtin[] = [
  def('semver.is_valid', 1, ([v]) => typeof v === 'string' && parseSemver(v) !== undefined),
  def('semver.compare', 2, (args) => {
    const a = str('semver.compare', args, 0);
    const b = str('semver.compare', args, 1);
    const va = parseSemver(a);
    if (!va) throw fail('semver.compare', `operand 1: string ${goQuote(a)} is not a valid SemVer`);
    const vb = parseSemver(b);
    if (!vb) throw fail('semver.compare', `operand 2: string ${goQuote(b)} is not a valid SemVer`);
    return compareSemver(va, vb);
  }),
];
