/** base64, base64url, hex and urlquery builtins with Go's strictness and error wording. */
import { type Value, ObjectBuilder, RegoSet, compareStrings, objectEntries } from '../value.js';
import type { Builtin } from './registry.js';
import { goQuote } from './goformat.js';
import { def, elementError, fail, obj, str, typeError } from './util.js';

const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Go base64.Encoding.DecodeString with padding required (StdEncoding / URLEncoding): returns the
 * bytes, or the input offset Go reports in "illegal base64 data at input byte N".
 */
function decodeBase64(input: string, url: boolean): Buffer | number {
  const alphabet = url ? URL_ALPHABET : STD_ALPHABET;
  const src = Buffer.from(input, 'utf8');
  const out: number[] = [];
  let si = 0;
  const skipNewlines = (): void => {
    while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
  };
  for (;;) {
    const quantum: number[] = [];
    let j = 0;
    let padded = false;
    for (; j < 4; ) {
      skipNewlines();
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        return si - j;
      }
      const c = src[si++]!;
      if (c === 0x3d) {
        // '=' padding: only in the last two positions of a quantum.
        if (j === 0 || j === 1) return si - 1;
        if (j === 2) {
          skipNewlines();
          if (si === src.length) return src.length;
          if (src[si] !== 0x3d) return si - 1;
          si++;
        }
        skipNewlines();
        if (si < src.length) return si;
        padded = true;
        break;
      }
      const d = alphabet.indexOf(String.fromCharCode(c));
      if (d < 0) return si - 1;
      quantum.push(d);
      j++;
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    if (quantum.length >= 2) out.push((n >> 16) & 0xff);
    if (quantum.length >= 3) out.push((n >> 8) & 0xff);
    if (quantum.length === 4) out.push(n & 0xff);
    if (padded) return Buffer.from(out);
  }
}

function base64Decode(name: string, s: string, url: boolean): string {
  const r = decodeBase64(s, url);
  if (typeof r === 'number') throw fail(name, `illegal base64 data at input byte ${r}`);
  return r.toString('utf8');
}

/** Go url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

class EscapeError extends Error {}

/** Go url.QueryUnescape. */
export function queryUnescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    if (ch.length === 2) i++;
    if (ch === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new EscapeError(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch === '+') bytes.push(0x20);
    else for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

function unescapeOrFail(name: string, s: string): string {
  try {
    return queryUnescape(s);
  } catch (e) {
    if (e instanceof EscapeError) throw fail(name, e.message);
    throw e;
  }
}

function encodeObject(args: Value[]): string {
  const name = 'urlquery.encode_object';
  const o = obj(name, args, 0);
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of objectEntries(o)) {
    if (typeof k !== 'string') throw typeError(name, 1, k, 'string');
    if (typeof v === 'string') pairs.push([k, v]);
    else if (Array.isArray(v) || v instanceof RegoSet) {
      const items = Array.isArray(v) ? v : v.values();
      for (const x of items) {
        if (typeof x !== 'string') throw elementError(name, 1, v, x, 'string');
        pairs.push([k, x]);
      }
    } else throw typeError(name, 1, v, 'string', 'array', 'set');
  }
  // url.Values.Encode sorts by key, keeping each key's values in order.
  const keys = [...new Set(pairs.map(([k]) => k))].sort(compareStrings);
  return keys
    .flatMap((k) => pairs.filter(([pk]) => pk === k).map(([, v]) => queryEscape(k) + '=' + queryEscape(v)))
    .join('&');
}

function decodeObject(args: Value[]): Value {
  const name = 'urlquery.decode_object';
  const query = str(name, args, 0);
  const out = new Map<string, string[]>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) throw fail(name, 'invalid semicolon separator in query');
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const key = unescapeOrFail(name, rawKey);
    const value = unescapeOrFail(name, rawValue);
    const list = out.get(key) ?? [];
    list.push(value);
    out.set(key, list);
  }
  const b = new ObjectBuilder();
  for (const [k, v] of out) b.set(k, v);
  return b.build();
}

function hexDecode(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (!/[0-9A-Fa-f]/.test(s[i]!)) {
      if (i === s.length - 1 && s.length % 2 === 1) break;
      const cp = s.codePointAt(i)!;
      throw fail('hex.decode', `encoding/hex: invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${goRuneQuote(String.fromCodePoint(cp))}`);
    }
  }
  if (s.length % 2 === 1) throw fail('hex.decode', 'encoding/hex: odd length hex string');
  return Buffer.from(s, 'hex').toString('utf8');
}

function goRuneQuote(ch: string): string {
  return "'" + goQuote(ch).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'") + "'";
}

export const ENCODING: Builtin[] = [
  def('base64.encode', 1, (args) => Buffer.from(str('base64.encode', args, 0), 'utf8').toString('base64')),
  def('base64.decode', 1, (args) => base64Decode('base64.decode', str('base64.decode', args, 0), false)),
  def('base64.is_valid', 1, (args) => typeof decodeBase64(str('base64.is_valid', args, 0), false) !== 'number'),
  def('base64url.encode', 1, (args) => {
    const raw = Buffer.from(str('base64url.encode', args, 0), 'utf8').toString('base64url');
    return raw + '='.repeat((4 - (raw.length % 4)) % 4);
  }),
  def('base64url.encode_no_pad', 1, (args) => Buffer.from(str('base64url.encode_no_pad', args, 0), 'utf8').toString('base64url')),
  def('base64url.decode', 1, (args) => {
    let s = str('base64url.decode', args, 0);
    // RFC 7515 appendix C: restore omitted padding.
    if (!s.endsWith('=')) {
      switch (s.length % 4) {
        case 0:
          break;
        case 2:
          s += '==';
          break;
        case 3:
          s += '=';
          break;
        default:
          throw fail('base64url.decode', `illegal base64url string: ${s}`);
      }
    }
    return base64Decode('base64url.decode', s, true);
  }),
  def('hex.encode', 1, (args) => Buffer.from(str('hex.encode', args, 0), 'utf8').toString('hex')),
  def('hex.decode', 1, (args) => hexDecode(str('hex.decode', args, 0))),
  def('urlquery.encode', 1, (args) => queryEscape(str('urlquery.encode', args, 0))),
  def('urlquery.decode', 1, (args) => unescapeOrFail('urlquery.decode', str('urlquery.decode', args, 0))),
  def('urlquery.encode_object', 1, encodeObject),
  def('urlquery.decode_object', 1, decodeObject),
];
