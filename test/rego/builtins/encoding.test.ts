import { describe, expect, it } from 'vitest';
import { call } from './helpers.js';

describe('base64', () => {
  it('encodes and decodes standard base64', () => {
    expect(call('base64.encode', 'hello')).toBe('aGVsbG8=');
    expect(call('base64.decode', 'aGVsbG8=')).toBe('hello');
    expect(call('base64.encode', 'héllo?>')).toBe('aMOpbGxvPz4=');
    expect(call('base64.is_valid', 'aGVsbG8=')).toBe(true);
    expect(call('base64.is_valid', 'aGVsbG8')).toBe(false);
    expect(call('base64.is_valid', 'a$==')).toBe(false);
  });

  it('reports Go offsets for bad input', () => {
    expect(() => call('base64.decode', 'aGVsbG8')).toThrow('base64.decode: illegal base64 data at input byte 4');
    expect(() => call('base64.decode', 'a$bc')).toThrow('illegal base64 data at input byte 1');
    expect(() => call('base64.decode', 'YQ==YQ==')).toThrow('illegal base64 data at input byte 4');
  });

  it('handles the URL alphabet and missing padding', () => {
    expect(call('base64url.encode', 'subjects?_d')).toBe('c3ViamVjdHM_X2Q=');
    expect(call('base64url.encode_no_pad', 'subjects?_d')).toBe('c3ViamVjdHM_X2Q');
    expect(call('base64url.decode', 'c3ViamVjdHM_X2Q')).toBe('subjects?_d');
    expect(call('base64url.decode', 'c3ViamVjdHM_X2Q=')).toBe('subjects?_d');
    expect(() => call('base64url.decode', 'abcde')).toThrow('base64url.decode: illegal base64url string: abcde');
  });
});

describe('hex', () => {
  it('encodes and decodes', () => {
    expect(call('hex.encode', 'lorem ipsum')).toBe('6c6f72656d20697073756d');
    expect(call('hex.decode', '6c6f72656d20697073756d')).toBe('lorem ipsum');
    expect(() => call('hex.decode', 'abc')).toThrow('hex.decode: encoding/hex: odd length hex string');
    expect(() => call('hex.decode', 'zz')).toThrow("hex.decode: encoding/hex: invalid byte: U+007A 'z'");
  });
});

describe('urlquery', () => {
  it('escapes like Go url.QueryEscape', () => {
    expect(call('urlquery.encode', 'a b&c=d/é~')).toBe('a+b%26c%3Dd%2F%C3%A9~');
    expect(call('urlquery.decode', 'a+b%26c%3Dd%2F%C3%A9~')).toBe('a b&c=d/é~');
    expect(() => call('urlquery.decode', '%zz')).toThrow('urlquery.decode: invalid URL escape "%zz"');
  });

  it('encodes and decodes objects', () => {
    expect(call('urlquery.encode_object', { b: ['2', '1'], a: 'x y' })).toBe('a=x+y&b=2&b=1');
    expect(call('urlquery.decode_object', 'a=1&b=2&a=3&c')).toEqual({ a: ['1', '3'], b: ['2'], c: [''] });
    expect(() => call('urlquery.encode_object', { a: 1 })).toThrow('urlquery.encode_object');
  });
});
