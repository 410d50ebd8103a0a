import { describe, expect, it } from 'vitest';
import { call } from './helpers.js';

describe('glob.match (OPA documentation examples)', () => {
  it('uses "." as the default delimiter and none for null', () => {
    expect(call('glob.match', '*.github.com', [], 'api.github.com')).toBe(true);
    expect(call('glob.match', '*.github.com', [], 'api.cdn.github.com')).toBe(false);
    expect(call('glob.match', '*hub.com', null, 'api.cdn.github.com')).toBe(true);
    expect(call('glob.match', '*:github:com', [':'], 'api:github:com')).toBe(true);
    expect(call('glob.match', '*.github.com', ['.'], 'api.github.com')).toBe(true);
  });

  it('supports **, ?, ranges and alternatives', () => {
    expect(call('glob.match', 'api.**.com', [], 'api.github.com')).toBe(true);
    expect(call('glob.match', 'api.**.com', [], 'api.cdn.github.com')).toBe(true);
    expect(call('glob.match', '?at', [], 'cat')).toBe(true);
    expect(call('glob.match', '?at', [], 'at')).toBe(false);
    expect(call('glob.match', '[abc]at', [], 'bat')).toBe(true);
    expect(call('glob.match', '[abc]at', [], 'fat')).toBe(false);
    expect(call('glob.match', '[a-c]at', [], 'cat')).toBe(true);
    expect(call('glob.match', '[!a-c]at', [], 'dat')).toBe(true);
    expect(call('glob.match', '{cat,bat,[fr]at}', [], 'rat')).toBe(true);
    expect(call('glob.match', '{cat,bat,[fr]at}', [], 'at')).toBe(false);
    expect(call('glob.match', '{a,{b,c}}', [], 'c')).toBe(true);
  });

  it('handles escapes and regex metacharacters literally', () => {
    expect(call('glob.match', '\\*', [], '*')).toBe(true);
    expect(call('glob.match', '\\*', [], 'a')).toBe(false);
    expect(call('glob.match', '[a\\-z]', [], '-')).toBe(true);
    expect(call('glob.match', '[a\\-z]', [], 'm')).toBe(false);
    expect(call('glob.match', '[\\]]', [], ']')).toBe(true);
    expect(call('glob.match', 'a+b(c)', [], 'a+b(c)')).toBe(true);
    expect(call('glob.match', 'release/*', ['/'], 'release/1.2')).toBe(true);
    expect(call('glob.match', 'release/*', ['/'], 'release/1/2')).toBe(false);
  });

  it('rejects malformed patterns and operands', () => {
    expect(() => call('glob.match', '[abc', [], 'a')).toThrow('glob.match: unexpected end of input');
    expect(() => call('glob.match', '*', 'x', 'a')).toThrow('glob.match: operand 2 must be one of {array, null} but got string');
    expect(() => call('glob.match', '*', ['ab'], 'a')).toThrow('glob.match: operand 2 must be array of runes but got array containing string');
  });
});

describe('glob.quote_meta', () => {
  it('escapes glob metacharacters', () => {
    expect(call('glob.quote_meta', '*.github.com')).toBe('\\*.github.com');
    expect(call('glob.quote_meta', 'hello*world?[test]')).toBe('hello\\*world\\?\\[test\\]');
    expect(call('glob.match', call('glob.quote_meta', 'a*{b}') as string, [], 'a*{b}')).toBe(true);
  });
});

describe('glob.match on astral characters', () => {
  it('treats a code point as one character', () => {
    expect(call('glob.match', '?', [], '😀')).toBe(true);
    expect(call('glob.match', 'a*b', ['.'], 'a😀😀b')).toBe(true);
    expect(call('glob.match', '[!a]', [], '😀')).toBe(true);
    expect(call('glob.match', '[😀x]', [], '😀')).toBe(true);
    expect(call('glob.match', '😀?', [], '😀😀')).toBe(true);
    expect(call('glob.match', '*', ['😀'], 'a😀b')).toBe(false);
  });
});
