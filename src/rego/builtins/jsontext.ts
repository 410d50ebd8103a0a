/**
 * JSON text to Rego values, keeping big integers exact (JSON.parse rounds them), with Go-like
 * error messages.
 */
import { type Value, ObjectBuilder, parseNumber } from '../value.js';

export class JSONSyntaxError extends Error {}

const WS = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

export function parseJSONText(text: string): Value {
  let pos = 0;
  const skip = (): void => {
    WS.lastIndex = pos;
    WS.exec(text);
    pos = WS.lastIndex;
  };
  const error = (context: string): JSONSyntaxError => {
    if (pos >= text.length) return new JSONSyntaxError('unexpected end of JSON input');
    return new JSONSyntaxError(`invalid character ${describe(text[pos]!)} ${context}`);
  };
  const value = (depth: number): Value => {
    // Go allows 10000 levels; JavaScript's stack is the tighter bound here.
    if (depth > 2000) throw new JSONSyntaxError('exceeded max depth');
    skip();
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      const b = new ObjectBuilder();
      skip();
      if (text[pos] === '}') {
        pos++;
        return b.build();
      }
      for (;;) {
        skip();
        if (text[pos] !== '"') throw error('looking for beginning of object key string');
        const k = string();
        skip();
        if (text[pos] !== ':') throw error('after object key');
        pos++;
        b.set(k, value(depth + 1));
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return b.build();
        }
        throw error('after object key:value pair');
      }
    }
    if (ch === '[') {
      pos++;
      const out: Value[] = [];
      skip();
      if (text[pos] === ']') {
        pos++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return out;
        }
        throw error('after array element');
      }
    }
    if (ch === '"') return string();
    if (text.startsWith('true', pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return null;
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos = NUMBER.lastIndex;
      const n = parseNumber(m[0]);
      if (n === undefined) throw new JSONSyntaxError(`number ${m[0]} out of range`);
      return n;
    }
    throw error('looking for beginning of value');
  };
  const string = (): string => {
    STRING.lastIndex = pos;
    const m = STRING.exec(text);
    if (!m) {
      // Find the offending character for the message.
      let i = pos + 1;
      while (i < text.length && text[i] !== '"') {
        if (text.charCodeAt(i) < 0x20) {
          pos = i;
          throw error('in string literal');
        }
        if (text[i] === '\\') {
          if (!/["\\/bfnrtu]/.test(text[i + 1] ?? '')) {
            pos = i + 1;
            throw error('in string escape code');
          }
          i++;
        }
        i++;
      }
      pos = text.length;
      throw error('');
    }
    pos = STRING.lastIndex;
    return JSON.parse(m[0]) as string;
  };
  const v = value(0);
  skip();
  if (pos < text.length) throw error('after top-level value');
  return v;
}

function describe(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  const c = ch.charCodeAt(0);
  if (c < 0x20) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  return `'${ch}'`;
}
