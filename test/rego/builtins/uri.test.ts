/** uri.parse / uri.is_valid follow Go's net/url.Parse, which OPA calls. */
import { describe, expect, it } from 'vitest';
import { call } from './helpers.js';

describe('uri.parse', () => {
  it('returns the parts Go parses, decoded, with the raw path when it differs', () => {
    expect(call('uri.parse', 'HTTPS://u:p@h.com:8443/a%20b/c%2Fd?x=1&y=2#frag%21')).toEqual({
      scheme: 'https',
      hostname: 'h.com',
      port: '8443',
      path: '/a b/c/d',
      raw_path: '/a%20b/c%2Fd',
      raw_query: 'x=1&y=2',
      fragment: 'frag!',
    });
    expect(call('uri.parse', 'http://example.com/path')).toEqual({ scheme: 'http', hostname: 'example.com', path: '/path', raw_path: '/path' });
    expect(call('uri.parse', '/rel/path?q')).toEqual({ path: '/rel/path', raw_path: '/rel/path', raw_query: 'q' });
    expect(call('uri.parse', '//host/p')).toEqual({ hostname: 'host', path: '/p', raw_path: '/p' });
    expect(call('uri.parse', 'http://x/é')).toEqual({ scheme: 'http', hostname: 'x', path: '/é', raw_path: '/é' });
  });

  it('reads IP literals with zones and opaque URIs', () => {
    expect(call('uri.parse', 'http://[fe80::1%25eth0]:8080/')).toEqual({ scheme: 'http', hostname: 'fe80::1%eth0', port: '8080', path: '/', raw_path: '/' });
    expect(call('uri.parse', 'http://[::1]/')).toMatchObject({ hostname: '::1' });
    expect(call('uri.parse', 'mailto:user@example.com')).toEqual({ scheme: 'mailto' });
  });

  it("fails with Go's messages", () => {
    const cases: Array<[string, string]> = [
      ['http://a\tb.com', 'net/url: invalid control character in URL'],
      [':nope', 'missing protocol scheme'],
      ['1http://x', 'first path segment in URL cannot contain colon'],
      ['http://x/%zz', 'invalid URL escape "%zz"'],
      ['http://x:abc/', 'invalid port ":abc" after host'],
      ['http://[::1', "missing ']' in host"],
      ['http://ex ample.com/', 'invalid character " " in host name'],
      ['http://%41.com/', 'invalid URL escape "%41"'],
    ];
    for (const [url, message] of cases) {
      expect(() => call('uri.parse', url), url).toThrow(`uri.parse: parse ${JSON.stringify(url)}: ${message}`);
    }
    expect(() => call('uri.parse', 'http://x/#%zz')).toThrow('uri.parse: parse "http://x/#%zz": invalid URL escape "%zz"');
  });
});

describe('uri.is_valid', () => {
  it('is true exactly when uri.parse succeeds, and false for the empty string and non-strings', () => {
    expect(call('uri.is_valid', 'http://example.com/path')).toBe(true);
    expect(call('uri.is_valid', 'a:b')).toBe(true);
    expect(call('uri.is_valid', 'http://a\tb.com')).toBe(false);
    expect(call('uri.is_valid', 'http://x/%zz')).toBe(false);
    expect(call('uri.is_valid', '')).toBe(false);
    expect(call('uri.is_valid', 42)).toBe(false);
  });
});

describe('trace', () => {
  it('succeeds for a string note (oclhub keeps no query explanation) and rejects other operands', () => {
    expect(call('trace', 'note')).toBe(true);
    expect(() => call('trace', 1)).toThrow('trace: operand 1 must be string but got number');
  });
});
