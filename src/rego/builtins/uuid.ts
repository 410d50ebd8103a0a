/** uuid.rfc4122 (random, stable per key within one evaluation) and uuid.parse. */
import { type Value, ObjectBuilder } from '../value.js';
import type { Builtin } from './registry.js';
import { seededRandom } from './numbers.js';
import { def, str } from './util.js';

function randomUUID(seed: number, key: string): string {
  const next = seededRandom(seed, key);
  const bytes = Array.from({ length: 16 }, () => Math.floor(next() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** google/uuid.Parse forms: canonical, {braced}, urn:uuid:, or 32 bare hex digits. */
function uuidBytes(s: string): number[] | undefined {
  let t = s;
  if (t.length === 45 && t.slice(0, 9).toLowerCase() === 'urn:uuid:') t = t.slice(9);
  else if (t.length === 38 && t[0] === '{' && t[37] === '}') t = t.slice(1, 37);
  let hex: string;
  if (t.length === 36) {
    if (t[8] !== '-' || t[13] !== '-' || t[18] !== '-' || t[23] !== '-') return undefined;
    hex = t.slice(0, 8) + t.slice(9, 13) + t.slice(14, 18) + t.slice(19, 23) + t.slice(24);
  } else if (t.length === 32) hex = t;
  else return undefined;
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  return Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function variantName(b: number): string {
  if ((b & 0xc0) === 0x80) return 'RFC4122';
  if ((b & 0xe0) === 0xc0) return 'Microsoft';
  if ((b & 0xe0) === 0xe0) return 'Future';
  return 'Reserved';
}

function parseUUID(s: string): Value | undefined {
  const bytes = uuidBytes(s);
  if (!bytes) return undefined;
  const out = new ObjectBuilder();
  const version = bytes[6]! >> 4;
  out.set('version', version);
  out.set('variant', variantName(bytes[8]!));
  if (version === 1 || version === 2) {
    const hex = (from: number, to: number): string => bytes.slice(from, to).map((b) => b.toString(16).padStart(2, '0')).join('');
    // 100-ns intervals since 1582-10-15, as google/uuid Time().UnixTime().
    const timeLow = BigInt('0x' + hex(0, 4));
    const timeMid = BigInt('0x' + hex(4, 6));
    const timeHi = BigInt('0x' + hex(6, 8)) & 0x0fffn;
    const ticks = (timeHi << 48n) | (timeMid << 32n) | timeLow;
    const unixNs = (ticks - 122192928000000000n) * 100n;
    out.set('time', Number.isSafeInteger(Number(unixNs)) ? Number(unixNs) : unixNs);
    out.set('clocksequence', ((bytes[8]! & 0x3f) << 8) | bytes[9]!);
    out.set('nodeid', bytes.slice(10).map((b) => b.toString(16).padStart(2, '0')).join('-'));
    out.set('macvariables', `${bytes[10]! & 0x02 ? 'local' : 'global'}:${bytes[10]! & 0x01 ? 'multicast' : 'unicast'}`);
    if (version === 2) {
      out.set('id', Number(BigInt('0x' + hex(0, 4))));
      out.set('domain', ['Person', 'Group', 'Org'][bytes[9]!] ?? `Domain${bytes[9]}`);
    }
  }
  return out.build();
}

export const UUID: Builtin[] = [
  def('uuid.rfc4122', 1, (args, ctx) => {
    const key = str('uuid.rfc4122', args, 0);
    const cacheKey = `uuid.rfc4122\u0000${key}`;
    const cached = ctx.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const id = randomUUID(ctx.seed, cacheKey);
    ctx.cache.set(cacheKey, id);
    return id;
  }),
  def('uuid.parse', 1, (args) => parseUUID(str('uuid.parse', args, 0))),
];
