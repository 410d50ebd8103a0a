/**
 * Bearer tokens for the API, read from a token file: one token per line,
 * `<token> <scope>[,<scope>...] [Display Name <email>]`, `#` comment lines and blank lines allowed.
 * Scopes: `read` (reads, when reads need a token) and `publish` (publish and activation; implies read).
 * The optional identity is recorded as the publisher of what the token publishes.
 *
 * Tokens are kept only as SHA-256 digests and compared with timingSafeEqual over digests of equal
 * length, checking every entry, so neither the token's length nor its prefix leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Identity } from './ports.js';

export const SCOPES = ['read', 'publish'] as const;
export type Scope = (typeof SCOPES)[number];

export interface TokenEntry {
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
  identity?: Identity;
  /** Where the token was defined (`file:line`), for logs; never the token itself. */
  label: string;
}

export interface TokenFileResult {
  tokens: TokenEntry[];
  /** One message per rejected line; a token file with errors should not be served. */
  errors: string[];
}

const MIN_TOKEN_LENGTH = 16;

export function digestToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function parseTokenFile(text: string, file = 'tokens'): TokenFileResult {
  const tokens: TokenEntry[] = [];
  const errors: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const where = `${file}:${index + 1}`;
    if (line === '' || line.startsWith('#')) return;
    const match = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (!match) {
      errors.push(`${where}: expected "<token> <scope>[,<scope>...]"`);
      return;
    }
    const [, token, scopeList, rest] = match as unknown as [string, string, string, string | undefined];
    if (token.length < MIN_TOKEN_LENGTH) {
      errors.push(`${where}: token is shorter than ${MIN_TOKEN_LENGTH} characters`);
      return;
    }
    const scopes = new Set<Scope>();
    for (const scope of scopeList.split(',')) {
      if ((SCOPES as readonly string[]).includes(scope)) scopes.add(scope as Scope);
      else {
        errors.push(`${where}: unknown scope "${scope}" (use ${SCOPES.join(', ')})`);
        return;
      }
    }
    if (scopes.has('publish')) scopes.add('read');
    const entry: TokenEntry = { digest: digestToken(token), scopes, label: where };
    if (rest !== undefined && rest.trim() !== '') {
      const identity = /^(.+?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(rest.trim());
      if (!identity) {
        errors.push(`${where}: expected an identity "Name <email>" after the scopes`);
        return;
      }
      entry.identity = { name: identity[1]!, email: identity[2]! };
    }
    tokens.push(entry);
  });
  return { tokens, errors };
}

export async function readTokenFile(file: string): Promise<TokenFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { tokens: [], errors: [`cannot read token file ${file}: ${(error as Error).message}`] };
  }
  return parseTokenFile(text, file);
}

/** The entry whose token is `presented`, comparing against every entry in constant time. */
export function findToken(tokens: readonly TokenEntry[], presented: string): TokenEntry | undefined {
  const digest = digestToken(presented);
  let found: TokenEntry | undefined;
  for (const entry of tokens) {
    if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry;
  }
  return found;
}
