/**
 * uri.parse and uri.is_valid: OPA parses with Go's `net/url.Parse`, so this follows its rules
 * (RFC 3986 as Go reads it, on UTF-8 bytes): scheme, opaque forms, authority, IP literals with
 * zones, ports, percent-decoding per component, and the raw path when the decoded path would be
 * escaped differently.
 */
import type { Value } from '../value.js';
import type { Builtin } from './registry.js';
import { def, fail, str } from './util.js';
import { goQuote } from './goformat.js';

type Mode = 'path' | 'host' | 'zone' | 'userPassword' | 'fragment';

class UrlError extends Error {
  /** The text Go names in the error: the URL without its fragment, or all of it for fragment errors. */
  url = '';
}

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder();

const isAlnum = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const unhex = (c: number) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);

/** Go's shouldEscape for the component modes url.Parse uses. */
function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'path':
        return ch === '?';
      case 'userPassword':
        return '@/?:'.includes(ch);
      case 'fragment':
        return false;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

/** Go's unescape: validates `%XX` escapes (and host characters), then decodes. */
function unescape(s: string, mode: Mode): string {
  let percents = false;
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      percents = true;
      if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) {
        throw new UrlError(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      const escape = s.slice(i, i + 3);
      if (mode === 'host' && unhex(s.charCodeAt(i + 1)) < 8 && escape !== '%25') {
        throw new UrlError(`invalid URL escape ${goQuote(escape)}`);
      }
      if (mode === 'zone') {
        const v = (unhex(s.charCodeAt(i + 1)) << 4) | unhex(s.charCodeAt(i + 2));
        if (escape !== '%25' && v !== 0x20 && shouldEscape(v, 'host')) throw new UrlError(`invalid URL escape ${goQuote(escape)}`);
      }
      i += 3;
    } else {
      if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) {
        throw new UrlError(`invalid character ${goQuote(s[i]!)} in host name`);
      }
      i++;
    }
  }
  if (!percents) return s;
  const bytes = utf8.encode(s);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25) {
      out[n++] = (unhex(bytes[i + 1]!) << 4) | unhex(bytes[i + 2]!);
      i += 2;
    } else out[n++] = bytes[i]!;
  }
  return utf8Decode.decode(out.subarray(0, n));
}

/** Go's escape (upper-case hex), for deciding whether the raw path differs from the decoded one. */
function escape(s: string, mode: Mode): string {
  let out = '';
  for (const b of utf8.encode(s)) {
    out += shouldEscape(b, mode) ? '%' + b.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(b);
  }
  return out;
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  return /^:[0-9]*$/.test(port);
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new UrlError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${goQuote(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) {
      return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, i), 'zone') + unescape(host.slice(i), 'host');
    }
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${goQuote(colonPort)} after host`);
    }
  }
  return unescape(host, 'host');
}

const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

function parseAuthority(authority: string): string {
  const i = authority.lastIndexOf('@');
  const host = parseHost(i < 0 ? authority : authority.slice(i + 1));
  if (i >= 0) {
    const userinfo = authority.slice(0, i);
    if (!USERINFO.test(userinfo)) throw new UrlError('net/url: invalid userinfo');
    const colon = userinfo.indexOf(':');
    if (colon < 0) unescape(userinfo, 'userPassword');
    else {
      unescape(userinfo.slice(0, colon), 'userPassword');
      unescape(userinfo.slice(colon + 1), 'userPassword');
    }
  }
  return host;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) throw new UrlError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

interface ParsedUrl {
  scheme: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

/** Go `url.Parse`; throws UrlError with Go's message and the text it names. */
function parseUrl(raw: string): ParsedUrl {
  const hash = raw.indexOf('#');
  const u = hash < 0 ? raw : raw.slice(0, hash);
  const frag = hash < 0 ? '' : raw.slice(hash + 1);
  let url: ParsedUrl;
  try {
    url = parseReference(u);
  } catch (e) {
    if (e instanceof UrlError) e.url = u;
    throw e;
  }
  if (frag !== '') {
    try {
      url.fragment = unescape(frag, 'fragment');
    } catch (e) {
      if (e instanceof UrlError) e.url = raw;
      throw e;
    }
  }
  return url;
}

/** Go's `parse` (everything before the fragment). */
function parseReference(u: string): ParsedUrl {
  const url: ParsedUrl = { scheme: '', host: '', path: '', rawPath: '', rawQuery: '', fragment: '' };
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(u)) throw new UrlError('net/url: invalid control character in URL');
  if (u === '*') {
    url.path = '*';
    return url;
  }
  const [scheme, afterScheme] = getScheme(u);
  let rest = afterScheme;
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    // A rootless path after a scheme is opaque (`mailto:user@example.com`): no host, no path.
    if (url.scheme !== '') return url;
    const slash = rest.indexOf('/');
    if ((slash < 0 ? rest : rest.slice(0, slash)).includes(':')) throw new UrlError('first path segment in URL cannot contain colon');
  }
  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    url.host = parseAuthority(authority);
  }
  url.path = unescape(rest, 'path');
  url.rawPath = escape(url.path, 'path') === rest ? '' : rest;
  return url;
}

/** Go's splitHostPort for URL.Hostname/Port. */
function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

function uriParse(args: Value[]): Value {
  const s = str('uri.parse', args, 0);
  let url: ParsedUrl;
  try {
    url = parseUrl(s);
  } catch (e) {
    if (e instanceof UrlError) throw fail('uri.parse', `parse ${goQuote(e.url)}: ${e.message}`);
    throw e;
  }
  const out: Record<string, string> = {};
  if (url.scheme) out.scheme = url.scheme;
  const [hostname, port] = splitHostPort(url.host);
  if (hostname) out.hostname = hostname;
  if (port) out.port = port;
  if (url.path) {
    out.path = url.path;
    out.raw_path = url.rawPath || url.path;
  }
  if (url.rawQuery) out.raw_query = url.rawQuery;
  if (url.fragment) out.fragment = url.fragment;
  return out;
}

export const URI: Builtin[] = [
  def('uri.parse', 1, uriParse),
  def('uri.is_valid', 1, ([s]) => {
    if (typeof s !== 'string' || s === '') return false;
    try {
      parseUrl(s);
      return true;
    } catch (e) {
      if (e instanceof UrlError) return false;
      throw e;
    }
  }),
];
