/**
 * Hashes and HMACs (OPA's topdown/crypto.go): hex digests of a string's UTF-8 bytes, and a
 * constant-time comparison of two MACs. Deterministic and offline, so a policy comparing a digest
 * runs as in Octopus. Certificates, keys and JWTs stay refused (registry.ts FORBIDDEN_BUILTINS).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Builtin } from './registry.js';
import { def, str } from './util.js';

const digest = (name: string, algorithm: string): Builtin => def(name, 1, (args) => createHash(algorithm).update(str(name, args, 0), 'utf8').digest('hex'));

const hmac = (name: string, algorithm: string): Builtin =>
  def(name, 2, (args) => {
    const message = str(name, args, 0);
    const key = str(name, args, 1);
    return createHmac(algorithm, Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');
  });

export const CRYPTO: Builtin[] = [
  digest('crypto.md5', 'md5'),
  digest('crypto.sha1', 'sha1'),
  digest('crypto.sha256', 'sha256'),
  hmac('crypto.hmac.md5', 'md5'),
  hmac('crypto.hmac.sha1', 'sha1'),
  hmac('crypto.hmac.sha256', 'sha256'),
  hmac('crypto.hmac.sha512', 'sha512'),
  // Go's hmac.Equal: constant time for equal lengths, false at once for different lengths.
  def('crypto.hmac.equal', 2, (args) => {
    const a = Buffer.from(str('crypto.hmac.equal', args, 0), 'utf8');
    const b = Buffer.from(str('crypto.hmac.equal', args, 1), 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }),
];
